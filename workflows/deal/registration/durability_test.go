package registration

import (
	"context"
	"errors"
	"testing"
	"time"

	dealacts "github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/deal"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"
)

// Two managers deciding at once: the first wins, the second is refused as
// an invalid transition once it sees the deal's new status.
func TestConcurrentDecisions(t *testing.T) {
	h := newHarness(t, scenario{})
	first := h.do(time.Hour, deal.UpdateReject, deal.Decision{Actor: managerActor, Reason: "duplicate"})
	second := h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: manager2})
	h.run(testInput())
	mustOK(t, "first", first)
	mustRefuse(t, "second", second, workflows.ErrTypeInvalidTransition)
	h.wantEvents(intake + " rejected:rejected")
}

// A database outage while recording a decision delays it but loses
// nothing: the local activity is retried until PostgreSQL takes the write.
func TestRecordingRetriedUntilAccepted(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	noCoSell(env)
	rec := &recorder{}
	env.OnActivity(acts.RecordSubmission, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(acts.Screen, mock.Anything, mock.Anything).Return(dealacts.ScreenResult{Policy: domain.DefaultPolicy(),
		Facts: domain.ScreeningFacts{PartnerType: domain.PartnerReseller, Kind: domain.KindResale}}, nil)
	failures := 0
	env.OnActivity(acts.RecordEvent, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e dealacts.Event) error {
			if e.Type == "rejected" && failures < 3 {
				failures++
				return errors.New("connection refused")
			}
			rec.add(e)
			return nil
		})
	h := &harness{env: env, rec: rec, t: t}
	rejected := h.do(time.Minute, deal.UpdateReject, deal.Decision{Actor: managerActor, Reason: "no budget"})
	h.run(testInput())
	if failures != 3 {
		t.Fatalf("failures = %d", failures)
	}
	mustOK(t, "reject", rejected)
	h.wantEvents("screening_started:screening review_requested:pending_approval rejected:rejected")
}

// An outage longer than one attempt's timeout (here eight failures over
// about 50 s of backoff) still loses nothing: the recording is retried
// until PostgreSQL is back, and the run goes on (it failed after 10 s,
// the local activity's default deadline).
func TestRecordingRetriedThroughALongOutage(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	noCoSell(env)
	rec := &recorder{}
	env.OnActivity(acts.RecordSubmission, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(acts.Screen, mock.Anything, mock.Anything).Return(dealacts.ScreenResult{Policy: domain.DefaultPolicy(),
		Facts: domain.ScreeningFacts{PartnerType: domain.PartnerReseller, Kind: domain.KindResale}}, nil)
	failures := 0
	env.OnActivity(acts.RecordEvent, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e dealacts.Event) error {
			if e.Type == "rejected" && failures < 8 {
				failures++
				return errors.New("connection refused")
			}
			rec.add(e)
			return nil
		})
	h := &harness{env: env, rec: rec, t: t}
	rejected := h.do(time.Minute, deal.UpdateReject, deal.Decision{Actor: managerActor, Reason: "no budget"})
	h.run(testInput())
	if failures != 8 {
		t.Fatalf("failures = %d", failures)
	}
	mustOK(t, "reject", rejected)
	h.wantEvents("screening_started:screening review_requested:pending_approval rejected:rejected")
}

// The state query answers with the current status at any time.
func TestStateQuery(t *testing.T) {
	h := newHarness(t, scenario{})
	var state deal.State
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(deal.QueryState)
		if err == nil {
			err = v.Get(&state)
		}
		if err != nil {
			t.Errorf("query: %v", err)
		}
	}, time.Minute)
	h.do(time.Hour, deal.UpdateWithdraw, deal.Decision{Actor: partnerActor})
	h.run(testInput())
	if state.Status != domain.StatusPendingApproval || state.DealID != dealID || state.ProgramID != programID {
		t.Fatalf("state = %+v", state)
	}
}

// A run continued as new resumes from the state it carries: no second
// intake, and its timers (here the expiry) pick up where they were.
func TestResumeAfterContinueAsNew(t *testing.T) {
	h := newHarness(t, scenario{})
	start := h.rec.start
	resume := deal.State{
		DealID: dealID, PartnerID: partnerID, Status: domain.StatusApproved, Seq: 7,
		Registration: testInput().Registration, ProgramID: programID, Policy: domain.DefaultPolicy(),
		RequiredApprovals: 1, ExpiresAt: start.Add(10 * day), ExpiryReminders: []int{14},
	}
	in := testInput()
	in.Resume = &resume
	final := h.run(in)
	h.wantEvents("expiry_reminder:approved expired:expired")
	if final.Status != domain.StatusExpired || final.Seq != 9 {
		t.Fatalf("final = %s seq %d", final.Status, final.Seq)
	}
	if got := h.rec.at(t, "expired", 0); got != 10*day {
		t.Fatalf("expired at %v", got)
	}
}
