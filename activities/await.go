package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"
)

// DefaultPoll is how often Await checks when its caller sets no interval.
const DefaultPoll = 200 * time.Millisecond

// Await calls check until it reports done or wait has passed (the call at
// or after the deadline is the last), heartbeating between calls when it
// runs in an activity and checking every poll (DefaultPoll when zero or
// less). It returns check's error, or the context's if it ends first; the
// caller keeps what its check found.
func Await(ctx context.Context, wait, poll time.Duration, check func() (done bool, err error)) error {
	if poll <= 0 {
		poll = DefaultPoll
	}
	deadline := time.Now().Add(wait)
	for {
		done, err := check()
		if err != nil || done || !time.Now().Before(deadline) {
			return err
		}
		if activity.IsActivity(ctx) {
			activity.RecordHeartbeat(ctx)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}
