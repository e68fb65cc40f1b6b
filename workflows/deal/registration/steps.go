package registration

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/deal"
	"go.temporal.io/sdk/workflow"
)

// registerSteps registers every human step as an Update (through
// workflows.RegisterStep): validate refuses (before anything reaches
// history) what the actor or the deal's state does not allow; apply records
// the step. Steps run one at a time, and each is validated again once it
// holds the lock, against the state the previous step left and by the
// rules (stepVersions) it was accepted under. No step is taken while the
// deal is still being screened.
func (w *dealWorkflow) registerSteps(ctx workflow.Context) error {
	steps := &workflows.Steps[deal.State]{
		Mu:    w.mu,
		State: func() deal.State { return w.st },
		Accepting: func() error {
			if !w.screened {
				return workflows.Refuse(workflows.ErrTypeInvalidTransition, "the deal is still being screened; retry in a moment")
			}
			return nil
		},
		Prepare: func(ctx workflow.Context, name string) {
			for _, id := range stepVersions[name] {
				w.has(ctx, id)
			}
		},
	}
	regs := []func() error{
		func() error {
			return workflows.RegisterStep(ctx, steps, deal.UpdateApprove, w.validateApprove, w.approve)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, deal.UpdateReject, func(d deal.Decision) error {
				return workflows.FirstErr(w.manager(d.Actor), workflows.ReasonOK(d.Reason, true), w.canMove(domain.StatusRejected))
			}, func(ctx workflow.Context, d deal.Decision) error {
				return w.record(ctx, "rejected", domain.StatusRejected, d.Actor, d.Reason, nil, nil)
			})
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, deal.UpdateRequestInfo, func(r deal.InfoRequest) error {
				return workflows.FirstErr(w.manager(r.Actor), workflows.ReasonOK(r.Question, true), w.canMove(domain.StatusInfoRequested))
			}, func(ctx workflow.Context, r deal.InfoRequest) error {
				return w.record(ctx, "info_requested", domain.StatusInfoRequested, r.Actor, r.Question, nil,
					func(s *deal.State) { s.InfoQuestion = r.Question })
			})
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, deal.UpdateAnswerInfo, w.validateAnswer, w.answer)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, deal.UpdateWithdraw, func(d deal.Decision) error {
				return workflows.FirstErr(w.ownerOrLeadPullback(d.Actor), workflows.ReasonOK(d.Reason, false), w.canMove(domain.StatusWithdrawn))
			}, func(ctx workflow.Context, d deal.Decision) error {
				return w.record(ctx, "withdrawn", domain.StatusWithdrawn, d.Actor, d.Reason, nil, nil)
			})
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, deal.UpdateRequestExtension, w.validateExtensionRequest, w.requestExtension)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, deal.UpdateDecideExtension, w.validateExtensionDecision, w.decideExtension)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, deal.UpdateCloseWon, w.validateCloseWon, w.closeWon)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, deal.UpdateCloseLost, func(c deal.CloseLost) error {
				return workflows.FirstErr(w.owner(c.Actor), workflows.ReasonOK(c.Reason, false), w.canMove(domain.StatusClosedLost), w.closeDateOK(c.CloseDate))
			}, func(ctx workflow.Context, c deal.CloseLost) error {
				return w.record(ctx, "closed_lost", domain.StatusClosedLost, c.Actor, c.Reason, nil, func(s *deal.State) {
					s.Outcome = &domain.Outcome{Won: false, CloseDate: c.CloseDate, Reason: c.Reason}
					s.ClosedAt = workflow.Now(ctx)
				})
			})
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, deal.UpdateResolveConflict, w.validateResolution, w.resolveConflict)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, deal.UpdateCorrectOutcome, w.validateCorrection, w.correctOutcome)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, deal.UpdateDecideCorrection, w.validateCorrectionDecision, w.decideCorrection)
		},
	}
	for _, reg := range regs {
		if err := reg(); err != nil {
			return err
		}
	}
	return nil
}

// validateApprove: a channel manager, a deal awaiting approval, and not an
// approver already (four eyes).
func (w *dealWorkflow) validateApprove(d deal.Decision) error {
	if err := workflows.FirstErr(w.manager(d.Actor), workflows.ReasonOK(d.Reason, false)); err != nil {
		return err
	}
	if w.st.Status != domain.StatusPendingApproval {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, fmt.Sprintf("a deal in status %q cannot be approved", w.st.Status))
	}
	if err := workflows.PersonApprover(w.byPerson, d.Actor); err != nil {
		return err
	}
	for _, a := range w.st.Approvals {
		if workflows.SameApprover(w.byPerson, a.Actor, d.Actor) {
			return workflows.Refuse(workflows.ErrTypeFourEyes, "you approved this deal already (with this or another of your tokens); a different channel manager must give the second approval")
		}
	}
	return nil
}

// approve records one approval; the last one required approves the deal.
func (w *dealWorkflow) approve(ctx workflow.Context, d deal.Decision) error {
	level := len(w.st.Approvals) + 1
	add := func(s *deal.State) {
		s.Approvals = append(s.Approvals, deal.Approval{Actor: d.Actor, At: workflow.Now(ctx)})
	}
	payload := map[string]any{"level": level, "required": w.st.RequiredApprovals}
	if level < w.st.RequiredApprovals {
		return w.record(ctx, "approval_recorded", domain.StatusPendingApproval, d.Actor, d.Reason, payload, add)
	}
	return w.record(ctx, "approved", domain.StatusApproved, d.Actor, d.Reason, payload, add)
}

func (w *dealWorkflow) validateAnswer(a deal.InfoAnswer) error {
	if err := workflows.FirstErr(w.owner(a.Actor), workflows.ReasonOK(a.Answer, true)); err != nil {
		return err
	}
	if w.st.Status != domain.StatusInfoRequested {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, fmt.Sprintf("no question awaits an answer; the deal is %s", w.st.Status))
	}
	return nil
}

func (w *dealWorkflow) validateExtensionRequest(d deal.Decision) error {
	if err := workflows.FirstErr(w.owner(d.Actor), workflows.ReasonOK(d.Reason, true)); err != nil {
		return err
	}
	switch {
	case w.st.Status != domain.StatusApproved:
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, fmt.Sprintf("only an approved deal can be extended; this one is %s", w.st.Status))
	case w.st.Extension != nil:
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "an extension request is already awaiting a decision")
	case w.st.ExtensionsUsed >= w.st.Policy.Protection.MaxExtensions:
		return workflows.Refuse(workflows.ErrTypeLimitReached, fmt.Sprintf("the program allows %d extension(s); all are used", w.st.Policy.Protection.MaxExtensions))
	}
	return nil
}

func (w *dealWorkflow) requestExtension(ctx workflow.Context, d deal.Decision) error {
	return w.record(ctx, "extension_requested", domain.StatusApproved, d.Actor, d.Reason, nil, func(s *deal.State) {
		s.Extension = &deal.ExtensionRequest{Actor: d.Actor, Reason: d.Reason, At: workflow.Now(ctx)}
	})
}

func (w *dealWorkflow) validateExtensionDecision(d deal.ExtensionDecision) error {
	if err := workflows.FirstErr(w.manager(d.Actor), workflows.ReasonOK(d.Reason, !d.Grant)); err != nil {
		return err
	}
	if w.st.Status != domain.StatusApproved || w.st.Extension == nil {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "no extension request awaits a decision")
	}
	return nil
}

// decideExtension grants (protection moves out by the program's extension
// days, reminders start over) or denies the pending request.
func (w *dealWorkflow) decideExtension(ctx workflow.Context, d deal.ExtensionDecision) error {
	if !d.Grant {
		return w.record(ctx, "extension_denied", domain.StatusApproved, d.Actor, d.Reason, nil,
			func(s *deal.State) { s.Extension = nil })
	}
	days := w.st.Policy.Protection.ExtensionDays
	payload := map[string]any{"days": days, "previous_expires_at": w.st.ExpiresAt}
	return w.record(ctx, "extension_granted", domain.StatusApproved, d.Actor, d.Reason, payload, func(s *deal.State) {
		s.Extension = nil
		s.ExtensionsUsed++
		s.ExpiresAt = s.ExpiresAt.AddDate(0, 0, days)
		s.ExpiryReminders = nil
	})
}

func (w *dealWorkflow) validateCloseWon(c deal.CloseWon) error {
	if err := workflows.FirstErr(w.owner(c.Actor), w.canMove(domain.StatusClosedWon)); err != nil {
		return err
	}
	if c.Amount <= 0 || c.Amount > domain.MaxAmount || !domain.ValidCurrency(c.Currency) || c.CloseDate == "" {
		return workflows.Refuse(workflows.ErrTypeInvalidArgument, "a win needs a positive amount, an ISO currency and a close date")
	}
	if c.Units < 0 || c.Units > 1_000_000_000 {
		return workflows.Refuse(workflows.ErrTypeInvalidArgument, "units must be 0 to 1,000,000,000")
	}
	return w.closeDateOK(c.CloseDate)
}

// closeDateOK refuses, naming close_date, a close date before the day the
// registration was submitted (a day's grace for time zones): a deal cannot
// have closed before it was registered. Future dates are refused by the
// same rule on the workflow's clock (the API refuses them first, on its own).
func (w *dealWorkflow) closeDateOK(date string) error {
	if date == "" || !w.expects(versionCloseAfterSubmission) {
		return nil
	}
	day, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return workflows.RefuseField("close_date", "must be a date as YYYY-MM-DD")
	}
	if why := domain.CloseDateProblem(day, w.now(), w.st.SubmittedAt); why != "" {
		return workflows.RefuseField("close_date", why)
	}
	return nil
}

func (w *dealWorkflow) closeWon(ctx workflow.Context, c deal.CloseWon) error {
	o := domain.Outcome{Won: true, Amount: c.Amount, Currency: c.Currency, ProductLines: c.ProductLines, Units: c.Units, CloseDate: c.CloseDate, QuoteID: c.QuoteID, QuoteVersion: c.QuoteVersion}
	return w.record(ctx, "closed_won", domain.StatusClosedWon, c.Actor, "", o, func(s *deal.State) {
		s.Outcome = &o
		s.ClosedAt = workflow.Now(ctx)
	})
}

func (w *dealWorkflow) validateResolution(r deal.ConflictResolution) error {
	if err := workflows.FirstErr(w.manager(r.Actor), workflows.ReasonOK(r.Reason, true)); err != nil {
		return err
	}
	if w.st.Status != domain.StatusConflictReview {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, fmt.Sprintf("no conflict review is open; the deal is %s", w.st.Status))
	}
	if _, ok := conflictOutcomes[r.Outcome]; !ok {
		return workflows.Refuse(workflows.ErrTypeInvalidArgument, "outcome must be award, not_conflict, duplicate or direct_sales")
	}
	return nil
}

// conflictOutcomes maps each outcome to its event type and next status.
var conflictOutcomes = map[string]struct {
	event string
	next  domain.Status
}{
	deal.ConflictAward:       {"conflict_awarded", domain.StatusPendingApproval},
	deal.ConflictNotConflict: {"conflict_cleared", domain.StatusPendingApproval},
	deal.ConflictProceed:     {"conflict_cleared", domain.StatusPendingApproval},
	deal.ConflictDuplicate:   {"conflict_rejected", domain.StatusRejected},
	deal.ConflictReject:      {"conflict_rejected", domain.StatusRejected},
	deal.ConflictDirectSales: {"handed_to_direct_sales", domain.StatusRejected},
}

// resolveConflict records the manager's outcome as an event; notifications
// go to the partner and to the other registrations involved.
func (w *dealWorkflow) resolveConflict(ctx workflow.Context, r deal.ConflictResolution) error {
	o := conflictOutcomes[r.Outcome]
	payload := map[string]any{"outcome": r.Outcome, "conflicts": w.st.Conflicts}
	return w.record(ctx, o.event, o.next, r.Actor, r.Reason, payload, nil)
}

// manager refuses anyone but a channel manager (or admin).
func (w *dealWorkflow) manager(a domain.Actor) error {
	if a.Role != domain.RoleChannelManager && a.Role != domain.RoleAdmin {
		return workflows.Refuse(workflows.ErrTypeForbidden, "only a channel manager may take this step")
	}
	return nil
}

// owner refuses anyone but a user of the partner that registered the deal.
func (w *dealWorkflow) owner(a domain.Actor) error {
	if !a.Role.IsPartner() || a.PartnerID != w.st.PartnerID {
		return workflows.Refuse(workflows.ErrTypeForbidden, "only the registering partner may take this step")
	}
	return nil
}

// ownerOrLeadPullback lets the registering partner withdraw, and dealflow
// itself withdraw a vendor-sourced registration whose lead was pulled back
// (the lead workflow's first-contact deadline). No token carries the
// system role, so no caller of the API passes as it.
func (w *dealWorkflow) ownerOrLeadPullback(a domain.Actor) error {
	if a.Role == domain.RoleSystem && w.st.Registration.Kind == domain.KindVendorSourced {
		return nil
	}
	return w.owner(a)
}

// canMove refuses a move the lifecycle does not allow from the current status.
func (w *dealWorkflow) canMove(to domain.Status) error {
	if err := domain.CheckTransition(w.st.Status, to); err != nil {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, err.Error())
	}
	return nil
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own plain structs are marshalled
	}
	return b
}
