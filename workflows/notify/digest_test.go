package notify

import (
	"testing"
	"time"
)

// The next digest time is strictly after now, in the zone's local time,
// across a daylight saving change.
func TestNextDigestAt(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		now  string
		hour int
		want string
	}{
		{"2026-03-28T08:30:00+01:00", 8, "2026-03-29T08:00:00+02:00"}, // summer time begins overnight
		{"2026-10-24T09:00:00+02:00", 8, "2026-10-25T08:00:00+01:00"}, // and ends
		{"2026-03-28T23:00:00+01:00", 2, "2026-03-29T03:00:00+02:00"}, // 02:00 does not exist that day
		{"2026-05-31T23:59:59+02:00", 0, "2026-06-01T00:00:00+02:00"},
	} {
		now, _ := time.Parse(time.RFC3339, c.now)
		want, _ := time.Parse(time.RFC3339, c.want)
		if got := NextDigestAt(now, c.hour, berlin); !got.Equal(want) {
			t.Errorf("NextDigestAt(%s, %d) = %s, want %s", c.now, c.hour, got, want)
		}
	}
	if d := DigestDay(time.Date(2026, 1, 31, 23, 30, 0, 0, time.UTC), berlin); d != "2026-02-01" {
		t.Errorf("DigestDay = %s", d)
	}
}
