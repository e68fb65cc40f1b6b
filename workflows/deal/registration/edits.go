package registration

import (
	"fmt"
	"strings"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/deal"
	"go.temporal.io/sdk/workflow"
)

// answer returns the deal to review with the partner's answer and edits;
// the SLA clock resumes where it paused. An edit of the figures approvals
// were given on (domain.MaterialChanges) clears those approvals and
// records an event saying why; what is required is recomputed from the new
// figures.
func (w *dealWorkflow) answer(ctx workflow.Context, a deal.InfoAnswer) error {
	payload := map[string]any{"question": w.st.InfoQuestion, "answer": a.Answer}
	edited := w.st.Registration
	if a.Changes != nil {
		payload["changes"] = a.Changes
		edited = applyChanges(a.Changes, w.st.Registration)
	}
	changes := domain.MaterialChanges(w.st.Registration, edited)
	cleared := w.st.Approvals
	clear := len(changes) > 0 && len(cleared) > 0 && w.has(ctx, versionEditsClearApprovals)
	previousRequired := w.st.RequiredApprovals
	err := w.record(ctx, "info_answered", domain.StatusPendingApproval, a.Actor, a.Answer, payload, func(s *deal.State) {
		s.InfoQuestion = ""
		if a.Changes != nil {
			s.Registration = edited
			s.RequiredApprovals = s.Policy.RequiredApprovals(edited.Amount, edited.Currency)
		}
		if clear {
			s.Approvals = nil
		}
	})
	if err != nil || !clear {
		return err
	}
	return w.record(ctx, "approvals_cleared", domain.StatusPendingApproval, domain.SystemActor,
		clearedReason(changes, cleared, w.st.RequiredApprovals),
		map[string]any{"changes": changes, "cleared": cleared, "previous_required_approvals": previousRequired,
			"required_approvals": w.st.RequiredApprovals, "changed_by": a.Actor}, nil)
}

// applyChanges returns r with the changes c applied (a nil field keeps r's).
func applyChanges(c *deal.RegistrationChanges, r domain.Registration) domain.Registration {
	r.ProductLines = append([]string(nil), r.ProductLines...)
	if c.Contact != nil {
		r.Contact = *c.Contact
	}
	if c.ProductLines != nil {
		r.ProductLines = append([]string(nil), c.ProductLines...)
	}
	if c.Amount != nil {
		r.Amount = *c.Amount
	}
	if c.Currency != nil {
		r.Currency = *c.Currency
	}
	if c.ExpectedCloseDate != nil {
		r.ExpectedCloseDate = *c.ExpectedCloseDate
	}
	if c.Notes != nil {
		r.Notes = *c.Notes
	}
	return r
}

// clearedReason says what changed, whose approvals no longer count and
// what is required now: "the partner changed amount 25000000 →
// 125000000000; the approval by Morgan Manager was given on the old
// figures and no longer counts; 2 approvals are required".
func clearedReason(changes []domain.MaterialChange, cleared []deal.Approval, required int) string {
	what := make([]string, len(changes))
	for i, c := range changes {
		what[i] = c.String()
	}
	who := make([]string, len(cleared))
	for i, a := range cleared {
		who[i] = a.Actor.Name
	}
	whose := "the approval by " + strings.Join(who, " and ") + " was given on the old figures and no longer counts"
	if len(cleared) > 1 {
		whose = "the approvals by " + strings.Join(who, " and ") + " were given on the old figures and no longer count"
	}
	needed := "1 approval is required"
	if required != 1 {
		needed = fmt.Sprintf("%d approvals are required", required)
	}
	return fmt.Sprintf("the partner changed %s; %s; %s", strings.Join(what, ", "), whose, needed)
}
