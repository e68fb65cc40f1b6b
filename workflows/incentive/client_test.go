package incentive

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// fakeSchedules answers every schedule created with err.
type fakeSchedules struct {
	client.ScheduleClient
	err error
}

func (f fakeSchedules) Create(context.Context, client.ScheduleOptions) (client.ScheduleHandle, error) {
	return nil, f.err
}

type fakeTemporal struct {
	client.Client
	schedules fakeSchedules
}

func (f fakeTemporal) ScheduleClient() client.ScheduleClient { return f.schedules }

// A program's schedule that exists already is left as it is; any other
// failure to create it is returned, even one whose text says "already"
// (the check was strings.Contains(err.Error(), "already")).
func TestEnsureScheduleOnlyToleratesAnExistingOne(t *testing.T) {
	p := Program{ID: "33333333-3333-3333-3333-333333333333", Code: "rebate", Period: "month"}
	exists := NewClient(fakeTemporal{schedules: fakeSchedules{err: temporal.ErrScheduleAlreadyRunning}}, 0)
	if err := exists.EnsureSchedule(context.Background(), p); err != nil {
		t.Fatalf("existing schedule: %v", err)
	}
	failed := errors.New("connection already closed")
	broken := NewClient(fakeTemporal{schedules: fakeSchedules{err: failed}}, 0)
	if err := broken.EnsureSchedule(context.Background(), p); !errors.Is(err, failed) {
		t.Fatalf("a failure that mentions %q was swallowed: %v", "already", err)
	}
}
