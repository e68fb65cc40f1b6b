package registration

import (
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/deal"
)

// The review's scenario (issue 12, finding 5): manager 1 approves a deal
// that needs two approvals, manager 2 asks a question, the partner answers
// and multiplies the amount by 5000. Manager 1's approval was given on the
// old figures, so it no longer counts: manager 2's approval is the first of
// two, and manager 1 must look again.
func TestMaterialEditClearsApprovals(t *testing.T) {
	h := newHarness(t, scenario{})
	in := testInput()
	in.Registration.Amount = 250_000_00
	bigger := in.Registration.Amount * 5000
	first := h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor, Reason: "looks fine"})
	asked := h.do(2*time.Hour, deal.UpdateRequestInfo, deal.InfoRequest{Actor: manager2, Question: "How many seats?"})
	answered := h.do(3*time.Hour, deal.UpdateAnswerInfo, deal.InfoAnswer{Actor: partnerActor, Answer: "many more",
		Changes: &deal.RegistrationChanges{Amount: &bigger}})
	second := h.do(4*time.Hour, deal.UpdateApprove, deal.Decision{Actor: manager2})
	again := h.do(5*time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor, Reason: "seen the new figures"})
	h.run(in)
	mustOK(t, "first approval", first)
	mustOK(t, "request info", asked)
	mustOK(t, "answer", answered)
	mustOK(t, "manager 2 approves", second)
	mustOK(t, "manager 1 approves again", again)
	if s := second.state; s.Status != domain.StatusPendingApproval || len(s.Approvals) != 1 || s.RequiredApprovals != 2 {
		t.Fatalf("after manager 2's approval: status %s, %d of %d approvals; want pending_approval, 1 of 2",
			s.Status, len(s.Approvals), s.RequiredApprovals)
	}
	if s := answered.state; len(s.Approvals) != 0 || s.RequiredApprovals != 2 {
		t.Fatalf("after the answer: %d of %d approvals, want 0 of 2", len(s.Approvals), s.RequiredApprovals)
	}
	if again.state.Status != domain.StatusApproved {
		t.Fatalf("after manager 1 approved the new figures: %s", again.state.Status)
	}
	if !strings.HasPrefix(h.rec.types(), intake+" approval_recorded:pending_approval info_requested:info_requested"+
		" info_answered:pending_approval approvals_cleared:pending_approval approval_recorded:pending_approval approved:approved") {
		t.Fatalf("events = %s", h.rec.types())
	}
	cleared := h.rec.last("approvals_cleared")
	if cleared.Actor != domain.SystemActor || !strings.Contains(cleared.Reason, "amount 25000000 → 125000000000") ||
		!strings.Contains(cleared.Reason, "Morgan Manager") {
		t.Fatalf("approvals_cleared = %+v", cleared)
	}
	for _, want := range []string{`"field":"amount"`, `"from":25000000`, `"to":125000000000`, `"required_approvals":2`} {
		if !strings.Contains(string(cleared.Payload), want) {
			t.Fatalf("approvals_cleared payload %s lacks %s", cleared.Payload, want)
		}
	}
	if s := cleared.Snapshot; s.Approvals != 0 || s.RequiredApprovals != 2 || s.Registration.Amount != bigger {
		t.Fatalf("approvals_cleared snapshot = %+v", s)
	}
	if n := cleared.Notify; len(n) != 1 || n[0].Audience != audienceManagers || n[0].Kind != "approvals_cleared" {
		t.Fatalf("approvals_cleared notifies %+v", n)
	}
	if a := h.rec.last("info_answered").Snapshot; a.Approvals != 0 {
		t.Fatalf("the answer's snapshot still counts %d approvals", a.Approvals)
	}
}

// Currency and product lines are material too, and what is required is
// recomputed from the new figures (a smaller amount may need one approval
// only); contact, notes and the expected close date are not material, nor
// is the same set of product lines in another order.
func TestWhichEditsClearApprovals(t *testing.T) {
	small := int64(50_000_00)
	eur, usd := "EUR", "USD"
	cases := []struct {
		name     string
		changes  deal.RegistrationChanges
		cleared  string // what the reason names, "" when nothing is cleared
		required int
	}{
		{"currency", deal.RegistrationChanges{Currency: &eur}, "currency USD → EUR", 2},
		{"product lines", deal.RegistrationChanges{ProductLines: []string{"firewall", "vpn"}}, "product_lines firewall → firewall, vpn", 2},
		{"smaller amount", deal.RegistrationChanges{Amount: &small}, "amount 25000000 → 5000000", 1},
		{"notes and contact", deal.RegistrationChanges{Notes: ptr("more seats"), Contact: &domain.Contact{Name: "J", Email: "j@acme.com"}}, "", 2},
		{"same figures", deal.RegistrationChanges{Currency: &usd, ProductLines: []string{"firewall"}}, "", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, scenario{})
			in := testInput()
			in.Registration.Amount = 250_000_00
			h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor})
			h.do(2*time.Hour, deal.UpdateRequestInfo, deal.InfoRequest{Actor: manager2, Question: "?"})
			answered := h.do(3*time.Hour, deal.UpdateAnswerInfo, deal.InfoAnswer{Actor: partnerActor, Answer: "a", Changes: &c.changes})
			h.do(4*time.Hour, deal.UpdateWithdraw, deal.Decision{Actor: partnerActor})
			h.run(in)
			mustOK(t, "answer", answered)
			e := h.rec.last("approvals_cleared")
			switch {
			case c.cleared == "" && e.Type != "":
				t.Fatalf("approvals cleared by a non-material edit: %+v", e)
			case c.cleared == "" && len(answered.state.Approvals) != 1:
				t.Fatalf("approvals after a non-material edit: %d", len(answered.state.Approvals))
			case c.cleared != "" && !strings.Contains(e.Reason, c.cleared):
				t.Fatalf("approvals_cleared reason %q, want it to name %q", e.Reason, c.cleared)
			case c.cleared != "" && len(answered.state.Approvals) != 0:
				t.Fatalf("approvals after a material edit: %d", len(answered.state.Approvals))
			}
			if answered.state.RequiredApprovals != c.required {
				t.Fatalf("required approvals %d, want %d", answered.state.RequiredApprovals, c.required)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
