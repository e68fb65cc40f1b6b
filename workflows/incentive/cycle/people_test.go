package cycle

import (
	"testing"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/incentive"
)

// Finance people: Fin holds two finance tokens (two users, one person);
// Fay and Flo are two others; a service user holds a finance token.
var (
	finOne = domain.Actor{ID: "66666666-6666-6666-6666-666666666666", Name: "Fin", Role: domain.RoleFinance,
		PersonID: "9f000000-0000-4000-8000-000000000001"}
	finTwo = domain.Actor{ID: "66666666-6666-6666-6666-000000000002", Name: "Fin", Role: domain.RoleFinance,
		PersonID: "9f000000-0000-4000-8000-000000000001"}
	fay = domain.Actor{ID: "77777777-7777-7777-7777-777777777777", Name: "Fay Finance", Role: domain.RoleFinance,
		PersonID: "9f000000-0000-4000-8000-000000000002"}
	flo = domain.Actor{ID: "77777777-7777-7777-7777-000000000003", Name: "Flo Finance", Role: domain.RoleFinance,
		PersonID: "9f000000-0000-4000-8000-000000000003"}
	financeService = domain.Actor{ID: "99999999-9999-9999-9999-000000000004", Name: "erp", Role: domain.RoleFinance, Service: true}
)

// At or above the program's threshold a cycle needs two approvals by two
// different finance people: one person's second token does not count.
func TestCycleAtThresholdNeedsTwoFinancePeople(t *testing.T) {
	h := newCycleHarnessAt(t, 1500) // the cycle pays 1500: at the threshold
	first := h.do(time.Hour, incentive.UpdateCycleApprove, incentive.CycleApproval{Actor: finOne, Reason: "checked"})
	sameTwice := h.do(2*time.Hour, incentive.UpdateCycleApprove, incentive.CycleApproval{Actor: finOne})
	sameOtherToken := h.do(3*time.Hour, incentive.UpdateCycleApprove, incentive.CycleApproval{Actor: finTwo})
	byService := h.do(4*time.Hour, incentive.UpdateCycleApprove, incentive.CycleApproval{Actor: financeService})
	var paidBeforeSecond int
	h.env.RegisterDelayedCallback(func() {
		h.db.mu.Lock()
		paidBeforeSecond = len(h.db.paid)
		h.db.mu.Unlock()
	}, 5*time.Hour)
	second := h.do(6*time.Hour, incentive.UpdateCycleApprove, incentive.CycleApproval{Actor: fay, Reason: "agreed"})
	st := h.run()

	if first.refusal() != nil || second.refusal() != nil {
		t.Fatalf("first %v, second %v", first.refusal(), second.refusal())
	}
	for name, o := range map[string]*outcome{"same token twice": sameTwice, "same person, other token": sameOtherToken} {
		if got := appErrType(o.refusal()); got != workflows.ErrTypeFourEyes || o.rejected == nil {
			t.Errorf("%s: %q (%v), want four-eyes from the validator", name, got, o.refusal())
		}
	}
	if got := appErrType(byService.refusal()); got != workflows.ErrTypeForbidden {
		t.Errorf("service user: %q", got)
	}
	if paidBeforeSecond != 0 {
		t.Errorf("%d partner(s) paid after one approval of two", paidBeforeSecond)
	}
	if got, want := h.db.eventTypes(), "1:approval_recorded 2:approved"; got != want {
		t.Errorf("events %q, want %q", got, want)
	}
	if st.Payout != 1500 || st.SecondApprovalAt != 1500 || st.RequiredApprovals != 2 || len(st.Approvals) != 2 ||
		st.ApprovedBy == nil || st.ApprovedBy.PersonID != fay.PersonID || st.Paid != 2 {
		t.Errorf("state %+v", st)
	}
}

// Below the threshold one finance person's approval pays.
func TestCycleBelowThresholdOneApprovalPays(t *testing.T) {
	h := newCycleHarnessAt(t, 1501)
	approve := h.do(time.Hour, incentive.UpdateCycleApprove, incentive.CycleApproval{Actor: finOne})
	st := h.run()
	if approve.refusal() != nil {
		t.Fatal(approve.refusal())
	}
	if got, want := h.db.eventTypes(), "1:approved"; got != want {
		t.Errorf("events %q, want %q", got, want)
	}
	if st.RequiredApprovals != 1 || st.Payout != 1500 || st.Stage != incentive.CycleStagePaid || st.Paid != 2 {
		t.Errorf("state %+v", st)
	}
}

// Whoever adjusted a line never approves the cycle, with any of their
// tokens; an adjustment voids the approvals given before it (recorded as
// an event), and the payout it leaves decides how many are needed.
func TestCycleAdjusterNeverApproves(t *testing.T) {
	h := newCycleHarnessAt(t, 1400) // 1500: two approvals
	fayFirst := h.do(time.Hour, incentive.UpdateCycleApprove, incentive.CycleApproval{Actor: fay})
	raise := h.do(2*time.Hour, incentive.UpdateCycleAdjust, incentive.LineAdjustment{Actor: finOne, LineID: lineOfA, Amount: 1200, Reason: "late invoice"})
	adjusterOtherToken := h.do(3*time.Hour, incentive.UpdateCycleApprove, incentive.CycleApproval{Actor: finTwo})
	fayAgain := h.do(4*time.Hour, incentive.UpdateCycleApprove, incentive.CycleApproval{Actor: fay})
	floSecond := h.do(5*time.Hour, incentive.UpdateCycleApprove, incentive.CycleApproval{Actor: flo})
	st := h.run()

	for name, o := range map[string]*outcome{"fay first": fayFirst, "raise": raise, "fay again": fayAgain, "flo": floSecond} {
		if o.refusal() != nil {
			t.Errorf("%s: %v", name, o.refusal())
		}
	}
	if got := appErrType(adjusterOtherToken.refusal()); got != workflows.ErrTypeFourEyes || adjusterOtherToken.rejected == nil {
		t.Errorf("adjuster's other token: %q (%v), want four-eyes from the validator", got, adjusterOtherToken.refusal())
	}
	if got, want := h.db.eventTypes(), "1:approval_recorded 2:adjusted 3:approvals_cleared 4:approval_recorded 5:approved"; got != want {
		t.Errorf("events %q, want %q", got, want)
	}
	if st.Payout != 1700 || st.RequiredApprovals != 2 || len(st.Approvals) != 2 || st.Approvals[0].Actor.ID != fay.ID ||
		st.ApprovedBy == nil || st.ApprovedBy.ID != flo.ID || len(st.AdjusterPeople) != 1 {
		t.Errorf("state %+v", st)
	}
}

// An adjustment that takes the payout below the threshold leaves one
// approval to give.
func TestCycleAdjustmentBelowThresholdNeedsOne(t *testing.T) {
	h := newCycleHarnessAt(t, 1400)
	cut := h.do(time.Hour, incentive.UpdateCycleAdjust, incentive.LineAdjustment{Actor: finOne, LineID: lineOfA, Amount: 800, Reason: "returned units"})
	approve := h.do(2*time.Hour, incentive.UpdateCycleApprove, incentive.CycleApproval{Actor: fay})
	st := h.run()
	if cut.refusal() != nil || approve.refusal() != nil {
		t.Fatalf("cut %v, approve %v", cut.refusal(), approve.refusal())
	}
	if got, want := h.db.eventTypes(), "1:adjusted 2:approved"; got != want {
		t.Errorf("events %q, want %q", got, want)
	}
	if st.Payout != 1300 || st.RequiredApprovals != 1 || st.Stage != incentive.CycleStagePaid {
		t.Errorf("state %+v", st)
	}
}
