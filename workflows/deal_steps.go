package workflows

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/domain"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// step registers one human step as an Update: validate refuses (before
// anything reaches history) what the actor or the deal's state does not
// allow; apply records the step. Steps run one at a time, and each is
// validated again once it holds the lock, against the state the previous
// step left and by the rules (stepVersions) it was accepted under.
func step[T any](ctx workflow.Context, w *dealWorkflow, name string, validate func(T) error, apply func(workflow.Context, T) error) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, name,
		func(ctx workflow.Context, arg T) (DealState, error) {
			if err := w.mu.Lock(ctx); err != nil {
				return w.st, err
			}
			defer w.mu.Unlock()
			for _, id := range stepVersions[name] {
				w.has(ctx, id)
			}
			if err := validate(arg); err != nil {
				return w.st, err
			}
			if err := apply(ctx, arg); err != nil {
				return w.st, err
			}
			return w.st, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, arg T) error {
			if !w.screened {
				return refuse(ErrTypeInvalidTransition, "the deal is still being screened; retry in a moment")
			}
			return validate(arg)
		}})
}

func (w *dealWorkflow) registerSteps(ctx workflow.Context) error {
	regs := []func() error{
		func() error { return step(ctx, w, UpdateApprove, w.validateApprove, w.approve) },
		func() error {
			return step(ctx, w, UpdateReject, func(d Decision) error {
				return firstErr(w.manager(d.Actor), reasonOK(d.Reason, true), w.canMove(domain.StatusRejected))
			}, func(ctx workflow.Context, d Decision) error {
				return w.record(ctx, "rejected", domain.StatusRejected, d.Actor, d.Reason, nil, nil)
			})
		},
		func() error {
			return step(ctx, w, UpdateRequestInfo, func(r InfoRequest) error {
				return firstErr(w.manager(r.Actor), reasonOK(r.Question, true), w.canMove(domain.StatusInfoRequested))
			}, func(ctx workflow.Context, r InfoRequest) error {
				return w.record(ctx, "info_requested", domain.StatusInfoRequested, r.Actor, r.Question, nil,
					func(s *DealState) { s.InfoQuestion = r.Question })
			})
		},
		func() error { return step(ctx, w, UpdateAnswerInfo, w.validateAnswer, w.answer) },
		func() error {
			return step(ctx, w, UpdateWithdraw, func(d Decision) error {
				return firstErr(w.owner(d.Actor), reasonOK(d.Reason, false), w.canMove(domain.StatusWithdrawn))
			}, func(ctx workflow.Context, d Decision) error {
				return w.record(ctx, "withdrawn", domain.StatusWithdrawn, d.Actor, d.Reason, nil, nil)
			})
		},
		func() error {
			return step(ctx, w, UpdateRequestExtension, w.validateExtensionRequest, w.requestExtension)
		},
		func() error {
			return step(ctx, w, UpdateDecideExtension, w.validateExtensionDecision, w.decideExtension)
		},
		func() error { return step(ctx, w, UpdateCloseWon, w.validateCloseWon, w.closeWon) },
		func() error {
			return step(ctx, w, UpdateCloseLost, func(c CloseLost) error {
				return firstErr(w.owner(c.Actor), reasonOK(c.Reason, false), w.canMove(domain.StatusClosedLost), w.closeDateOK(c.CloseDate))
			}, func(ctx workflow.Context, c CloseLost) error {
				return w.record(ctx, "closed_lost", domain.StatusClosedLost, c.Actor, c.Reason, nil, func(s *DealState) {
					s.Outcome = &domain.Outcome{Won: false, CloseDate: c.CloseDate, Reason: c.Reason}
					s.ClosedAt = workflow.Now(ctx)
				})
			})
		},
		func() error { return step(ctx, w, UpdateResolveConflict, w.validateResolution, w.resolveConflict) },
		func() error { return step(ctx, w, UpdateCorrectOutcome, w.validateCorrection, w.correctOutcome) },
		func() error {
			return step(ctx, w, UpdateDecideCorrection, w.validateCorrectionDecision, w.decideCorrection)
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
func (w *dealWorkflow) validateApprove(d Decision) error {
	if err := firstErr(w.manager(d.Actor), reasonOK(d.Reason, false)); err != nil {
		return err
	}
	if w.st.Status != domain.StatusPendingApproval {
		return refuse(ErrTypeInvalidTransition, fmt.Sprintf("a deal in status %q cannot be approved", w.st.Status))
	}
	if err := personApprover(w.byPerson, d.Actor); err != nil {
		return err
	}
	for _, a := range w.st.Approvals {
		if sameApprover(w.byPerson, a.Actor, d.Actor) {
			return refuse(ErrTypeFourEyes, "you approved this deal already (with this or another of your tokens); a different channel manager must give the second approval")
		}
	}
	return nil
}

// approve records one approval; the last one required approves the deal.
func (w *dealWorkflow) approve(ctx workflow.Context, d Decision) error {
	level := len(w.st.Approvals) + 1
	add := func(s *DealState) { s.Approvals = append(s.Approvals, Approval{Actor: d.Actor, At: workflow.Now(ctx)}) }
	payload := map[string]any{"level": level, "required": w.st.RequiredApprovals}
	if level < w.st.RequiredApprovals {
		return w.record(ctx, "approval_recorded", domain.StatusPendingApproval, d.Actor, d.Reason, payload, add)
	}
	return w.record(ctx, "approved", domain.StatusApproved, d.Actor, d.Reason, payload, add)
}

func (w *dealWorkflow) validateAnswer(a InfoAnswer) error {
	if err := firstErr(w.owner(a.Actor), reasonOK(a.Answer, true)); err != nil {
		return err
	}
	if w.st.Status != domain.StatusInfoRequested {
		return refuse(ErrTypeInvalidTransition, fmt.Sprintf("no question awaits an answer; the deal is %s", w.st.Status))
	}
	return nil
}

func (w *dealWorkflow) validateExtensionRequest(d Decision) error {
	if err := firstErr(w.owner(d.Actor), reasonOK(d.Reason, true)); err != nil {
		return err
	}
	switch {
	case w.st.Status != domain.StatusApproved:
		return refuse(ErrTypeInvalidTransition, fmt.Sprintf("only an approved deal can be extended; this one is %s", w.st.Status))
	case w.st.Extension != nil:
		return refuse(ErrTypeInvalidTransition, "an extension request is already awaiting a decision")
	case w.st.ExtensionsUsed >= w.st.Policy.Protection.MaxExtensions:
		return refuse(ErrTypeLimitReached, fmt.Sprintf("the program allows %d extension(s); all are used", w.st.Policy.Protection.MaxExtensions))
	}
	return nil
}

func (w *dealWorkflow) requestExtension(ctx workflow.Context, d Decision) error {
	return w.record(ctx, "extension_requested", domain.StatusApproved, d.Actor, d.Reason, nil, func(s *DealState) {
		s.Extension = &ExtensionRequest{Actor: d.Actor, Reason: d.Reason, At: workflow.Now(ctx)}
	})
}

func (w *dealWorkflow) validateExtensionDecision(d ExtensionDecision) error {
	if err := firstErr(w.manager(d.Actor), reasonOK(d.Reason, !d.Grant)); err != nil {
		return err
	}
	if w.st.Status != domain.StatusApproved || w.st.Extension == nil {
		return refuse(ErrTypeInvalidTransition, "no extension request awaits a decision")
	}
	return nil
}

// decideExtension grants (protection moves out by the program's extension
// days, reminders start over) or denies the pending request.
func (w *dealWorkflow) decideExtension(ctx workflow.Context, d ExtensionDecision) error {
	if !d.Grant {
		return w.record(ctx, "extension_denied", domain.StatusApproved, d.Actor, d.Reason, nil,
			func(s *DealState) { s.Extension = nil })
	}
	days := w.st.Policy.Protection.ExtensionDays
	payload := map[string]any{"days": days, "previous_expires_at": w.st.ExpiresAt}
	return w.record(ctx, "extension_granted", domain.StatusApproved, d.Actor, d.Reason, payload, func(s *DealState) {
		s.Extension = nil
		s.ExtensionsUsed++
		s.ExpiresAt = s.ExpiresAt.AddDate(0, 0, days)
		s.ExpiryReminders = nil
	})
}

func (w *dealWorkflow) validateCloseWon(c CloseWon) error {
	if err := firstErr(w.owner(c.Actor), w.canMove(domain.StatusClosedWon)); err != nil {
		return err
	}
	if c.Amount <= 0 || c.Amount > domain.MaxAmount || !domain.ValidCurrency(c.Currency) || c.CloseDate == "" {
		return refuse(ErrTypeInvalidArgument, "a win needs a positive amount, an ISO currency and a close date")
	}
	if c.Units < 0 || c.Units > 1_000_000_000 {
		return refuse(ErrTypeInvalidArgument, "units must be 0 to 1,000,000,000")
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
		return refuseField("close_date", "must be a date as YYYY-MM-DD")
	}
	if why := domain.CloseDateProblem(day, w.now(), w.st.SubmittedAt); why != "" {
		return refuseField("close_date", why)
	}
	return nil
}

func (w *dealWorkflow) closeWon(ctx workflow.Context, c CloseWon) error {
	o := domain.Outcome{Won: true, Amount: c.Amount, Currency: c.Currency, ProductLines: c.ProductLines, Units: c.Units, CloseDate: c.CloseDate}
	return w.record(ctx, "closed_won", domain.StatusClosedWon, c.Actor, "", o, func(s *DealState) {
		s.Outcome = &o
		s.ClosedAt = workflow.Now(ctx)
	})
}

func (w *dealWorkflow) validateResolution(r ConflictResolution) error {
	if err := firstErr(w.manager(r.Actor), reasonOK(r.Reason, true)); err != nil {
		return err
	}
	if w.st.Status != domain.StatusConflictReview {
		return refuse(ErrTypeInvalidTransition, fmt.Sprintf("no conflict review is open; the deal is %s", w.st.Status))
	}
	if _, ok := conflictOutcomes[r.Outcome]; !ok {
		return refuse(ErrTypeInvalidArgument, "outcome must be award, not_conflict, duplicate or direct_sales")
	}
	return nil
}

// conflictOutcomes maps each outcome to its event type and next status.
var conflictOutcomes = map[string]struct {
	event string
	next  domain.Status
}{
	ConflictAward:       {"conflict_awarded", domain.StatusPendingApproval},
	ConflictNotConflict: {"conflict_cleared", domain.StatusPendingApproval},
	ConflictProceed:     {"conflict_cleared", domain.StatusPendingApproval},
	ConflictDuplicate:   {"conflict_rejected", domain.StatusRejected},
	ConflictReject:      {"conflict_rejected", domain.StatusRejected},
	ConflictDirectSales: {"handed_to_direct_sales", domain.StatusRejected},
}

// resolveConflict records the manager's outcome as an event; notifications
// go to the partner and to the other registrations involved.
func (w *dealWorkflow) resolveConflict(ctx workflow.Context, r ConflictResolution) error {
	o := conflictOutcomes[r.Outcome]
	payload := map[string]any{"outcome": r.Outcome, "conflicts": w.st.Conflicts}
	return w.record(ctx, o.event, o.next, r.Actor, r.Reason, payload, nil)
}

// manager refuses anyone but a channel manager (or admin).
func (w *dealWorkflow) manager(a domain.Actor) error {
	if a.Role != domain.RoleChannelManager && a.Role != domain.RoleAdmin {
		return refuse(ErrTypeForbidden, "only a channel manager may take this step")
	}
	return nil
}

// owner refuses anyone but a user of the partner that registered the deal.
func (w *dealWorkflow) owner(a domain.Actor) error {
	if !a.Role.IsPartner() || a.PartnerID != w.st.PartnerID {
		return refuse(ErrTypeForbidden, "only the registering partner may take this step")
	}
	return nil
}

// canMove refuses a move the lifecycle does not allow from the current status.
func (w *dealWorkflow) canMove(to domain.Status) error {
	if err := domain.CheckTransition(w.st.Status, to); err != nil {
		return refuse(ErrTypeInvalidTransition, err.Error())
	}
	return nil
}

func reasonOK(text string, required bool) error {
	switch {
	case required && strings.TrimSpace(text) == "":
		return refuse(ErrTypeInvalidArgument, "a reason is required")
	case len(text) > MaxReasonLength:
		return refuse(ErrTypeInvalidArgument, fmt.Sprintf("the text is longer than %d characters", MaxReasonLength))
	}
	return nil
}

// unstorable turns an activity's ErrTypeInvalidData — PostgreSQL refused
// the step's data for good, and retrying would never end — into a refusal
// of the step as invalid (422 to its caller). The step changed nothing:
// the state moves only once its event is stored. Other errors pass as
// they are.
func unstorable(err error) error {
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.Type() == activities.ErrTypeInvalidData {
		return refuse(ErrTypeInvalidArgument, "this step's data cannot be stored; nothing changed")
	}
	return err
}

func refuse(typ, msg string) error {
	return temporal.NewApplicationErrorWithOptions(msg, typ, temporal.ApplicationErrorOptions{NonRetryable: true})
}

// refuseField refuses a step's argument for what is wrong with one field,
// named in the error's details (RefusedField) for per-field answers.
func refuseField(field, msg string) error {
	return temporal.NewApplicationErrorWithOptions(field+": "+msg, ErrTypeInvalidArgument,
		temporal.ApplicationErrorOptions{NonRetryable: true, Details: []any{FieldRefusal{Field: field, Message: msg}}})
}

// firstErr returns the first refusal, unwrapped, so its type reaches the caller.
func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
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
