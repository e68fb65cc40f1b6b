package workflows

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/domain"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

var (
	partnerActor = domain.Actor{ID: "11111111-1111-1111-1111-111111111111", Name: "Pat Partner", Role: domain.RolePartnerUser}
	managerActor = domain.Actor{ID: "22222222-2222-2222-2222-222222222222", Name: "Morgan Manager", Role: domain.RoleChannelManager}
)

func testInput() DealInput {
	return DealInput{
		DealID:    "01a21835-9ea4-789f-a7d7-5015b9d77c29",
		PartnerID: "a76009f5-9fd9-4679-a99a-4cd9c41ce599",
		Submitter: partnerActor,
		Registration: domain.Registration{
			Customer:          domain.Customer{Name: "Acme Corp", Domain: "acme.com", Country: "US"},
			RegistrableDomain: "acme.com",
			Contact:           domain.Contact{Name: "Jane Doe", Email: "jane@acme.com"},
			ProductLines:      []string{"firewall"}, Amount: 1250000, Currency: "USD", ExpectedCloseDate: "2027-03-31",
		},
	}
}

// recorder stands in for PostgreSQL: it keeps the events the workflow asked
// the activities to record, in order.
type recorder struct {
	mu     sync.Mutex
	events []activities.Event
}

func (r *recorder) add(e activities.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, e.Type+":"+string(e.To))
	}
	return out
}

func newEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *recorder) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	rec := &recorder{}
	env.OnActivity(acts.RecordSubmission, mock.Anything, mock.Anything).Return(
		func(_ context.Context, sub activities.Submission) error { rec.add(sub.Event); return nil })
	env.OnActivity(acts.RecordEvent, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e activities.Event) error { rec.add(e); return nil })
	return env, rec
}

// update sends an update and returns its outcome: rejected by the validator,
// or completed with a state or an error.
type outcome struct {
	rejected error
	state    DealState
	err      error
	done     bool
}

func sendUpdate(env *testsuite.TestWorkflowEnvironment, name string, out *outcome, args ...any) {
	env.UpdateWorkflow(name, name+"-"+time.Now().String(), &testsuite.TestUpdateCallback{
		OnReject: func(err error) { out.rejected, out.done = err, true },
		OnComplete: func(v any, err error) {
			out.err, out.done = err, true
			if s, ok := v.(DealState); ok {
				out.state = s
			}
		},
	}, args...)
}

func appErrType(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Type()
	}
	return ""
}

// A submitted deal is persisted, moved to pending_approval, and approved by a
// channel manager; every step is recorded with its actor, in order.
func TestDealApproved(t *testing.T) {
	env, rec := newEnv(t)
	var submitted, approved outcome
	env.RegisterDelayedCallback(func() {
		sendUpdate(env, UpdateSubmitted, &submitted)
	}, 0)
	env.RegisterDelayedCallback(func() {
		sendUpdate(env, UpdateApprove, &approved, Decision{Actor: managerActor, Reason: "fits the plan"})
	}, time.Hour)
	env.ExecuteWorkflow(DealRegistration, testInput())

	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow completed=%v err=%v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	if submitted.err != nil || submitted.state.Status != domain.StatusPendingApproval {
		t.Fatalf("submitted update: %+v", submitted)
	}
	if approved.err != nil || approved.rejected != nil || approved.state.Status != domain.StatusApproved || approved.state.Seq != 3 {
		t.Fatalf("approve update: %+v", approved)
	}
	want := "submitted:submitted review_requested:pending_approval approved:approved"
	if got := strings.Join(rec.types(), " "); got != want {
		t.Fatalf("events = %s, want %s", got, want)
	}
	last := rec.events[2]
	if last.Actor != managerActor || last.Reason != "fits the plan" || last.From != domain.StatusPendingApproval || last.Seq != 3 {
		t.Fatalf("approval event = %+v", last)
	}
	var final DealState
	if err := env.GetWorkflowResult(&final); err != nil || final.Status != domain.StatusApproved {
		t.Fatalf("result %+v, %v", final, err)
	}
}

// A rejection is recorded with its reason and ends the workflow.
func TestDealRejected(t *testing.T) {
	env, rec := newEnv(t)
	var rejected outcome
	env.RegisterDelayedCallback(func() {
		sendUpdate(env, UpdateReject, &rejected, Decision{Actor: managerActor, Reason: "customer is a direct account"})
	}, time.Minute)
	env.ExecuteWorkflow(DealRegistration, testInput())
	if rejected.err != nil || rejected.state.Status != domain.StatusRejected {
		t.Fatalf("reject update: %+v", rejected)
	}
	if got := rec.events[len(rec.events)-1]; got.Type != "rejected" || got.Reason != "customer is a direct account" {
		t.Fatalf("last event = %+v", got)
	}
}

// Validators refuse, before anything is recorded, a decision by a partner
// role and a reason that is too long.
func TestDecisionValidators(t *testing.T) {
	cases := []struct {
		name     string
		update   string
		decision Decision
		errType  string
	}{
		{"partner approves", UpdateApprove, Decision{Actor: partnerActor}, ErrTypeForbidden},
		{"partner rejects", UpdateReject, Decision{Actor: partnerActor, Reason: "x"}, ErrTypeForbidden},
		{"system actor", UpdateApprove, Decision{Actor: domain.SystemActor}, ErrTypeForbidden},
		{"reason too long", UpdateReject, Decision{Actor: managerActor, Reason: strings.Repeat("x", MaxReasonLength+1)}, ErrTypeInvalidTransition},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env, rec := newEnv(t)
			var out, query outcome
			env.RegisterDelayedCallback(func() { sendUpdate(env, tc.update, &out, tc.decision) }, time.Minute)
			// Approve properly afterwards so the workflow completes.
			env.RegisterDelayedCallback(func() {
				sendUpdate(env, UpdateApprove, &query, Decision{Actor: managerActor})
			}, 2*time.Minute)
			env.ExecuteWorkflow(DealRegistration, testInput())
			if out.rejected == nil || appErrType(out.rejected) != tc.errType {
				t.Fatalf("want rejection of type %s, got %+v", tc.errType, out)
			}
			if n := len(rec.events); n != 3 {
				t.Fatalf("recorded %d events, want 3 (the refused update recorded nothing)", n)
			}
		})
	}
}

// Two managers deciding at once: the first wins, the second is refused as an
// invalid transition once it sees the deal's new status.
func TestConcurrentDecisions(t *testing.T) {
	env, rec := newEnv(t)
	var first, second outcome
	env.RegisterDelayedCallback(func() {
		sendUpdate(env, UpdateApprove, &first, Decision{Actor: managerActor})
		sendUpdate(env, UpdateReject, &second, Decision{Actor: managerActor, Reason: "too late"})
	}, time.Minute)
	env.ExecuteWorkflow(DealRegistration, testInput())
	if first.err != nil || first.state.Status != domain.StatusApproved {
		t.Fatalf("first: %+v", first)
	}
	refusal := second.rejected
	if refusal == nil {
		refusal = second.err
	}
	if appErrType(refusal) != ErrTypeInvalidTransition {
		t.Fatalf("second decision should be refused, got %+v", second)
	}
	if n := len(rec.events); n != 3 {
		t.Fatalf("recorded %d events, want 3", n)
	}
}

// A database outage while recording a decision delays it but loses nothing:
// the local activity is retried until PostgreSQL accepts the write.
func TestRecordingRetriedUntilAccepted(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	rec := &recorder{}
	env.OnActivity(acts.RecordSubmission, mock.Anything, mock.Anything).Return(nil)
	failures := 0
	env.OnActivity(acts.RecordEvent, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e activities.Event) error {
			if e.To == domain.StatusApproved && failures < 3 {
				failures++
				return errors.New("connection refused")
			}
			rec.add(e)
			return nil
		})
	var approved outcome
	env.RegisterDelayedCallback(func() {
		sendUpdate(env, UpdateApprove, &approved, Decision{Actor: managerActor})
	}, time.Minute)
	env.ExecuteWorkflow(DealRegistration, testInput())
	if failures != 3 || approved.err != nil || approved.state.Status != domain.StatusApproved {
		t.Fatalf("failures=%d approved=%+v", failures, approved)
	}
	if got := strings.Join(rec.types(), " "); got != "review_requested:pending_approval approved:approved" {
		t.Fatalf("events = %s", got)
	}
}

// The state query answers with the current status.
func TestStateQuery(t *testing.T) {
	env, _ := newEnv(t)
	var state DealState
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryState)
		if err != nil {
			t.Errorf("query: %v", err)
			return
		}
		if err := v.Get(&state); err != nil {
			t.Errorf("decode: %v", err)
		}
		sendUpdate(env, UpdateApprove, &outcome{}, Decision{Actor: managerActor})
	}, time.Minute)
	env.ExecuteWorkflow(DealRegistration, testInput())
	if state.Status != domain.StatusPendingApproval || state.DealID != testInput().DealID {
		t.Fatalf("state = %+v", state)
	}
}
