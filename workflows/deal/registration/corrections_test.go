package registration

import (
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/deal"
	"go.temporal.io/sdk/workflow"
)

// won closes the harness's deal won for 1,300,000 at 10 days (approved at
// 1h) and returns the offset of the win.
func (h *harness) won() time.Duration {
	h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor})
	h.do(10*day, deal.UpdateCloseWon, deal.CloseWon{Actor: partnerActor, Amount: 1300000, Currency: "USD",
		ProductLines: []string{"firewall"}, CloseDate: "2026-11-12"})
	return 10 * day
}

// A partner's upward correction of its won amount waits for review: the
// won amount (what incentives pay on) stays until a channel manager or
// finance approves it; meanwhile no other correction is taken, and only a
// reviewer may decide. The approval is the correction's event, by the
// approver, naming who asked.
func TestPartnerUpwardCorrectionApproved(t *testing.T) {
	h := newHarness(t, scenario{})
	at := h.won()
	asked := h.do(at+day, deal.UpdateCorrectOutcome, deal.OutcomeCorrection{Actor: partnerActor, Amount: 1500000, Reason: "two more seats invoiced"})
	second := h.do(at+day+time.Hour, deal.UpdateCorrectOutcome, deal.OutcomeCorrection{Actor: partnerActor, Amount: 1600000, Reason: "and one more"})
	byFinance := h.do(at+day+2*time.Hour, deal.UpdateCorrectOutcome, deal.OutcomeCorrection{Actor: financeActor, Amount: 1000, Reason: "meanwhile"})
	selfApproved := h.do(at+day+3*time.Hour, deal.UpdateDecideCorrection, deal.CorrectionDecision{Actor: partnerActor, Approve: true})
	approved := h.do(at+day+4*time.Hour, deal.UpdateDecideCorrection, deal.CorrectionDecision{Actor: managerActor, Approve: true, Reason: "invoice seen"})
	twice := h.do(at+day+5*time.Hour, deal.UpdateDecideCorrection, deal.CorrectionDecision{Actor: financeActor, Approve: true})
	final := h.run(testInput())
	mustOK(t, "upward correction", asked)
	if s := asked.state; s.Outcome.Amount != 1300000 || s.Correction == nil || s.Correction.Amount != 1500000 {
		t.Fatalf("after the request: outcome %+v, correction %+v", s.Outcome, s.Correction)
	}
	mustRefuse(t, "a second correction while one awaits review", second, workflows.ErrTypeInvalidTransition)
	mustRefuse(t, "finance corrects while one awaits review", byFinance, workflows.ErrTypeInvalidTransition)
	mustRefuse(t, "the partner decides its own correction", selfApproved, workflows.ErrTypeForbidden)
	mustOK(t, "approve", approved)
	mustRefuse(t, "nothing left to decide", twice, workflows.ErrTypeInvalidTransition)
	h.wantEvents(intake + " approved:approved closed_won:closed_won correction_requested:closed_won outcome_corrected:closed_won")

	req := h.rec.last("correction_requested")
	if req.Actor != partnerActor || req.Reason != "two more seats invoiced" {
		t.Fatalf("request event = %+v", req)
	}
	if s := req.Snapshot; s.Outcome.Amount != 1300000 || s.CorrectionAmount == nil || *s.CorrectionAmount != 1500000 ||
		s.SLADueAt.Sub(h.rec.start) != at+day+48*time.Hour {
		t.Fatalf("request snapshot: outcome %+v, correction %v, due %v", s.Outcome, s.CorrectionAmount, s.SLADueAt)
	}
	if n := req.Notify; len(n) != 2 || n[0].Audience != audienceManagers || n[1].Audience != "role:finance" || n[0].Kind != "correction_review_needed" {
		t.Fatalf("request notifies %+v", n)
	}
	ok := h.rec.last("outcome_corrected")
	if ok.Actor != managerActor || ok.Reason != "invoice seen" || ok.Snapshot.Outcome.Amount != 1500000 || ok.Snapshot.CorrectionAmount != nil ||
		!ok.Snapshot.SLADueAt.IsZero() {
		t.Fatalf("approval event = %+v snapshot %+v", ok, ok.Snapshot)
	}
	for _, want := range []string{`"previous_amount":1300000`, `"amount":1500000`, `"requested_by"`, partnerActor.ID, `"request_reason":"two more seats invoiced"`} {
		if !strings.Contains(string(ok.Payload), want) {
			t.Fatalf("approval payload %s lacks %s", ok.Payload, want)
		}
	}
	if final.Outcome.Amount != 1500000 || final.Correction != nil {
		t.Fatalf("final outcome %+v, correction %+v", final.Outcome, final.Correction)
	}
}

// A denial needs a reason, is recorded with it, and leaves the won amount.
func TestPartnerUpwardCorrectionDenied(t *testing.T) {
	h := newHarness(t, scenario{})
	at := h.won()
	h.do(at+day, deal.UpdateCorrectOutcome, deal.OutcomeCorrection{Actor: partnerActor, Amount: 1_000_000_000_000_000, Reason: "typo"})
	noReason := h.do(at+day+time.Hour, deal.UpdateDecideCorrection, deal.CorrectionDecision{Actor: financeActor, Approve: false})
	denied := h.do(at+day+2*time.Hour, deal.UpdateDecideCorrection, deal.CorrectionDecision{Actor: financeActor, Approve: false, Reason: "no invoice for this"})
	final := h.run(testInput())
	mustRefuse(t, "denial without a reason", noReason, workflows.ErrTypeInvalidArgument)
	mustOK(t, "deny", denied)
	h.wantEvents(intake + " approved:approved closed_won:closed_won correction_requested:closed_won correction_denied:closed_won")
	d := h.rec.last("correction_denied")
	if d.Actor != financeActor || d.Reason != "no invoice for this" || d.Snapshot.Outcome.Amount != 1300000 || d.Snapshot.CorrectionAmount != nil {
		t.Fatalf("denial = %+v snapshot %+v", d, d.Snapshot)
	}
	if n := d.Notify; len(n) != 1 || n[0].Audience != "partner:"+partnerID {
		t.Fatalf("denial notifies %+v", n)
	}
	if final.Outcome.Amount != 1300000 || final.Correction != nil {
		t.Fatalf("final outcome %+v", final.Outcome)
	}
}

// A correction nobody decides is reminded at the program's reminder_at and
// escalated at review_within (escalation contact notified), like a review;
// a late decision still works, even after the correction window closed.
func TestPartnerCorrectionSLA(t *testing.T) {
	p := domain.DefaultPolicy()
	p.SLA.EscalationContact = "escalations@vendor.example"
	p.CorrectionWindowDays = 30
	h := newHarness(t, scenario{policy: p})
	at := h.won()
	asked := at + 29*day + 12*time.Hour
	h.do(asked, deal.UpdateCorrectOutcome, deal.OutcomeCorrection{Actor: partnerActor, Amount: 1400000, Reason: "late invoice"})
	late := h.do(asked+5*day, deal.UpdateDecideCorrection, deal.CorrectionDecision{Actor: managerActor, Approve: true})
	final := h.run(testInput())
	mustOK(t, "late approval", late)
	h.wantEvents(intake + " approved:approved closed_won:closed_won correction_requested:closed_won" +
		" correction_reminder:closed_won correction_escalated:closed_won outcome_corrected:closed_won")
	if got := h.rec.at(t, "correction_reminder", 0); got != asked+24*time.Hour {
		t.Fatalf("reminder at %v, want %v", got, asked+24*time.Hour)
	}
	if got := h.rec.at(t, "correction_escalated", 0); got != asked+48*time.Hour {
		t.Fatalf("escalation at %v, want %v", got, asked+48*time.Hour)
	}
	esc := h.rec.last("correction_escalated")
	if !esc.Snapshot.Escalated || esc.Actor != domain.SystemActor || len(esc.Notify) != 3 || esc.Notify[2].Audience != "email:escalations@vendor.example" {
		t.Fatalf("escalation = %+v, notify %+v", esc.Snapshot, esc.Notify)
	}
	if r := h.rec.last("correction_reminder"); len(r.Notify) != 2 || r.Notify[0].Kind != "correction_sla_reminder" {
		t.Fatalf("reminder notifies %+v", r.Notify)
	}
	if final.Outcome.Amount != 1400000 || !final.CorrectionsClosed {
		t.Fatalf("final = %+v", final)
	}
}

// A partner's downward correction or reversal applies at once, as does any
// correction by finance (up or down): only a partner raising its own won
// amount waits for review.
func TestCorrectionsThatApplyAtOnce(t *testing.T) {
	h := newHarness(t, scenario{})
	at := h.won()
	down := h.do(at+day, deal.UpdateCorrectOutcome, deal.OutcomeCorrection{Actor: partnerActor, Amount: 1100000, Reason: "discount"})
	up := h.do(at+2*day, deal.UpdateCorrectOutcome, deal.OutcomeCorrection{Actor: financeActor, Amount: 1700000, Reason: "credit note reversed"})
	rev := h.do(at+3*day, deal.UpdateCorrectOutcome, deal.OutcomeCorrection{Actor: partnerActor, Amount: 0, Reason: "refunded"})
	final := h.run(testInput())
	mustOK(t, "partner down", down)
	mustOK(t, "finance up", up)
	mustOK(t, "partner reverses", rev)
	h.wantEvents(intake + " approved:approved closed_won:closed_won outcome_corrected:closed_won outcome_corrected:closed_won outcome_reversed:closed_won")
	if down.state.Outcome.Amount != 1100000 || up.state.Outcome.Amount != 1700000 || final.Outcome.Amount != 0 {
		t.Fatalf("amounts: %d %d %d", down.state.Outcome.Amount, up.state.Outcome.Amount, final.Outcome.Amount)
	}
}

// A close date cannot precede the registration's submission (a day's grace
// for time zones): the workflow, which knows when the deal was submitted,
// refuses it naming close_date, and nothing is recorded.
func TestCloseDateBeforeSubmission(t *testing.T) {
	// The harness starts (submits) on 2026-11-02.
	for _, c := range []struct {
		name, update string
		arg          any
	}{
		{"won", deal.UpdateCloseWon, deal.CloseWon{Actor: partnerActor, Amount: 1, Currency: "USD", ProductLines: []string{"x"}, CloseDate: "2026-10-31"}},
		{"won long ago", deal.UpdateCloseWon, deal.CloseWon{Actor: partnerActor, Amount: 1, Currency: "USD", ProductLines: []string{"x"}, CloseDate: "0001-01-01"}},
		{"lost", deal.UpdateCloseLost, deal.CloseLost{Actor: partnerActor, CloseDate: "2026-10-31"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, scenario{})
			h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor})
			early := h.do(2*time.Hour, c.update, c.arg)
			h.do(3*time.Hour, deal.UpdateWithdraw, deal.Decision{Actor: partnerActor})
			h.run(testInput())
			mustRefuse(t, "close date before submission", early, workflows.ErrTypeInvalidArgument)
			if msg := early.refusal().Error(); !strings.Contains(msg, "close_date") || !strings.Contains(msg, "2026-11-02") {
				t.Fatalf("refusal %q does not name close_date and the submission day", msg)
			}
			if f, ok := workflows.RefusedField(early.refusal()); !ok || f.Field != "close_date" {
				t.Fatalf("refusal field = %+v, %v", f, ok)
			}
			h.wantEvents(intake + " approved:approved withdrawn:withdrawn")
		})
	}
	h := newHarness(t, scenario{})
	h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor})
	graced := h.do(2*time.Hour, deal.UpdateCloseLost, deal.CloseLost{Actor: partnerActor, CloseDate: "2026-11-01"})
	h.run(testInput())
	mustOK(t, "the day before submission (time zones)", graced)
}

// Runs that began before these rules (GetVersion answers DefaultVersion, as
// it does when their histories replay) keep the rules they began under: a
// material edit leaves approvals, and a partner's raise applies at once.
func TestRunsBeforeTheRulesKeepThem(t *testing.T) {
	h := newHarness(t, scenario{})
	for _, id := range []string{versionEditsClearApprovals, versionCorrectionReview} {
		h.env.OnGetVersion(id, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	}
	in := testInput()
	in.Registration.Amount = 250_000_00
	bigger := in.Registration.Amount * 5000
	h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor})
	h.do(2*time.Hour, deal.UpdateRequestInfo, deal.InfoRequest{Actor: manager2, Question: "?"})
	h.do(3*time.Hour, deal.UpdateAnswerInfo, deal.InfoAnswer{Actor: partnerActor, Answer: "a", Changes: &deal.RegistrationChanges{Amount: &bigger}})
	second := h.do(4*time.Hour, deal.UpdateApprove, deal.Decision{Actor: manager2})
	h.do(10*day, deal.UpdateCloseWon, deal.CloseWon{Actor: partnerActor, Amount: 1300000, Currency: "USD", ProductLines: []string{"x"}, CloseDate: "2026-11-12"})
	raised := h.do(11*day, deal.UpdateCorrectOutcome, deal.OutcomeCorrection{Actor: partnerActor, Amount: 1500000, Reason: "more"})
	h.run(in)
	mustOK(t, "second approval", second)
	mustOK(t, "raise", raised)
	if second.state.Status != domain.StatusApproved || raised.state.Outcome.Amount != 1500000 || raised.state.Correction != nil {
		t.Fatalf("old rules not kept: %s, outcome %+v", second.state.Status, raised.state.Outcome)
	}
	if strings.Contains(h.rec.types(), "approvals_cleared") || strings.Contains(h.rec.types(), "correction_requested") {
		t.Fatalf("events = %s", h.rec.types())
	}
}
