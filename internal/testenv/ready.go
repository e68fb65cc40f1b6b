package testenv

import (
	"fmt"
	"time"
)

// awaitReady waits up to 30 s for a service process the tests started:
// it calls ready every 100 ms until it succeeds, and fails with the
// process's log when the process exits (done closes) or the time runs
// out, after stop.
func awaitReady(name string, done <-chan struct{}, log fmt.Stringer, ready func() error, stop func()) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := ready()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			stop()
			return fmt.Errorf("%s did not become ready: %w\n%s", name, err, log.String())
		}
		select {
		case <-done:
			stop()
			return fmt.Errorf("%s exited:\n%s", name, log.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
