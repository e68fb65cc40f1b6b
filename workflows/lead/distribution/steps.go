package distribution

import (
	"slices"
	"time"

	leadacts "github.com/dealflow/dealflow/activities/lead"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/lead"
	"go.temporal.io/sdk/workflow"
)

// registerSteps registers the partners' steps as Updates through
// workflows.RegisterStep: each is validated before it reaches history and
// again under the lock, against the state the previous step left — which
// is what makes a broadcast's first acceptance the only one.
func (w *leadWorkflow) registerSteps(ctx workflow.Context) error {
	steps := &workflows.Steps[lead.State]{Mu: w.mu, State: func() lead.State { return w.st }}
	if err := workflows.RegisterStep(ctx, steps, lead.UpdateAccept, w.validateAccept, w.accept); err != nil {
		return err
	}
	if err := workflows.RegisterStep(ctx, steps, lead.UpdateDecline, func(s lead.Step) error {
		return workflows.FirstErr(w.validateOffered(s.Actor), workflows.ReasonOK(s.Reason, true))
	}, w.decline); err != nil {
		return err
	}
	if err := workflows.RegisterStep(ctx, steps, lead.UpdateContacted, w.validateContacted, w.contacted); err != nil {
		return err
	}
	if !w.managed {
		return nil
	}
	return w.registerManagerSteps(ctx, steps)
}

// validateOffered: a partner user whose organization holds an open offer.
func (w *leadWorkflow) validateOffered(a domain.Actor) error {
	if !a.Role.IsPartner() {
		return workflows.Refuse(workflows.ErrTypeForbidden, "only a partner the lead is offered to may take this step")
	}
	if w.st.Status == lead.StatusAccepted || w.st.Status == lead.StatusWorking {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "the lead has been accepted already")
	}
	if w.st.Status != lead.StatusOffered || !slices.Contains(w.st.Offered, a.PartnerID) {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "the lead is not (or no longer) offered to your organization")
	}
	return nil
}

func (w *leadWorkflow) validateAccept(s lead.Step) error {
	return workflows.FirstErr(w.validateOffered(s.Actor), workflows.ReasonOK(s.Reason, false))
}

// accept records the acceptance (the other open offers of the round are
// lost), then turns the lead into a vendor-sourced registration through
// the deal context, and records the registration.
func (w *leadWorkflow) accept(ctx workflow.Context, s lead.Step) error {
	now := workflow.Now(ctx)
	partner := s.Actor.PartnerID
	round := w.st.Round
	if err := w.record(ctx, change{typ: "accepted", to: lead.StatusAccepted, actor: s.Actor, reason: s.Reason,
		closeRound: round, closePartner: partner, outcome: "accepted", apply: func(st *lead.State) {
			st.PartnerID = partner
			st.Offered = nil
			st.ContactDueAt = now.Add(st.Policy.FirstContactWithin.D())
			for _, p := range w.st.Offered {
				if !slices.Contains(st.Tried, p) {
					st.Tried = append(st.Tried, p)
				}
			}
		}}); err != nil {
		return err
	}
	// Other partners offered in this round lost the race.
	if err := w.record(ctx, change{typ: "offers_closed", to: lead.StatusAccepted, actor: domain.SystemActor,
		reason: "accepted by another partner", closeRound: round, outcome: "lost"}); err != nil {
		return err
	}
	var reg leadacts.RegisterResult
	if err := workflow.ExecuteActivity(registerOptions(ctx), acts.LeadRegister, leadacts.RegisterInput{
		LeadID: w.st.LeadID, Round: round, PartnerID: partner, Actor: s.Actor, Lead: w.in.Lead,
		ExpectedCloseDate: now.AddDate(0, 0, 90).Format(time.DateOnly),
	}).Get(ctx, &reg); err != nil {
		return err
	}
	return w.record(ctx, change{typ: "registered", to: lead.StatusAccepted, actor: domain.SystemActor,
		payload: map[string]any{"deal_id": reg.DealID, "deal_status": reg.Status},
		apply:   func(st *lead.State) { st.DealID, st.DealStatus = reg.DealID, reg.Status }})
}

// decline records an offered partner's refusal; when every partner offered
// in the round has declined, the next round starts at once.
func (w *leadWorkflow) decline(ctx workflow.Context, s lead.Step) error {
	partner := s.Actor.PartnerID
	return w.record(ctx, change{typ: "declined", to: lead.StatusOffered, actor: s.Actor, reason: s.Reason,
		closeRound: w.st.Round, closePartner: partner, outcome: "declined", apply: func(st *lead.State) {
			st.Offered = slices.DeleteFunc(st.Offered, func(p string) bool { return p == partner })
			st.Tried = append(st.Tried, partner)
		}})
}

func (w *leadWorkflow) validateContacted(s lead.Step) error {
	if !s.Actor.Role.IsPartner() || s.Actor.PartnerID != w.st.PartnerID || w.st.PartnerID == "" {
		return workflows.Refuse(workflows.ErrTypeForbidden, "only the partner holding the lead may record first contact")
	}
	if w.st.Status != lead.StatusAccepted {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "first contact is recorded once, on an accepted lead")
	}
	return workflows.ReasonOK(s.Reason, false)
}

func (w *leadWorkflow) contacted(ctx workflow.Context, s lead.Step) error {
	return w.record(ctx, change{typ: "first_contact", to: lead.StatusWorking, actor: s.Actor, reason: s.Reason,
		apply: func(st *lead.State) { st.ContactDueAt = time.Time{} }})
}
