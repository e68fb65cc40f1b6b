package delivery

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dealflow/dealflow/workflows/webhook"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

const sub = "0190a0e0-0000-7000-8000-000000000001"

// receiver is the mocked attempt activity: it answers each event as
// fail says (how many attempts fail before one succeeds; -1: all), and
// notes when each attempt was made on the workflow's clock.
type receiver struct {
	// mu guards the rest: lanes' attempts run side by side.
	mu        sync.Mutex
	env       *testsuite.TestWorkflowEnvironment
	fail      map[int64]int
	attempts  map[int64][]time.Time
	delivered []int64
	dead      map[int64]time.Time
}

// newTestEnv is a test environment for the workflow whose deadlock
// detector allows a loaded machine (the race detector, other builds)
// more than its default second per workflow task.
func newTestEnv() *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 30 * time.Second})
	env.RegisterWorkflow(WebhookDelivery)
	return env
}

func newEnv(t *testing.T, fail map[int64]int) (*testsuite.TestWorkflowEnvironment, *receiver) {
	env := newTestEnv()
	r := &receiver{env: env, fail: fail, attempts: map[int64][]time.Time{}, dead: map[int64]time.Time{}}
	env.OnActivity(acts.WebhookAttempt, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req webhook.AttemptRequest) (webhook.AttemptResult, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			if req.SubscriptionID != sub {
				t.Errorf("attempt for %q", req.SubscriptionID)
			}
			r.attempts[req.EventID] = append(r.attempts[req.EventID], env.Now())
			if n := len(r.attempts[req.EventID]); n != req.Attempt {
				t.Errorf("event %d: attempt numbered %d, is the %d-th", req.EventID, req.Attempt, n)
			}
			if f := r.fail[req.EventID]; f < 0 || len(r.attempts[req.EventID]) <= f {
				return webhook.AttemptResult{Outcome: webhook.Retry, Status: 503, Error: "503 Service Unavailable"}, nil
			}
			r.delivered = append(r.delivered, req.EventID)
			return webhook.AttemptResult{Outcome: webhook.Delivered, Status: 204}, nil
		})
	env.OnActivity(acts.WebhookDeadLetter, mock.Anything, mock.Anything).Return(
		func(_ context.Context, d webhook.DeadLetter) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.dead[d.EventID] = env.Now()
			return nil
		})
	return env, r
}

// awaitReturns makes the wait for events return batches one per call,
// each after wait on the workflow's clock, then none, until done says the
// test has seen what it waits for (then the subscription reads as
// disabled, which ends the workflow).
func awaitReturns(env *testsuite.TestWorkflowEnvironment, wait time.Duration, done func() bool, batches ...[]webhook.Event) *[]int64 {
	var afters []int64
	call := 0
	env.OnActivity(acts.WebhookAwaitPending, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req webhook.AwaitRequest) (webhook.Pending, error) {
			afters = append(afters, req.After)
			defer func() { call++ }()
			if call < len(batches) {
				return webhook.Pending{Active: true, Events: batches[call]}, nil
			}
			return webhook.Pending{Active: done == nil || !done()}, nil
		}).After(wait)
	return &afters
}

// deliveredN says when n events were delivered.
func (r *receiver) deliveredN(n int) func() bool {
	return func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return len(r.delivered) == n
	}
}

func ev(id int64, deal string) webhook.Event { return webhook.Event{ID: id, DealID: deal} }

// A failing event waits 5 s, 10 s, 20 s between its attempts; the later
// event of its deal waits for it, while the other deal's events go
// through at once, in their order.
func TestBackoffScheduleAndOrderPerDeal(t *testing.T) {
	env, r := newEnv(t, map[int64]int{1: 3})
	awaitReturns(env, time.Second, r.deliveredN(4),
		[]webhook.Event{ev(1, "a"), ev(2, "b"), ev(3, "a"), ev(4, "b")})
	env.ExecuteWorkflow(WebhookDelivery, webhook.Input{SubscriptionID: sub, Rounds: 1000})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	at := r.attempts[1]
	if len(at) != 4 {
		t.Fatalf("event 1: %d attempts, want 4", len(at))
	}
	for i, want := range []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second} {
		if got := at[i+1].Sub(at[i]); got != want {
			t.Errorf("wait after attempt %d = %v, want %v", i+1, got, want)
		}
	}
	pos := func(id int64) int { return slices.Index(r.delivered, id) }
	if !(pos(1) < pos(3) && pos(2) < pos(4)) {
		t.Errorf("delivered %v: not in order per deal", r.delivered)
	}
	if pos(4) > pos(1) {
		t.Errorf("delivered %v: deal b waited for deal a's retries", r.delivered)
	}
	if !r.attempts[3][0].After(at[3]) && !r.attempts[3][0].Equal(at[3]) {
		t.Errorf("event 3 attempted at %v, before event 1 was delivered at %v", r.attempts[3][0], at[3])
	}
}

// An event that keeps failing is attempted for three days, the last
// attempt at three days exactly, then dead-lettered; the next event of
// its deal is delivered after it.
func TestDeadLetteredAfterThreeDays(t *testing.T) {
	env, r := newEnv(t, map[int64]int{1: -1})
	awaitReturns(env, time.Hour, r.deliveredN(1),
		[]webhook.Event{ev(1, "a"), ev(2, "a")})
	env.ExecuteWorkflow(WebhookDelivery, webhook.Input{SubscriptionID: sub, Rounds: 1000, MaxPerRun: 1000})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	at := r.attempts[1]
	first, last := at[0], at[len(at)-1]
	if got := last.Sub(first); got != webhook.RetryFor {
		t.Errorf("attempts over %v, want %v", got, webhook.RetryFor)
	}
	var want int
	for n, now := 1, first; ; n++ {
		next, ok := webhook.NextAttempt(first, now, n)
		if !ok {
			want = n
			break
		}
		now = next
	}
	if len(at) != want {
		t.Errorf("%d attempts, want %d", len(at), want)
	}
	if d, ok := r.dead[1]; !ok || d.Before(last) {
		t.Errorf("dead-lettered %v (ok %v), last attempt %v", d, ok, last)
	}
	if len(r.delivered) != 1 || r.delivered[0] != 2 || r.attempts[2][0].Before(r.dead[1]) {
		t.Errorf("event 2: delivered %v at %v", r.delivered, r.attempts[2])
	}
	t.Logf("%d attempts from %s to %s, then dead-lettered", len(at), first.Format(time.RFC3339), last.Format(time.RFC3339))
}

// A run ends after its rounds continuing as new with its queued events and
// their retry state carried; a replay asked meanwhile takes events again
// from its id.
func TestContinueAsNewCarriesQueuesAndReplay(t *testing.T) {
	env, r := newEnv(t, map[int64]int{1: -1})
	afters := awaitReturns(env, 10*time.Second, nil, []webhook.Event{ev(1, "a"), ev(2, "a"), ev(3, "b")})
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(webhook.SignalReplay, int64(2)) }, 15*time.Second)
	env.ExecuteWorkflow(WebhookDelivery, webhook.Input{SubscriptionID: sub, Rounds: 3, Delivered: 7})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("want continue-as-new, got %v", err)
	}
	var next webhook.Input
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next.After != 1 {
		t.Errorf("carried after = %d, want 1 (rewound by the replay from 2); waits asked after %v", next.After, *afters)
	}
	if next.Delivered != 8 || slices.Compare(r.delivered, []int64{3}) != 0 {
		t.Errorf("delivered %v, count %d", r.delivered, next.Delivered)
	}
	if len(next.Queued) != 2 || next.Queued[0].EventID != 1 || next.Queued[1].EventID != 2 {
		t.Fatalf("queued = %+v", next.Queued)
	}
	q := next.Queued[0]
	if q.Attempts != len(r.attempts[1]) || !q.FirstAttempt.Equal(r.attempts[1][0]) || !q.NextAttempt.After(r.attempts[1][len(r.attempts[1])-1]) {
		t.Errorf("retry state not carried: %+v, attempts %v", q, r.attempts[1])
	}
	if can.WorkflowType.Name != webhook.WorkflowType {
		t.Errorf("continued as %q", can.WorkflowType.Name)
	}
}

// A receiver answering 410 Gone ends the workflow (the activity disabled
// the subscription); nothing more is attempted.
func TestGoneEndsDelivery(t *testing.T) {
	env := newTestEnv()
	var tried []int64
	var mu sync.Mutex
	env.OnActivity(acts.WebhookAttempt, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req webhook.AttemptRequest) (webhook.AttemptResult, error) {
			mu.Lock()
			defer mu.Unlock()
			tried = append(tried, req.EventID)
			return webhook.AttemptResult{Outcome: webhook.Gone, Status: 410}, nil
		})
	awaitReturns(env, time.Second, nil, []webhook.Event{ev(1, "a"), ev(2, "a")})
	env.ExecuteWorkflow(WebhookDelivery, webhook.Input{SubscriptionID: sub, Parallel: 1})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(tried) != "[1]" {
		t.Errorf("attempted %v after a 410", tried)
	}
}
