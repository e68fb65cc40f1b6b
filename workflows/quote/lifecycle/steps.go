package lifecycle

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/quote"
	"go.temporal.io/sdk/workflow"
)

// setup registers the state query, the created Update the typed client
// sends with the start, and the quote's steps (workflows.RegisterStep).
func (w *quoteWorkflow) setup(ctx workflow.Context) error {
	w.mu = workflow.NewMutex(ctx)
	if err := workflow.SetQueryHandler(ctx, quote.QueryState, func() (quote.State, error) { return w.st, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, quote.UpdateCreated, func(ctx workflow.Context) (quote.State, error) {
		if err := workflow.Await(ctx, func() bool { return w.created || w.failed != nil }); err != nil {
			return w.st, err
		}
		return w.st, w.failed
	}); err != nil {
		return err
	}
	steps := &workflows.Steps[quote.State]{Mu: w.mu, State: func() quote.State { return w.st },
		Accepting: func() error {
			if !w.created {
				return workflows.Refuse(workflows.ErrTypeInvalidTransition, "the quote is still being priced")
			}
			return nil
		}}
	for _, reg := range []func() error{
		func() error {
			return workflows.RegisterStep(ctx, steps, quote.UpdateSubmit, w.validateSubmit, w.submit)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, quote.UpdateApprove, w.validateApprove, w.approve)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, quote.UpdateReject, w.validateReject, w.reject)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, quote.UpdateRevise, w.validateRevise, w.revise)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, quote.UpdateWithdraw, w.validateWithdraw, w.withdraw)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, quote.UpdateAccept, w.validateAccept, w.accept)
		},
	} {
		if err := reg(); err != nil {
			return err
		}
	}
	return nil
}

// owner refuses anyone but a user of the quote's partner.
func (w *quoteWorkflow) owner(a domain.Actor) error {
	if !a.Role.IsPartner() || a.PartnerID != w.st.PartnerID {
		return workflows.Refuse(workflows.ErrTypeForbidden, "only the quote's partner may take this step")
	}
	return nil
}

// ownerOrSeller refuses anyone but the quote's partner or a channel
// manager (or admin) acting as its seller.
func (w *quoteWorkflow) ownerOrSeller(a domain.Actor) error {
	if a.Role == domain.RoleChannelManager || a.Role == domain.RoleAdmin {
		return nil
	}
	return w.owner(a)
}

// inStatus refuses the step unless the quote is in one of statuses.
func (w *quoteWorkflow) inStatus(statuses ...string) error {
	if !slices.Contains(statuses, w.st.Status) {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, fmt.Sprintf("the quote is %s; this step needs it %s", w.st.Status, strings.Join(statuses, " or ")))
	}
	return nil
}

// unexpired refuses a step on a quote whose validity has passed (its
// expiry timer may not have fired yet).
func (w *quoteWorkflow) unexpired() error {
	if !w.st.ValidUntil.IsZero() && !w.now().Before(w.st.ValidUntil) {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "the quote expired at "+w.st.ValidUntil.Format(time.RFC3339))
	}
	return nil
}

func (w *quoteWorkflow) validateSubmit(d quote.Decision) error {
	return workflows.FirstErr(w.ownerOrSeller(d.Actor), w.inStatus(quote.StatusDraft), w.unexpired(), workflows.ReasonOK(d.Reason, false))
}

// submit submits the current version: within the partner's standard
// discounts it is approved at once (by dealflow, the matrix's rule);
// otherwise it awaits its approvals, on the SLA clock.
func (w *quoteWorkflow) submit(ctx workflow.Context, d quote.Decision) error {
	w.st.Submitter, w.st.SubmittedAt = d.Actor, workflow.Now(ctx)
	payload := map[string]any{"required_approvals": w.st.RequiredApprovals, "max_additional_bp": w.st.Priced.MaxAdditionalBP}
	if w.st.RequiredApprovals == 0 {
		if err := w.record(ctx, "submitted", quote.StatusSubmitted, d.Actor, d.Reason, payload); err != nil {
			return err
		}
		return w.record(ctx, "approved", quote.StatusApproved, domain.SystemActor,
			"within the partner's standard discounts (partner and registration): approved automatically", nil)
	}
	return w.record(ctx, "submitted", quote.StatusPendingApproval, d.Actor, d.Reason, payload)
}

// approverRole is the role the next approval needs: a channel manager
// first; for a quote beyond the manager's threshold, finance (deal desk)
// second.
func (w *quoteWorkflow) approverRole() domain.Role { return approverRoleOf(w.st) }

func (w *quoteWorkflow) validateApprove(d quote.Decision) error {
	if err := workflows.FirstErr(w.inStatus(quote.StatusPendingApproval), workflows.ReasonOK(d.Reason, false),
		workflows.PersonApprover(true, d.Actor)); err != nil {
		return err
	}
	if want := w.approverRole(); d.Actor.Role != want && !(want == domain.RoleChannelManager && d.Actor.Role == domain.RoleAdmin) {
		return workflows.Refuse(workflows.ErrTypeForbidden, fmt.Sprintf("approval %d of %d is given by %s", len(w.st.Approvals)+1, w.st.RequiredApprovals, want))
	}
	if d.Actor.SamePerson(w.st.Submitter) || d.Actor.SamePerson(w.st.Creator) {
		return workflows.Refuse(workflows.ErrTypeFourEyes, "you created or submitted this quote; someone else must approve it")
	}
	for _, given := range w.st.Approvals {
		if workflows.SameApprover(true, given.Actor, d.Actor) {
			return workflows.Refuse(workflows.ErrTypeFourEyes, "you approved this quote already (with this or another of your tokens); a different person must give the next approval")
		}
	}
	return nil
}

func (w *quoteWorkflow) approve(ctx workflow.Context, d quote.Decision) error {
	w.st.Approvals = append(w.st.Approvals, quote.Approval{Actor: d.Actor, At: workflow.Now(ctx)})
	to, typ := quote.StatusPendingApproval, "approval_recorded"
	if len(w.st.Approvals) >= w.st.RequiredApprovals {
		to, typ = quote.StatusApproved, "approved"
	}
	if err := w.record(ctx, typ, to, d.Actor, d.Reason, map[string]any{"approval": len(w.st.Approvals), "of": w.st.RequiredApprovals}); err != nil {
		w.st.Approvals = w.st.Approvals[:len(w.st.Approvals)-1]
		return err
	}
	return nil
}

func (w *quoteWorkflow) validateReject(d quote.Decision) error {
	if d.Actor.Role != domain.RoleChannelManager && d.Actor.Role != domain.RoleFinance && d.Actor.Role != domain.RoleAdmin {
		return workflows.Refuse(workflows.ErrTypeForbidden, "only a channel manager or finance may reject a quote")
	}
	return workflows.FirstErr(w.inStatus(quote.StatusPendingApproval), workflows.ReasonOK(d.Reason, true))
}

func (w *quoteWorkflow) reject(ctx workflow.Context, d quote.Decision) error {
	return w.record(ctx, "rejected", quote.StatusRejected, d.Actor, d.Reason, nil)
}

func (w *quoteWorkflow) validateRevise(r quote.Revision) error {
	if err := workflows.FirstErr(w.ownerOrSeller(r.Actor), w.inStatus(quote.StatusDraft, quote.StatusPendingApproval, quote.StatusApproved),
		workflows.ReasonOK(r.Reason, false)); err != nil {
		return err
	}
	if len(r.Lines) == 0 || len(r.Lines) > domain.MaxQuoteLines {
		return workflows.RefuseField("lines", fmt.Sprintf("a quote has 1 to %d lines", domain.MaxQuoteLines))
	}
	return nil
}

// revise prices the new lines as the next version, which supersedes the
// current one (it can no longer be accepted) and clears its approvals; the
// quote is a draft again. Lines the catalog refuses change nothing.
func (w *quoteWorkflow) revise(ctx workflow.Context, r quote.Revision) error {
	old, prev := w.st.Version, w.st
	if err := w.price(ctx, old+1, r.Lines); err != nil {
		w.st = prev
		return err
	}
	w.st.Version = old + 1
	payload := map[string]any{"superseded_version": old, "version": old + 1, "approvals_cleared": len(prev.Approvals)}
	return w.record(ctx, "revised", quote.StatusDraft, r.Actor, r.Reason, payload)
}

func (w *quoteWorkflow) validateWithdraw(d quote.Decision) error {
	return workflows.FirstErr(w.ownerOrSeller(d.Actor), w.inStatus(quote.StatusDraft, quote.StatusPendingApproval, quote.StatusApproved),
		workflows.ReasonOK(d.Reason, false))
}

func (w *quoteWorkflow) withdraw(ctx workflow.Context, d quote.Decision) error {
	return w.record(ctx, "withdrawn", quote.StatusWithdrawn, d.Actor, d.Reason, nil)
}

func (w *quoteWorkflow) validateAccept(a quote.Acceptance) error {
	if err := workflows.FirstErr(w.owner(a.Actor), w.inStatus(quote.StatusApproved), w.unexpired()); err != nil {
		return err
	}
	if po := strings.TrimSpace(a.PONumber); po == "" || len(po) > 100 {
		return workflows.RefuseField("po_number", "the customer's PO number is required (at most 100 characters)")
	}
	day, err := time.Parse(time.DateOnly, a.AcceptedOn)
	if err != nil {
		return workflows.RefuseField("accepted_on", "must be a date as YYYY-MM-DD")
	}
	if day.After(w.now().UTC()) || day.Before(w.st.PricedAt.UTC().Truncate(24*time.Hour)) {
		return workflows.RefuseField("accepted_on", "must lie between the day the quote was priced and today")
	}
	return nil
}

// accept closes the deal as won through the deal's workflow with the
// quote's net amount, product lines and units — if the deal refuses, so
// is the acceptance, and nothing changes — then records the acceptance.
func (w *quoteWorkflow) accept(ctx workflow.Context, a quote.Acceptance) error {
	p := w.st.Priced
	err := workflow.ExecuteActivity(activityOptions(ctx), acts.CloseDealWon, closeDealInput(w.in, w.st.Version, p, a)).Get(ctx, nil)
	if err != nil {
		return refusalOf(err)
	}
	w.st.PONumber, w.st.AcceptedOn = a.PONumber, a.AcceptedOn
	return w.record(ctx, "accepted", quote.StatusAccepted, a.Actor, "", map[string]any{
		"po_number": a.PONumber, "accepted_on": a.AcceptedOn, "net_total": p.NetTotal, "currency": p.Currency, "units": p.Units})
}
