package digest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dealflow/dealflow/workflows/notify"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// run starts the digest workflow at start with in and mocked activities
// (due lists the people per day), returning the days asked for, the
// sends, the virtual time the first activity ran at and the input it
// continued as new with.
type run struct {
	days  []string
	sends []notify.DigestRequest
	at    time.Time
	next  notify.DigestInput
}

func runDigest(t *testing.T, start time.Time, in notify.DigestInput, due map[string][]string, signalAfter time.Duration) run {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.RegisterWorkflow(NotificationDigest)
	var r run
	env.OnActivity(acts.NotifyDigestDue, mock.Anything, mock.Anything).Return(
		func(_ context.Context, day string) ([]string, error) {
			r.days = append(r.days, day)
			r.at = env.Now()
			return due[day], nil
		})
	env.OnActivity(acts.NotifyDigestSend, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req notify.DigestRequest) (bool, error) {
			r.sends = append(r.sends, req)
			return true, nil
		})
	if signalAfter > 0 {
		env.RegisterDelayedCallback(func() { env.SignalWorkflow(notify.SignalDigestNow, nil) }, signalAfter)
	}
	env.ExecuteWorkflow(NotificationDigest, in)
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete its run")
	}
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("want continue-as-new, got %v", err)
	}
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &r.next); err != nil {
		t.Fatal(err)
	}
	return r
}

// Started before the hour, the digest goes out at the hour of the same
// day; started at or after it, at the hour of the next day; the last day
// of a month (and of a year) is followed by the first of the next.
func TestDigestFiresAtTheLocalHourAcrossDayAndMonthEnds(t *testing.T) {
	for _, c := range []struct {
		name, start, zone string
		hour              int
		wantAt, wantDay   string
	}{
		{"before the hour", "2026-03-10T07:59:00Z", "", 8, "2026-03-10T08:00:00Z", "2026-03-10"},
		{"at the hour", "2026-03-10T08:00:00Z", "", 8, "2026-03-11T08:00:00Z", "2026-03-11"},
		{"month end", "2026-01-31T09:00:00Z", "", 8, "2026-02-01T08:00:00Z", "2026-02-01"},
		{"february end", "2026-02-28T23:30:00Z", "", 0, "2026-03-01T00:00:00Z", "2026-03-01"},
		{"year end", "2026-12-31T18:00:00Z", "", 6, "2027-01-01T06:00:00Z", "2027-01-01"},
		// 08:00 in Berlin (UTC+1 in winter) is 07:00 UTC; at 23:30 UTC on
		// 31 January it is already 1 February in Berlin.
		{"local zone", "2026-01-31T23:30:00Z", "Europe/Berlin", 8, "2026-02-01T07:00:00Z", "2026-02-01"},
		{"local zone, day ahead of UTC", "2026-01-31T23:30:00Z", "Asia/Tokyo", 8, "2026-02-02T08:00:00+09:00", "2026-02-02"},
	} {
		t.Run(c.name, func(t *testing.T) {
			start, _ := time.Parse(time.RFC3339, c.start)
			want, _ := time.Parse(time.RFC3339, c.wantAt)
			r := runDigest(t, start, notify.DigestInput{Hour: c.hour, TimeZone: c.zone, Sent: 4},
				map[string][]string{c.wantDay: {"p1", "p2"}}, 0)
			if len(r.days) != 1 || r.days[0] != c.wantDay {
				t.Fatalf("days = %v, want [%s]", r.days, c.wantDay)
			}
			if !r.at.Equal(want) {
				t.Errorf("ran at %s, want %s", r.at.UTC(), want.UTC())
			}
			if len(r.sends) != 2 || r.sends[0] != (notify.DigestRequest{PersonID: "p1", Day: c.wantDay}) || r.sends[1].PersonID != "p2" {
				t.Errorf("sends = %+v", r.sends)
			}
			if r.next != (notify.DigestInput{Hour: c.hour, TimeZone: c.zone, Sent: 6}) {
				t.Errorf("continued with %+v", r.next)
			}
		})
	}
}

// A day with nothing kept for anyone sends nothing, and the workflow goes
// on to the next day.
func TestDigestWithNothingDueSendsNothing(t *testing.T) {
	start, _ := time.Parse(time.RFC3339, "2026-04-30T12:00:00Z")
	r := runDigest(t, start, notify.DigestInput{Hour: 8}, nil, 0)
	if len(r.days) != 1 || r.days[0] != "2026-05-01" || len(r.sends) != 0 {
		t.Fatalf("days %v sends %v", r.days, r.sends)
	}
	if r.next.Sent != 0 {
		t.Errorf("continued with %+v", r.next)
	}
}

// The digest-now signal sends the current local day's digests at once.
func TestDigestNowSignal(t *testing.T) {
	start, _ := time.Parse(time.RFC3339, "2026-06-15T03:00:00Z")
	r := runDigest(t, start, notify.DigestInput{Hour: 8}, map[string][]string{"2026-06-15": {"p1"}}, time.Minute)
	if len(r.days) != 1 || r.days[0] != "2026-06-15" || len(r.sends) != 1 {
		t.Fatalf("days %v sends %v", r.days, r.sends)
	}
	if want := start.Add(time.Minute); !r.at.Equal(want) {
		t.Errorf("ran at %s, want %s (at the signal)", r.at, want)
	}
}

// An unknown zone fails the workflow for good rather than retrying.
func TestDigestBadZone(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(NotificationDigest)
	env.ExecuteWorkflow(NotificationDigest, notify.DigestInput{Hour: 8, TimeZone: "Mars/Olympus"})
	if err := env.GetWorkflowError(); err == nil {
		t.Fatal("want an error for an unknown zone")
	}
}
