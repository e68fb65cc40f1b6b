package clock

import (
	"testing"
	"time"
)

func TestTodayAtEdges(t *testing.T) {
	for in, want := range map[time.Time]string{
		time.Date(2026, 11, 30, 23, 59, 59, 999, time.UTC):                "2026-11-30",
		time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC):                      "2026-12-01",
		time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC):                     "2028-02-29",
		time.Date(2026, 12, 31, 20, 0, 0, 0, time.FixedZone("", -5*3600)): "2027-01-01",
	} {
		if got := Today(Fixed(in)).Format(time.DateOnly); got != want {
			t.Errorf("Today(%s) = %s, want %s", in, got, want)
		}
	}
	if Or(nil).Now().Location() != time.UTC {
		t.Fatal("the system clock tells UTC")
	}
}
