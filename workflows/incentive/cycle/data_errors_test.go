package cycle

import (
	"strings"
	"testing"
	"time"

	incentiveacts "github.com/dealflow/dealflow/activities/incentive"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/incentive"
	"go.temporal.io/sdk/temporal"
)

// refusedForGood is what the activities answer when PostgreSQL refuses the
// data of a step in a way no retry can fix (activities.Classify).
func refusedForGood() error {
	return temporal.NewNonRetryableApplicationError("PostgreSQL refused the data (SQLSTATE 22021)", workflows.ErrTypeInvalidData, nil)
}

// A review step whose event PostgreSQL refuses for good (a NUL in its
// reason, say) is refused to its caller as invalid (422), records nothing
// and releases the cycle's lock: the same finance user can adjust again,
// hold, and another approves; the cycle pays (finding 1 of issue 12: the
// cycle stayed blocked and every later step waited and answered 503).
func TestCycleStaysUsableAfterAStepItCannotStore(t *testing.T) {
	h := newCycleHarness(t)
	h.db.refuse = func(e incentiveacts.CycleEvent) error {
		if strings.ContainsRune(e.Reason, 0) {
			return refusedForGood()
		}
		return nil
	}
	bad := h.do(time.Hour, incentive.UpdateCycleAdjust, incentive.LineAdjustment{Actor: financeActor, LineID: lineOfA, Amount: 1, Reason: "x\x00"})
	adjust := h.do(2*time.Hour, incentive.UpdateCycleAdjust, incentive.LineAdjustment{Actor: financeActor, LineID: lineOfA, Amount: 900, Reason: "returned units"})
	badHold := h.do(3*time.Hour, incentive.UpdateCycleHold, incentive.PartnerHold{Actor: finance2, PartnerID: partnerB, Reason: "\x00"})
	hold := h.do(4*time.Hour, incentive.UpdateCycleHold, incentive.PartnerHold{Actor: finance2, PartnerID: partnerB, Reason: "W-9 missing"})
	badApprove := h.do(5*time.Hour, incentive.UpdateCycleApprove, incentive.CycleApproval{Actor: finance2, Reason: "ok\x00"})
	approve := h.do(6*time.Hour, incentive.UpdateCycleApprove, incentive.CycleApproval{Actor: finance2, Reason: "checked"})
	release := h.do(7*time.Hour, incentive.UpdateCycleRelease, incentive.PartnerHold{Actor: finance2, PartnerID: partnerB, Reason: "W-9 received"})
	st := h.run()
	for name, o := range map[string]*outcome{"bad adjust": bad, "bad hold": badHold, "bad approve": badApprove} {
		if !o.done || appErrType(o.refusal()) != workflows.ErrTypeInvalidArgument {
			t.Errorf("%s: done=%v, refused with %q (%v), want %s", name, o.done, appErrType(o.refusal()), o.refusal(), workflows.ErrTypeInvalidArgument)
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
	if st.Stage != incentive.CycleStagePaid || st.Paid != 2 {
		t.Errorf("state %+v", st)
	}
}
