// Package clock is dealflow's one source of "now" outside workflow code
// (workflows use workflow.Now). Everything that decides by the date — which
// periods have ended, which close dates are allowed, countdowns shown in
// lists — takes a Clock, so tests can run at any instant: the last second
// of a month, a quarter or a year, 29 February, the first second of a month.
package clock

import "time"

// Clock tells the time.
type Clock interface {
	// Now is the current instant in UTC.
	Now() time.Time
}

// System is the machine's clock.
type System struct{}

// Now returns time.Now in UTC.
func (System) Now() time.Time { return time.Now().UTC() }

// Fixed is a clock stopped at one instant, for tests.
type Fixed time.Time

// Now returns the fixed instant in UTC.
func (f Fixed) Now() time.Time { return time.Time(f).UTC() }

// Func adapts a function to a Clock (a test's clock that moves).
type Func func() time.Time

// Now calls f.
func (f Func) Now() time.Time { return f().UTC() }

// Or returns c, or the System clock when c is nil, so that a zero-valued
// struct holding a Clock still tells the time.
func Or(c Clock) Clock {
	if c == nil {
		return System{}
	}
	return c
}

// Today is the UTC day (midnight) that now falls on.
func Today(c Clock) time.Time {
	y, m, d := Or(c).Now().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
