package notify

import (
	"fmt"
	"time"
)

// DigestWorkflowType is the registered name of the daily digest workflow
// (digest.NotificationDigest).
const DigestWorkflowType = "NotificationDigest"

// DigestWorkflowID is the one long-lived workflow sending the daily digest
// of every person whose preference is daily_digest.
const DigestWorkflowID = "notify/digest"

// SignalDigestNow makes the digest workflow send the current local day's
// digests at once instead of at the hour (operators, the end-to-end test);
// a day's digest is still sent once.
const SignalDigestNow = "digest-now"

// DigestInput is the digest workflow's input, also what it continues as
// new with.
type DigestInput struct {
	// Hour is the local hour (0-23) the digest is sent at.
	Hour int `json:"hour"`
	// TimeZone is the IANA zone the hour and the day are in ("" : UTC).
	TimeZone string `json:"time_zone,omitempty"`
	// Sent counts the digests sent across runs.
	Sent int64 `json:"sent,omitempty"`
}

// DigestRequest asks for one person's digest of one local day.
type DigestRequest struct {
	PersonID string `json:"person_id"`
	// Day is the local date, YYYY-MM-DD.
	Day string `json:"day"`
}

// Activity names of the digest (methods of activities/notify.Activities).
const (
	ActivityDigestDue  = "NotifyDigestDue"
	ActivityDigestSend = "NotifyDigestSend"
)

// Location is the digest's time zone: UTC for "".
func (in DigestInput) Location() (*time.Location, error) {
	if in.TimeZone == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(in.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("digest time zone %q: %w", in.TimeZone, err)
	}
	return loc, nil
}

// NextDigestAt is the first time strictly after now when the local clock
// in loc shows hour:00 (on a day whose hour does not exist, a daylight
// saving gap, time.Date moves it forward).
func NextDigestAt(now time.Time, hour int, loc *time.Location) time.Time {
	l := now.In(loc)
	at := time.Date(l.Year(), l.Month(), l.Day(), hour, 0, 0, 0, loc)
	for !at.After(now) {
		l = l.AddDate(0, 0, 1)
		at = time.Date(l.Year(), l.Month(), l.Day(), hour, 0, 0, 0, loc)
	}
	return at
}

// DigestDay is the local date of t in loc (YYYY-MM-DD): the day a digest
// sent at t is of.
func DigestDay(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateOnly) }
