package domain

import (
	"testing"
	"time"
)

// The instants every rule that depends on "now" is tested at: the last
// second of a month, of a quarter and of a year, 29 February, and the first
// second of a month.
var edgeInstants = map[string]time.Time{
	"month's last second":   time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC),
	"month's last day noon": time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC),
	"quarter's last second": time.Date(2026, 9, 30, 23, 59, 59, 0, time.UTC),
	"year's last second":    time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC),
	"29 February":           time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC),
	"month's first second":  time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
}

// A period that contains now has not ended, whatever day now is; the one
// before it has. On a month's (quarter's, year's) last day the month is
// still taking deals: the bug that turned CI red on 2026-11-30.
func TestCyclePeriodEndedAtEdges(t *testing.T) {
	programStart := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, now := range edgeInstants {
		for _, kind := range []string{PeriodMonth, PeriodQuarter} {
			current, err := PeriodContaining(kind, now)
			if err != nil {
				t.Fatal(err)
			}
			if why := CyclePeriodProblem(current, programStart, now); why == "" {
				t.Errorf("%s (%s), %s: the current %s %s was accepted", name, now, kind, kind, current)
			}
			previous, _ := PeriodContaining(kind, current.Start.AddDate(0, 0, -1))
			if why := CyclePeriodProblem(previous, programStart, now); why != "" {
				t.Errorf("%s (%s), %s: the previous %s %s was refused: %s", name, now, kind, kind, previous, why)
			}
			// The schedule's period (no grace) is always one that has ended.
			due, _ := PeriodDueAt(kind, now, 0)
			if !due.Ended(now) || due != previous {
				t.Errorf("%s, %s: due period %s, want %s (ended)", name, kind, due, previous)
			}
		}
	}
	// At the first second of December, November has ended; a second before, not.
	nov, _ := PeriodContaining(PeriodMonth, time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC))
	if nov.Ended(time.Date(2026, 11, 30, 23, 59, 59, 999999999, time.UTC)) || !nov.Ended(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatal("November ends at 2026-12-01T00:00:00Z exactly")
	}
	// 29 February is in February, whose period ends on 1 March.
	feb, _ := PeriodContaining(PeriodMonth, edgeInstants["29 February"])
	if feb.End != time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC) || feb.Ended(edgeInstants["29 February"]) {
		t.Fatalf("February 2028 = %s", feb)
	}
}

// A period before the program's start is refused; the period containing
// the start day is the program's first.
func TestCyclePeriodBeforeProgramStart(t *testing.T) {
	start := time.Date(2026, 7, 15, 0, 0, 0, 0, time.UTC)
	now := edgeInstants["month's first second"]
	for _, c := range []struct {
		day  time.Time
		kind string
		ok   bool
	}{
		{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), PeriodMonth, false},
		{time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), PeriodMonth, false},
		{time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), PeriodMonth, true},
		{time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), PeriodQuarter, false},
		{time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), PeriodQuarter, true},
	} {
		p, _ := PeriodContaining(c.kind, c.day)
		if why := CyclePeriodProblem(p, start, now); (why == "") != c.ok {
			t.Errorf("%s %s: problem %q, want ok=%v", c.kind, p, why, c.ok)
		}
	}
}

// Expected close dates: yesterday to five years ahead, at every edge.
func TestExpectedCloseAtEdges(t *testing.T) {
	for name, now := range edgeInstants {
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		for _, c := range []struct {
			day time.Time
			ok  bool
		}{
			{today, true},
			{today.AddDate(0, 0, -1), true},
			{today.AddDate(0, 0, -2), false},
			{time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), false},
			{today.AddDate(5, 0, 0), true},
			{today.AddDate(5, 0, 1), false},
		} {
			if why := ExpectedCloseProblem(c.day, today); (why == "") != c.ok {
				t.Errorf("%s: expected close %s on %s: %q, want ok=%v", name, c.day.Format(time.DateOnly), today.Format(time.DateOnly), why, c.ok)
			}
		}
	}
}

// Close dates: not after tomorrow, not before the submission day (a day's
// grace each way), at every edge.
func TestCloseDateAtEdges(t *testing.T) {
	for name, now := range edgeInstants {
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		submitted := now.AddDate(0, 0, -10)
		for _, c := range []struct {
			day time.Time
			ok  bool
		}{
			{today, true},
			{today.AddDate(0, 0, 1), true},
			{today.AddDate(0, 0, 2), false},
			{today.AddDate(0, 0, -10), true},
			{today.AddDate(0, 0, -11), true},
			{today.AddDate(0, 0, -12), false},
			{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), false},
		} {
			if why := CloseDateProblem(c.day, today, submitted); (why == "") != c.ok {
				t.Errorf("%s: close %s (submitted %s): %q, want ok=%v", name, c.day.Format(time.DateOnly), submitted.Format(time.DateOnly), why, c.ok)
			}
		}
	}
}
