package domain

import (
	"testing"
	"time"
)

var slaT0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

func slaAt(h float64) time.Time { return slaT0.Add(time.Duration(h * float64(time.Hour))) }

// TestSLAClockZeroValue proves a new clock is paused, has used no time and has no due time.
func TestSLAClockZeroValue(t *testing.T) {
	var c SLAClock
	if c.Running() {
		t.Error("zero SLAClock is running")
	}
	if got := c.Elapsed(slaAt(5)); got != 0 {
		t.Errorf("Elapsed = %v, want 0", got)
	}
	if got := c.DueAt(48 * time.Hour); !got.IsZero() {
		t.Errorf("DueAt = %v, want zero time", got)
	}
}

// TestSLAClockSequence proves the clock counts only running time across start, pause and resume, and DueAt follows the time still left.
func TestSLAClockSequence(t *testing.T) {
	type check struct {
		now         time.Time
		wantElapsed time.Duration
	}
	steps := []struct {
		name        string
		act         func(*SLAClock)
		wantRunning bool
		wantUsed    time.Duration
		wantDue48   time.Time // zero while paused
		checks      []check
	}{
		{
			name:        "start at t0",
			act:         func(c *SLAClock) { c.Start(slaAt(0)) },
			wantRunning: true,
			wantUsed:    0,
			wantDue48:   slaAt(48),
			checks:      []check{{slaAt(0), 0}, {slaAt(1), time.Hour}, {slaAt(10), 10 * time.Hour}},
		},
		{
			name:        "pause at t0+10h",
			act:         func(c *SLAClock) { c.Pause(slaAt(10)) },
			wantRunning: false,
			wantUsed:    10 * time.Hour,
			wantDue48:   time.Time{},
			checks:      []check{{slaAt(10), 10 * time.Hour}, {slaAt(50), 10 * time.Hour}, {slaAt(100), 10 * time.Hour}},
		},
		{
			name:        "pause again at t0+60h changes nothing",
			act:         func(c *SLAClock) { c.Pause(slaAt(60)) },
			wantRunning: false,
			wantUsed:    10 * time.Hour,
			wantDue48:   time.Time{},
			checks:      []check{{slaAt(99), 10 * time.Hour}},
		},
		{
			name:        "resume at t0+100h",
			act:         func(c *SLAClock) { c.Start(slaAt(100)) },
			wantRunning: true,
			wantUsed:    10 * time.Hour,
			wantDue48:   slaAt(138),
			checks:      []check{{slaAt(100), 10 * time.Hour}, {slaAt(110), 20 * time.Hour}, {slaAt(138), 48 * time.Hour}},
		},
		{
			name:        "start again at t0+105h changes nothing",
			act:         func(c *SLAClock) { c.Start(slaAt(105)) },
			wantRunning: true,
			wantUsed:    10 * time.Hour,
			wantDue48:   slaAt(138),
			checks:      []check{{slaAt(110), 20 * time.Hour}},
		},
		{
			name:        "pause at t0+110h",
			act:         func(c *SLAClock) { c.Pause(slaAt(110)) },
			wantRunning: false,
			wantUsed:    20 * time.Hour,
			wantDue48:   time.Time{},
			checks:      []check{{slaAt(200), 20 * time.Hour}},
		},
		{
			name:        "resume at t0+200h",
			act:         func(c *SLAClock) { c.Start(slaAt(200)) },
			wantRunning: true,
			wantUsed:    20 * time.Hour,
			wantDue48:   slaAt(228),
			checks:      []check{{slaAt(228), 48 * time.Hour}, {slaAt(230), 50 * time.Hour}},
		},
	}
	var c SLAClock
	for _, st := range steps {
		st.act(&c)
		if c.Running() != st.wantRunning {
			t.Errorf("%s: Running() = %v, want %v", st.name, c.Running(), st.wantRunning)
		}
		if c.Used != st.wantUsed {
			t.Errorf("%s: Used = %v, want %v", st.name, c.Used, st.wantUsed)
		}
		if got := c.DueAt(48 * time.Hour); !got.Equal(st.wantDue48) {
			t.Errorf("%s: DueAt(48h) = %v, want %v", st.name, got, st.wantDue48)
		}
		for _, ch := range st.checks {
			if got := c.Elapsed(ch.now); got != ch.wantElapsed {
				t.Errorf("%s: Elapsed(t0+%v) = %v, want %v", st.name, ch.now.Sub(slaT0), got, ch.wantElapsed)
			}
		}
	}
}

// TestSLAClockStartWhileRunning proves Start on a running clock keeps its original start time.
func TestSLAClockStartWhileRunning(t *testing.T) {
	tests := []struct {
		name  string
		clock SLAClock
		again time.Time
	}{
		{"fresh run", SLAClock{RunningSince: slaAt(0)}, slaAt(5)},
		{"resumed run with time used", SLAClock{Used: 3 * time.Hour, RunningSince: slaAt(10)}, slaAt(20)},
		{"restart at an earlier time", SLAClock{RunningSince: slaAt(10)}, slaAt(2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.clock
			c.Start(tt.again)
			if c != tt.clock {
				t.Errorf("Start(%v) changed the clock from %+v to %+v", tt.again, tt.clock, c)
			}
		})
	}
}

// TestSLAClockPauseWhilePaused proves Pause on a paused clock keeps the time used unchanged.
func TestSLAClockPauseWhilePaused(t *testing.T) {
	tests := []struct {
		name  string
		clock SLAClock
	}{
		{"never started", SLAClock{}},
		{"paused after use", SLAClock{Used: 7 * time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.clock
			c.Pause(slaAt(30))
			if c != tt.clock {
				t.Errorf("Pause changed the clock from %+v to %+v", tt.clock, c)
			}
		})
	}
}

// TestSLAClockDueAt proves DueAt is the start time plus the time left to the mark, in the past once the mark is already used up, and zero while paused.
func TestSLAClockDueAt(t *testing.T) {
	tests := []struct {
		name  string
		clock SLAClock
		mark  time.Duration
		want  time.Time
	}{
		{"fresh 48h", SLAClock{RunningSince: slaAt(0)}, 48 * time.Hour, slaAt(48)},
		{"fresh 24h reminder", SLAClock{RunningSince: slaAt(0)}, 24 * time.Hour, slaAt(24)},
		{"resumed with 10h used", SLAClock{Used: 10 * time.Hour, RunningSince: slaAt(100)}, 48 * time.Hour, slaAt(138)},
		{"mark exactly used", SLAClock{Used: 48 * time.Hour, RunningSince: slaAt(100)}, 48 * time.Hour, slaAt(100)},
		{"mark already passed", SLAClock{Used: 50 * time.Hour, RunningSince: slaAt(100)}, 48 * time.Hour, slaAt(98)},
		{"paused", SLAClock{Used: 10 * time.Hour}, 48 * time.Hour, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.clock.DueAt(tt.mark)
			if !got.Equal(tt.want) {
				t.Errorf("DueAt(%v) = %v, want %v", tt.mark, got, tt.want)
			}
			if tt.clock.Running() && !got.IsZero() {
				if e := tt.clock.Elapsed(got); e != tt.mark {
					t.Errorf("Elapsed(DueAt(%v)) = %v, want the mark", tt.mark, e)
				}
			}
		})
	}
}
