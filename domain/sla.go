package domain

import "time"

// SLAClock measures how long a review has been waiting on channel managers,
// excluding the time it waited on the partner (info requested).
type SLAClock struct {
	// Used is the active time accumulated before RunningSince.
	Used time.Duration `json:"used"`
	// RunningSince is when the clock last started; zero while paused.
	RunningSince time.Time `json:"running_since"`
}

// Running reports whether the clock is counting.
func (c SLAClock) Running() bool { return !c.RunningSince.IsZero() }

// Elapsed is the active time at now.
func (c SLAClock) Elapsed(now time.Time) time.Duration {
	if c.Running() {
		return c.Used + now.Sub(c.RunningSince)
	}
	return c.Used
}

// Start (or resume) the clock at now; a running clock is left alone.
func (c *SLAClock) Start(now time.Time) {
	if !c.Running() {
		c.RunningSince = now
	}
}

// Pause the clock at now, keeping the time used so far.
func (c *SLAClock) Pause(now time.Time) {
	if c.Running() {
		c.Used += now.Sub(c.RunningSince)
		c.RunningSince = time.Time{}
	}
}

// DueAt is the wall time at which the clock reaches mark if it keeps
// running, or zero while paused.
func (c SLAClock) DueAt(mark time.Duration) time.Time {
	if !c.Running() {
		return time.Time{}
	}
	return c.RunningSince.Add(mark - c.Used)
}
