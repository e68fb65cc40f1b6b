package delivery

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/dealflow/dealflow/workflows/notify"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// The loop delivers what each wait returns in one batch, in outbox
// order, retries a failed delivery (the SMTP server down) instead of
// skipping it, and continues as new after its rounds with the count
// carried.
func TestDeliversInOrderRetriesAndContinuesAsNew(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(NotificationDelivery)
	batches := [][]notify.Pending{{{ID: 1, DealID: "a"}, {ID: 2, DealID: "b"}}, nil, {{ID: 3, DealID: "a"}}}
	round := 0
	env.OnActivity(acts.NotifyAwaitPending, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req notify.AwaitRequest) ([]notify.Pending, error) {
			if req.Max != 2 || req.Wait != 5*time.Second {
				t.Errorf("await request = %+v", req)
			}
			defer func() { round++ }()
			return batches[round%len(batches)], nil
		})
	var delivered []int64
	failures := 1
	env.OnActivity(acts.NotifyDeliverBatch, mock.Anything, mock.Anything).Return(
		func(_ context.Context, ids []int64) (notify.Outcome, error) {
			if slices.Contains(ids, 2) && failures > 0 {
				failures--
				return notify.Outcome{}, errors.New("dial tcp: connection refused")
			}
			delivered = append(delivered, ids...)
			return notify.Outcome{Sent: len(ids)}, nil
		})
	env.ExecuteWorkflow(NotificationDelivery, notify.Input{Batch: 2, Wait: 5 * time.Second, Rounds: 3, Delivered: 10})
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete its run")
	}
	err := env.GetWorkflowError()
	var can *workflow.ContinueAsNewError
	if !errors.As(err, &can) {
		t.Fatalf("want continue-as-new, got %v", err)
	}
	if want := []int64{1, 2, 3}; len(delivered) != 3 || delivered[0] != 1 || delivered[1] != 2 || delivered[2] != 3 {
		t.Errorf("delivered = %v, want %v", delivered, want)
	}
	if round != 3 {
		t.Errorf("rounds = %d, want 3", round)
	}
	var next notify.Input
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next.Delivered != 13 || next.Batch != 2 || next.Rounds != 3 {
		t.Errorf("continued with %+v, want Delivered 13 and the same settings", next)
	}
	if can.WorkflowType.Name != notify.WorkflowType {
		t.Errorf("continued as %q", can.WorkflowType.Name)
	}
}
