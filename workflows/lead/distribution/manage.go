package distribution

import (
	"errors"
	"slices"
	"strings"
	"time"

	leadacts "github.com/dealflow/dealflow/activities/lead"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/lead"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// registerManagerSteps registers the channel managers' steps on an offered
// or queued lead: re-offer, assign, close and (queued only) convert. Each
// is an Update validated before it reaches history and again under the
// lock, like the partners' steps.
func (w *leadWorkflow) registerManagerSteps(ctx workflow.Context, steps *workflows.Steps[lead.State]) error {
	for _, s := range []struct {
		name     string
		validate func(lead.Manage) error
		apply    func(workflow.Context, lead.Manage) error
	}{
		{lead.UpdateReoffer, w.validateReoffer, w.reoffer},
		{lead.UpdateAssign, w.validateAssign, w.assign},
		{lead.UpdateClose, w.validateClose, w.close},
		{lead.UpdateConvert, w.validateConvert, w.convert},
	} {
		if err := workflows.RegisterStep(ctx, steps, s.name, s.validate, s.apply); err != nil {
			return err
		}
	}
	return nil
}

// validateManaged: a channel manager or admin, on a lead offered to
// partners or in the vendor's queue.
func (w *leadWorkflow) validateManaged(m lead.Manage) error {
	if m.Actor.Role != domain.RoleChannelManager && m.Actor.Role != domain.RoleAdmin {
		return workflows.Refuse(workflows.ErrTypeForbidden, "only a channel manager or an admin may take this step on a lead")
	}
	if w.stale {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "the lead changed while this step was on its way; reload it and try again")
	}
	switch w.st.Status {
	case lead.StatusOffered, lead.StatusQueued:
		return workflows.ReasonOK(m.Reason, false)
	case lead.StatusNew:
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "the lead is being routed; try again in a moment")
	case lead.StatusAccepted, lead.StatusWorking:
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "a partner holds the lead; its registration carries on")
	}
	return workflows.Refuse(workflows.ErrTypeInvalidTransition, "the lead is "+w.st.Status+" and takes no further steps")
}

func (w *leadWorkflow) validateReoffer(m lead.Manage) error { return w.validateManaged(m) }

func (w *leadWorkflow) validateAssign(m lead.Manage) error {
	if err := w.validateManaged(m); err != nil {
		return err
	}
	switch {
	case m.PartnerID == "":
		return workflows.RefuseField("partner_id", "name the partner to offer the lead to")
	case slices.Contains(w.st.Offered, m.PartnerID):
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "the lead is offered to that partner already")
	}
	return nil
}

func (w *leadWorkflow) validateClose(m lead.Manage) error {
	if err := w.validateManaged(m); err != nil {
		return err
	}
	if !slices.Contains(lead.CloseReasons(), m.CloseReason) {
		return workflows.RefuseField("close_reason", "must be one of "+strings.Join(lead.CloseReasons(), ", "))
	}
	return workflows.ReasonOK(m.Reason, m.CloseReason == lead.CloseOther)
}

// referrer is the partner the lead is attributed to ("" for the vendor's).
func (w *leadWorkflow) referrer() string {
	if a := w.in.Attribution; a != nil {
		return a.PartnerID
	}
	return ""
}

func (w *leadWorkflow) validateConvert(m lead.Manage) error {
	if err := w.validateManaged(m); err != nil {
		return err
	}
	if w.st.Status != lead.StatusQueued {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "only a lead in the vendor's queue is converted; re-offer or close an offered one")
	}
	switch m.Kind {
	case domain.KindVendorSourced:
		if m.PartnerID == "" {
			return workflows.RefuseField("partner_id", "a vendor-sourced registration names its partner")
		}
	case domain.KindReferral:
		if w.referrer() == "" {
			return workflows.RefuseField("kind", "the lead has no referring partner to credit; convert it as vendor_sourced")
		}
		if m.PartnerID != "" && m.PartnerID != w.referrer() {
			return workflows.RefuseField("partner_id", "a referral is credited to the lead's referring partner")
		}
	default:
		return workflows.RefuseField("kind", "must be vendor_sourced or referral")
	}
	return nil
}

// withdraw is how a manager's step closes the open offers of an offered
// lead (outcome withdrawn) and moves the lead to status to.
func (w *leadWorkflow) withdraw(typ, to string, m lead.Manage, reason string, payload map[string]any, apply func(*lead.State)) change {
	c := change{typ: typ, to: to, actor: m.Actor, reason: reason, payload: payload, apply: apply}
	if w.st.Status == lead.StatusOffered {
		c.closeRound, c.outcome = w.st.Round, "withdrawn"
		payload["withdrawn"] = slices.Clone(w.st.Offered)
	}
	return c
}

// reoffer routes the lead again by the rules with a fresh offer budget:
// an offered lead's open offers are withdrawn (their partners are not
// offered it again); a queued lead may go to any partner again.
func (w *leadWorkflow) reoffer(ctx workflow.Context, m lead.Manage) error {
	queued := w.st.Status == lead.StatusQueued
	return w.record(ctx, w.withdraw("reoffered", lead.StatusNew, m, m.Reason, map[string]any{}, func(s *lead.State) {
		if queued {
			s.Tried = nil
		} else {
			s.Tried = appendNew(s.Tried, s.Offered...)
		}
		s.Offered, s.AssignTo, s.OffersFrom = nil, "", s.Round
	}))
}

// assign offers the lead to the named partner alone next, with the
// policy's accept deadline, whatever the rules; if it declines or lets the
// deadline pass, routing by the rules carries on.
func (w *leadWorkflow) assign(ctx workflow.Context, m lead.Manage) error {
	return w.record(ctx, w.withdraw("assigned", lead.StatusNew, m, m.Reason, map[string]any{"partner_id": m.PartnerID}, func(s *lead.State) {
		s.Tried = appendNew(s.Tried, s.Offered...)
		s.Offered, s.AssignTo, s.OffersFrom = nil, m.PartnerID, s.Round
	}))
}

// close ends the lead: its open offers are withdrawn; the workflow ends.
func (w *leadWorkflow) close(ctx workflow.Context, m lead.Manage) error {
	reason := m.CloseReason
	if t := strings.TrimSpace(m.Reason); t != "" {
		reason += ": " + t
	}
	return w.record(ctx, w.withdraw("closed", lead.StatusClosed, m, reason, map[string]any{"close_reason": m.CloseReason}, func(s *lead.State) {
		s.Offered, s.AssignTo, s.CloseReason = nil, "", m.CloseReason
	}))
}

// convert turns the queued lead into a registration through the deal
// context (idempotent by lead: a retry joins the same deal) and records it;
// the lead then links to its deal and the workflow ends.
func (w *leadWorkflow) convert(ctx workflow.Context, m lead.Manage) error {
	partner := m.PartnerID
	if m.Kind == domain.KindReferral {
		partner = w.referrer()
	}
	closeDate := m.ExpectedCloseDate
	if closeDate == "" {
		closeDate = workflow.Now(ctx).AddDate(0, 0, 90).Format(time.DateOnly)
	}
	l := w.in.Lead
	if m.Currency != "" {
		l.Amount, l.Currency = m.Amount, m.Currency
	}
	var reg leadacts.RegisterResult
	if err := workflow.ExecuteActivity(registerOptions(ctx), acts.LeadRegister, leadacts.RegisterInput{
		LeadID: w.st.LeadID, PartnerID: partner, Actor: m.Actor, Lead: l, ExpectedCloseDate: closeDate,
		Kind: m.Kind, Key: "lead:" + w.st.LeadID + ":convert", ReferralCode: w.referralCode(),
	}).Get(ctx, &reg); err != nil {
		var app *temporal.ApplicationError
		if errors.As(err, &app) && app.NonRetryable() {
			return workflows.Refuse(workflows.ErrTypeInvalidArgument, "the registration was refused: "+app.Message())
		}
		return err
	}
	return w.record(ctx, change{typ: "converted", to: lead.StatusConverted, actor: m.Actor, reason: m.Reason,
		payload: map[string]any{"deal_id": reg.DealID, "deal_status": reg.Status, "kind": m.Kind, "partner_id": partner},
		apply: func(s *lead.State) {
			s.PartnerID, s.DealID, s.DealStatus = partner, reg.DealID, reg.Status
		}})
}

func (w *leadWorkflow) referralCode() string {
	if a := w.in.Attribution; a != nil {
		return a.Code
	}
	return ""
}

func appendNew(list []string, more ...string) []string {
	for _, p := range more {
		if !slices.Contains(list, p) {
			list = append(list, p)
		}
	}
	return list
}
