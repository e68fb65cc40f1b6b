package console

import (
	"testing"
	"time"
)

func TestSLACountdown(t *testing.T) {
	now := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	cases := []struct {
		due  time.Time
		want string
		late bool
	}{
		{now.Add(50 * time.Hour), "2 d 2 h left", false},
		{now.Add(5*time.Hour + 10*time.Minute), "5 h left", false},
		{now.Add(40 * time.Minute), "40 min left", false},
		{now.Add(-26 * time.Hour), "overdue by 1 d 2 h", true},
	}
	for _, c := range cases {
		if got, late := slaCountdown(now, c.due); got != c.want || late != c.late {
			t.Errorf("slaCountdown(%s) = %q %v, want %q %v", c.due, got, late, c.want, c.late)
		}
	}
}
