package workflows

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/domain"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

// refusedForGood is what the activities answer when PostgreSQL refuses the
// data of a step in a way no retry can fix (activities.Classify).
func refusedForGood() error {
	return temporal.NewNonRetryableApplicationError("PostgreSQL refused the data (SQLSTATE 22021)", activities.ErrTypeInvalidData, nil)
}

// A review step whose event PostgreSQL refuses for good (a NUL in its
// reason, say) is refused to its caller as invalid (422), records nothing
// and releases the cycle's lock: the same finance user can adjust again,
// hold, and another approves; the cycle pays (finding 1 of issue 12: the
// cycle stayed blocked and every later step waited and answered 503).
func TestCycleStaysUsableAfterAStepItCannotStore(t *testing.T) {
	h := newCycleHarness(t)
	h.db.refuse = func(e activities.CycleEvent) error {
		if strings.ContainsRune(e.Reason, 0) {
			return refusedForGood()
		}
		return nil
	}
	bad := h.do(time.Hour, UpdateCycleAdjust, LineAdjustment{Actor: financeActor, LineID: lineOfA, Amount: 1, Reason: "x\x00"})
	adjust := h.do(2*time.Hour, UpdateCycleAdjust, LineAdjustment{Actor: financeActor, LineID: lineOfA, Amount: 900, Reason: "returned units"})
	badHold := h.do(3*time.Hour, UpdateCycleHold, PartnerHold{Actor: finance2, PartnerID: partnerB, Reason: "\x00"})
	hold := h.do(4*time.Hour, UpdateCycleHold, PartnerHold{Actor: finance2, PartnerID: partnerB, Reason: "W-9 missing"})
	badApprove := h.do(5*time.Hour, UpdateCycleApprove, CycleApproval{Actor: finance2, Reason: "ok\x00"})
	approve := h.do(6*time.Hour, UpdateCycleApprove, CycleApproval{Actor: finance2, Reason: "checked"})
	release := h.do(7*time.Hour, UpdateCycleRelease, PartnerHold{Actor: finance2, PartnerID: partnerB, Reason: "W-9 received"})
	st := h.run()
	for name, o := range map[string]*outcome{"bad adjust": bad, "bad hold": badHold, "bad approve": badApprove} {
		if !o.done || appErrType(o.refusal()) != ErrTypeInvalidArgument {
			t.Errorf("%s: done=%v, refused with %q (%v), want %s", name, o.done, appErrType(o.refusal()), o.refusal(), ErrTypeInvalidArgument)
		}
	}
	for name, o := range map[string]*outcome{"adjust": adjust, "hold": hold, "approve": approve, "release": release} {
		if !o.done || o.refusal() != nil {
			t.Errorf("%s: done=%v %v", name, o.done, o.refusal())
		}
	}
	if got, want := h.db.eventTypes(), "1:adjusted 2:held 3:approved 4:released"; got != want {
		t.Errorf("events %q, want %q", got, want)
	}
	if st.Stage != CycleStagePaid || st.Paid != 2 {
		t.Errorf("state %+v", st)
	}
}

// A deal's step whose event PostgreSQL refuses for good is refused to its
// caller as invalid, changes nothing (the state is committed only once the
// event is stored), and the deal takes its next steps as before.
func TestDealStaysUsableAfterAStepItCannotStore(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	rec := &recorder{}
	env.OnActivity(acts.RecordSubmission, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(acts.Screen, mock.Anything, mock.Anything).Return(activities.ScreenResult{Policy: domain.DefaultPolicy(),
		Facts: domain.ScreeningFacts{PartnerType: domain.PartnerReseller, Kind: domain.KindResale}}, nil)
	env.OnActivity(acts.RecordEvent, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e activities.Event) error {
			if strings.ContainsRune(e.Reason, 0) {
				return refusedForGood()
			}
			rec.add(e)
			return nil
		})
	h := &harness{env: env, rec: rec, t: t}
	bad := h.do(time.Minute, UpdateRequestInfo, InfoRequest{Actor: managerActor, Question: "which\x00 firewall?"})
	ask := h.do(2*time.Minute, UpdateRequestInfo, InfoRequest{Actor: managerActor, Question: "which firewall?"})
	h.do(3*time.Minute, UpdateAnswerInfo, InfoAnswer{Actor: partnerActor, Answer: "the big one"})
	reject := h.do(4*time.Minute, UpdateReject, Decision{Actor: managerActor, Reason: "no budget"})
	final := h.run(testInput())
	mustRefuse(t, "step with a NUL", bad, ErrTypeInvalidArgument)
	mustOK(t, "request info", ask)
	mustOK(t, "reject", reject)
	h.wantEvents("screening_started:screening review_requested:pending_approval info_requested:info_requested " +
		"info_answered:pending_approval rejected:rejected")
	if final.Status != domain.StatusRejected || final.Seq != 6 {
		t.Fatalf("final %s seq %d", final.Status, final.Seq)
	}
}
