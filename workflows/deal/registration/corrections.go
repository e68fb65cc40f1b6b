package registration

import (
	"fmt"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/deal"
	"go.temporal.io/sdk/workflow"
)

// Corrections of a closed-won outcome. Finance (or an admin) corrects at
// once, up or down; the deal's partner lowers or reverses its won amount at
// once, but raising it — more for incentives to pay on — waits for a
// channel manager's or finance's decision (decide-correction), under the
// program's review SLA. One correction awaits review at a time; until it is
// decided every other correction is refused (409), and the won amount the
// incentives read stays as it was.

func (w *dealWorkflow) validateCorrection(c deal.OutcomeCorrection) error {
	if err := workflows.ReasonOK(c.Reason, true); err != nil {
		return err
	}
	switch c.Actor.Role {
	case domain.RoleFinance, domain.RoleAdmin:
	default:
		if err := w.owner(c.Actor); err != nil {
			return workflows.Refuse(workflows.ErrTypeForbidden, "only the deal's partner or finance may correct its outcome")
		}
	}
	switch {
	case w.st.Status != domain.StatusClosedWon || w.st.Outcome == nil:
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, fmt.Sprintf("only a closed-won deal can be corrected; this one is %s", w.st.Status))
	case w.st.Correction != nil:
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, fmt.Sprintf(
			"a correction to %d awaits a channel manager's or finance's decision; no other correction is taken until it is decided",
			w.st.Correction.Amount))
	case w.st.CorrectionsClosed:
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "the correction window has closed")
	case c.Amount < 0 || c.Amount > domain.MaxAmount:
		return workflows.Refuse(workflows.ErrTypeInvalidArgument, "amount must be 0 (a reversal) or positive")
	case c.Amount == w.st.Outcome.Amount:
		return workflows.Refuse(workflows.ErrTypeInvalidArgument, "the amount is unchanged")
	}
	return nil
}

// correctOutcome records a correction of the won amount as a new event; a
// zero amount reverses the win. The earlier figures stay in the history. A
// partner's upward correction is only requested: it waits for review.
func (w *dealWorkflow) correctOutcome(ctx workflow.Context, c deal.OutcomeCorrection) error {
	previous := w.st.Outcome.Amount
	payload := map[string]any{"previous_amount": previous, "amount": c.Amount, "currency": w.st.Outcome.Currency}
	if c.Actor.Role.IsPartner() && c.Amount > previous && w.has(ctx, versionCorrectionReview) {
		return w.record(ctx, "correction_requested", domain.StatusClosedWon, c.Actor, c.Reason, payload, func(s *deal.State) {
			s.Correction = &deal.CorrectionRequest{Actor: c.Actor, Amount: c.Amount, PreviousAmount: previous,
				Reason: c.Reason, At: workflow.Now(ctx), Seq: s.Seq}
		})
	}
	typ := "outcome_corrected"
	if c.Amount == 0 {
		typ = "outcome_reversed"
	}
	return w.record(ctx, typ, domain.StatusClosedWon, c.Actor, c.Reason, payload, func(s *deal.State) {
		o := *s.Outcome
		o.Amount = c.Amount
		s.Outcome = &o
	})
}

// validateCorrectionDecision: a channel manager, finance or an admin, a
// correction awaiting review, and a reason to deny it.
func (w *dealWorkflow) validateCorrectionDecision(d deal.CorrectionDecision) error {
	switch d.Actor.Role {
	case domain.RoleChannelManager, domain.RoleFinance, domain.RoleAdmin:
	default:
		return workflows.Refuse(workflows.ErrTypeForbidden, "only a channel manager or finance may decide a correction")
	}
	if err := workflows.ReasonOK(d.Reason, !d.Approve); err != nil {
		return err
	}
	if w.st.Status != domain.StatusClosedWon || w.st.Correction == nil {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "no correction awaits a decision")
	}
	return nil
}

// decideCorrection applies the requested amount as the approver's
// outcome_corrected event (which incentive cycles read like any
// correction), or records the denial; either way nothing awaits review any
// more.
func (w *dealWorkflow) decideCorrection(ctx workflow.Context, d deal.CorrectionDecision) error {
	r := *w.st.Correction
	payload := map[string]any{"previous_amount": r.PreviousAmount, "amount": r.Amount, "currency": w.st.Outcome.Currency,
		"requested_by": r.Actor, "requested_at": r.At, "request_reason": r.Reason, "request_seq": r.Seq}
	if !d.Approve {
		return w.record(ctx, "correction_denied", domain.StatusClosedWon, d.Actor, d.Reason, payload,
			func(s *deal.State) { s.Correction = nil })
	}
	return w.record(ctx, "outcome_corrected", domain.StatusClosedWon, d.Actor, d.Reason, payload, func(s *deal.State) {
		o := *s.Outcome
		o.Amount = r.Amount
		s.Outcome, s.Correction = &o, nil
	})
}

// correctionTimers remind reviewers of a correction awaiting a decision at
// the program's sla.reminder_at and escalate it at sla.review_within (the
// escalation contact is told too), counted from the request. Nothing is
// decided by the clock: a raise of what incentives pay needs a person.
func (w *dealWorkflow) correctionTimers() []timer {
	r, sla := w.st.Correction, w.st.Policy.SLA
	if r == nil {
		return nil
	}
	var out []timer
	if sla.ReminderAt > 0 && !r.ReminderSent && !r.Escalated {
		out = append(out, timer{"correction-reminder", r.At.Add(sla.ReminderAt.D()), func(ctx workflow.Context) error {
			reason := fmt.Sprintf("the correction to %d awaits a decision; due within %s, %s left",
				r.Amount, sla.ReviewWithin.D(), sla.ReviewWithin.D()-sla.ReminderAt.D())
			return w.record(ctx, "correction_reminder", domain.StatusClosedWon, domain.SystemActor, reason, nil,
				func(n *deal.State) { n.Correction.ReminderSent = true })
		}})
	}
	if !r.Escalated {
		out = append(out, timer{"correction-escalation", r.At.Add(sla.ReviewWithin.D()), func(ctx workflow.Context) error {
			reason := fmt.Sprintf("the correction to %d was not decided within the %s SLA", r.Amount, sla.ReviewWithin.D())
			return w.record(ctx, "correction_escalated", domain.StatusClosedWon, domain.SystemActor, reason,
				map[string]any{"escalation_contact": sla.EscalationContact},
				func(n *deal.State) { n.Correction.Escalated, n.Correction.ReminderSent = true, true })
		}})
	}
	return out
}
