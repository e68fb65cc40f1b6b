package web

import "time"

// LinkRequestFloor is the least time an answer to "e-mail me a link"
// (password reset, sign-in link) takes, whether or not the address is a
// person's: the work done for a known address (a token, two rows) hides
// under it, so the answer's timing does not tell who has an account.
const LinkRequestFloor = 250 * time.Millisecond

// Pad waits until floor has passed since start (measured on the
// monotonic clock; it is about response timing, not business time).
func Pad(start time.Time, floor time.Duration) {
	if d := floor - time.Since(start); d > 0 {
		time.Sleep(d)
	}
}
