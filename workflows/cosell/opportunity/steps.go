package opportunity

import (
	"fmt"
	"slices"
	"strings"

	cosellacts "github.com/dealflow/dealflow/activities/cosell"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/cosell"
	"go.temporal.io/sdk/workflow"
)

// registerSteps registers every human step as an Update through
// workflows.RegisterStep: each is validated before it reaches history and
// again under the lock, against the state the previous step left — which
// is what makes the first acceptance the only one.
func (w *oppWorkflow) registerSteps(ctx workflow.Context) error {
	steps := &workflows.Steps[cosell.OpportunityState]{
		Mu:    w.mu,
		State: func() cosell.OpportunityState { return w.st },
		Accepting: func() error {
			if !w.shared {
				return workflows.Refuse(workflows.ErrTypeInvalidTransition, "the opportunity is still being shared; retry in a moment")
			}
			return nil
		},
	}
	regs := []func() error{
		func() error {
			return workflows.RegisterStep(ctx, steps, cosell.UpdateInvitationAccept, w.validateAccept, w.accept)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, cosell.UpdateInvitationDecline, w.validateDecline, w.decline)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, cosell.UpdateInvitationInterest, w.validateInterest, w.interest)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, cosell.UpdateChoose, w.validateChoose, w.choose)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, cosell.UpdateWithdraw, w.validateWithdraw, w.withdraw)
		},
	}
	for _, reg := range regs {
		if err := reg(); err != nil {
			return err
		}
	}
	return nil
}

// invited: a partner user whose organization holds a pending invitation
// of an open opportunity. A taken opportunity answers that it was taken.
func (w *oppWorkflow) invited(a domain.Actor) error {
	if !a.Role.IsPartner() {
		return workflows.Refuse(workflows.ErrTypeForbidden, "only a partner invited to the opportunity may take this step")
	}
	inv, ok := w.st.Invitation(a.PartnerID)
	switch {
	case !ok:
		return workflows.Refuse(workflows.ErrTypeNotFound, "no such invitation")
	case w.st.Status == cosell.OpportunityAwarded:
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "the opportunity has been awarded to a partner already")
	case w.st.Status != cosell.OpportunityOpen:
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "the opportunity is "+string(w.st.Status))
	case !inv.Status.Pending():
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "your invitation is "+string(inv.Status))
	}
	return nil
}

// seller: the seller who shared the opportunity, or a channel manager.
func (w *oppWorkflow) seller(c cosell.Caller) error {
	switch c.Actor.Role {
	case domain.RoleChannelManager, domain.RoleAdmin:
		return nil
	case domain.RoleSalesRep:
		if w.st.SellerEmail != "" && strings.EqualFold(c.Email, w.st.SellerEmail) {
			return nil
		}
	}
	return workflows.Refuse(workflows.ErrTypeForbidden, "only the seller who shared the opportunity (or a channel manager) may take this step")
}

func (w *oppWorkflow) open() error {
	if w.st.Status != cosell.OpportunityOpen {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "the opportunity is "+string(w.st.Status))
	}
	return nil
}

func (w *oppWorkflow) mode(want domain.ShareMode, what string) error {
	if w.st.Mode != want {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, fmt.Sprintf("an opportunity shared %s cannot %s", w.st.Mode, what))
	}
	return nil
}

func (w *oppWorkflow) validateAccept(s cosell.InvitationStep) error {
	return workflows.FirstErr(w.invited(s.Actor), w.mode(domain.ShareFirstToAccept, "be accepted (express interest; the seller chooses)"),
		workflows.ReasonOK(s.Reason, false))
}

// accept makes the accepting partner the winner (every other pending
// invitation is lost) and registers the deal.
func (w *oppWorkflow) accept(ctx workflow.Context, s cosell.InvitationStep) error {
	return w.award(ctx, "accepted", s.Actor.PartnerID, s.Actor, s.Actor, s.Reason)
}

func (w *oppWorkflow) validateDecline(s cosell.InvitationStep) error {
	return workflows.FirstErr(w.invited(s.Actor), workflows.ReasonOK(s.Reason, true))
}

func (w *oppWorkflow) decline(ctx workflow.Context, s cosell.InvitationStep) error {
	if err := w.setInvitation(ctx, "declined", s.Actor.PartnerID, s.Actor, s.Reason, cosell.InvitationDeclined); err != nil {
		return err
	}
	return w.returnIfNonePending(ctx)
}

func (w *oppWorkflow) validateInterest(s cosell.InvitationStep) error {
	if err := workflows.FirstErr(w.invited(s.Actor), w.mode(domain.ShareSellerChooses, "take interest (accept it: the first to accept wins)"),
		workflows.ReasonOK(s.Reason, false)); err != nil {
		return err
	}
	if inv, _ := w.st.Invitation(s.Actor.PartnerID); inv.Status == cosell.InvitationInterested {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "your organization has expressed interest already")
	}
	return nil
}

func (w *oppWorkflow) interest(ctx workflow.Context, s cosell.InvitationStep) error {
	return w.setInvitation(ctx, "interested", s.Actor.PartnerID, s.Actor, s.Reason, cosell.InvitationInterested)
}

func (w *oppWorkflow) validateChoose(c cosell.Choice) error {
	if err := workflows.FirstErr(w.seller(c.Caller), w.open(), w.mode(domain.ShareSellerChooses, "be chosen for"),
		workflows.ReasonOK(c.Reason, false)); err != nil {
		return err
	}
	inv, ok := w.st.Invitation(c.PartnerID)
	switch {
	case !ok:
		return workflows.RefuseField("partner_id", "is not invited to this opportunity")
	case inv.Status != cosell.InvitationInterested:
		return workflows.RefuseField("partner_id", "has not expressed interest (its invitation is "+string(inv.Status)+")")
	}
	return nil
}

// choose makes the chosen partner the winner; the others are told no.
func (w *oppWorkflow) choose(ctx workflow.Context, c cosell.Choice) error {
	inv, _ := w.st.Invitation(c.PartnerID)
	submitter := c.Actor
	if inv.By != nil {
		submitter = *inv.By
	}
	return w.award(ctx, "chosen", c.PartnerID, c.Actor, submitter, c.Reason)
}

func (w *oppWorkflow) validateWithdraw(d cosell.Decision) error {
	return workflows.FirstErr(w.seller(d.Caller), w.open(), workflows.ReasonOK(d.Reason, true))
}

func (w *oppWorkflow) withdraw(ctx workflow.Context, d cosell.Decision) error {
	now := workflow.Now(ctx)
	return w.record(ctx, "withdrawn", "", d.Actor, d.Reason, nil, func(s *cosell.OpportunityState) {
		s.Status = cosell.OpportunityWithdrawn
		for i := range s.Invitations {
			if s.Invitations[i].Status.Pending() {
				s.Invitations[i].Status, s.Invitations[i].Reason, s.Invitations[i].DecidedAt = cosell.InvitationWithdrawn, d.Reason, now
			}
		}
	})
}

// award records partnerID as the winner (typ: accepted or chosen) — every
// other pending invitation is lost — then registers the deal through the
// deal context, and records the registration.
func (w *oppWorkflow) award(ctx workflow.Context, typ, partnerID string, actor, submitter domain.Actor, reason string) error {
	now := workflow.Now(ctx)
	var lost []string
	if err := w.record(ctx, typ, partnerID, actor, reason, nil, func(s *cosell.OpportunityState) {
		s.Status, s.WinnerPartnerID = cosell.OpportunityAwarded, partnerID
		for i := range s.Invitations {
			inv := &s.Invitations[i]
			switch {
			case inv.PartnerID == partnerID:
				inv.Status, inv.DecidedAt, inv.Reason, inv.By = cosell.InvitationAccepted, now, reason, &submitter
			case inv.Status.Pending():
				inv.Status, inv.DecidedAt, inv.Reason = cosell.InvitationLost, now, "awarded to another partner"
				lost = append(lost, inv.PartnerID)
			}
		}
	}); err != nil {
		return err
	}
	if len(lost) > 0 {
		slices.Sort(lost)
		if err := w.record(ctx, "others_told_no", "", domain.SystemActor, "awarded to another partner",
			map[string]any{"partners": lost}, nil); err != nil {
			return err
		}
	}
	var reg cosellacts.OpportunityRegistration
	if err := workflow.ExecuteActivity(registerOptions(ctx), acts.RegisterSharedOpportunity, cosellacts.OpportunityRegisterInput{
		OpportunityID: w.st.OpportunityID, PartnerID: partnerID, Actor: submitter, SellerEmail: w.st.SellerEmail,
		Opportunity: w.in.Opportunity,
	}).Get(ctx, &reg); err != nil {
		return err
	}
	return w.record(ctx, "registered", partnerID, domain.SystemActor, "", map[string]any{"deal_id": reg.DealID, "deal_status": reg.Status},
		func(s *cosell.OpportunityState) {
			s.DealID, s.DealStatus = reg.DealID, reg.Status
			s.Invitations[indexOf(s.Invitations, partnerID)].DealID = reg.DealID
		})
}
