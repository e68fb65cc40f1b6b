package workflows

import (
	"errors"
	"time"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/domain"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// acts is how workflows name activities: methods on a nil *Activities, so
// tests can mock them and the worker supplies the real ones.
var acts *activities.Activities

// MaxReasonLength bounds the free-text reason of a decision.
const MaxReasonLength = 2000

// DealRegistration is the workflow of one deal registration, from
// submission to its final status. It is the source of truth for the deal's
// status; every transition is recorded in PostgreSQL by an activity before
// the workflow's state moves.
func DealRegistration(ctx workflow.Context, in DealInput) (DealState, error) {
	w := &dealWorkflow{in: in}
	if err := w.setup(ctx); err != nil {
		return DealState{}, err
	}
	return w.run(ctx)
}

// dealWorkflow holds one run's state; every field is deterministic.
type dealWorkflow struct {
	in     DealInput
	state  DealState
	mu     workflow.Mutex
	logger log.Logger
	// screened turns true once intake (persist, screen) is done, which
	// releases the submitter's UpdateSubmitted.
	screened bool
}

func (w *dealWorkflow) setup(ctx workflow.Context) error {
	w.logger = workflow.GetLogger(ctx)
	w.mu = workflow.NewMutex(ctx)
	w.state = DealState{DealID: w.in.DealID, PartnerID: w.in.PartnerID}
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (DealState, error) { return w.state, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateSubmitted, func(ctx workflow.Context) (DealState, error) {
		if err := workflow.Await(ctx, func() bool { return w.screened }); err != nil {
			return DealState{}, err
		}
		return w.state, nil
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateApprove,
		func(ctx workflow.Context, d Decision) (DealState, error) {
			return w.decide(ctx, d, domain.StatusApproved, "approved")
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, d Decision) error {
			return w.validateDecision(d, domain.StatusApproved)
		}}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateReject,
		func(ctx workflow.Context, d Decision) (DealState, error) {
			return w.decide(ctx, d, domain.StatusRejected, "rejected")
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, d Decision) error {
			return w.validateDecision(d, domain.StatusRejected)
		}})
}

func (w *dealWorkflow) run(ctx workflow.Context) (DealState, error) {
	now := workflow.Now(ctx)
	first := activities.Event{
		DealID: w.in.DealID, Seq: 1, Type: "submitted", To: domain.StatusSubmitted,
		Actor: w.in.Submitter, OccurredAt: now,
	}
	err := workflow.ExecuteLocalActivity(withRecordOptions(ctx), acts.RecordSubmission, activities.Submission{
		DealID: w.in.DealID, PartnerID: w.in.PartnerID, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
		Registration: w.in.Registration, Event: first,
	}).Get(ctx, nil)
	if err != nil {
		return w.state, err
	}
	w.applied(ctx, first)

	if err := w.transition(ctx, domain.StatusPendingApproval, "review_requested", domain.SystemActor, "awaiting a channel manager's review"); err != nil {
		return w.state, err
	}
	w.screened = true

	if err := workflow.Await(ctx, func() bool { return w.state.Status.Final() || w.state.Status == domain.StatusApproved }); err != nil {
		return w.state, err
	}
	// Let a decision that is still being recorded finish before the run ends.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return w.state, err
	}
	return w.state, nil
}

// validateDecision refuses, before anything reaches history, a decision the
// actor may not take or the deal's status does not allow.
func (w *dealWorkflow) validateDecision(d Decision, to domain.Status) error {
	if d.Actor.Role != domain.RoleChannelManager && d.Actor.Role != domain.RoleAdmin {
		return temporal.NewApplicationErrorWithOptions("only a channel manager may decide on a deal",
			ErrTypeForbidden, temporal.ApplicationErrorOptions{NonRetryable: true})
	}
	if len(d.Reason) > MaxReasonLength {
		return temporal.NewApplicationErrorWithOptions("reason is too long", ErrTypeInvalidTransition,
			temporal.ApplicationErrorOptions{NonRetryable: true})
	}
	return transitionError(domain.CheckTransition(w.state.Status, to))
}

// decide records a person's decision. Decisions are serialized: a second one
// that arrives while the first is recorded is checked again afterwards.
func (w *dealWorkflow) decide(ctx workflow.Context, d Decision, to domain.Status, eventType string) (DealState, error) {
	if err := w.mu.Lock(ctx); err != nil {
		return w.state, err
	}
	defer w.mu.Unlock()
	if err := transitionError(domain.CheckTransition(w.state.Status, to)); err != nil {
		return w.state, err
	}
	if err := w.transition(ctx, to, eventType, d.Actor, d.Reason); err != nil {
		return w.state, err
	}
	return w.state, nil
}

// transition records the move to `to` and only then applies it to the state.
func (w *dealWorkflow) transition(ctx workflow.Context, to domain.Status, eventType string, actor domain.Actor, reason string) error {
	e := activities.Event{
		DealID: w.in.DealID, Seq: w.state.Seq + 1, Type: eventType,
		From: w.state.Status, To: to, Actor: actor, Reason: reason, OccurredAt: workflow.Now(ctx),
	}
	if err := workflow.ExecuteLocalActivity(withRecordOptions(ctx), acts.RecordEvent, e).Get(ctx, nil); err != nil {
		return err
	}
	w.applied(ctx, e)
	return nil
}

func (w *dealWorkflow) applied(ctx workflow.Context, e activities.Event) {
	w.state.Status = e.To
	w.state.Seq = e.Seq
	w.state.UpdatedAt = e.OccurredAt
	if err := workflow.UpsertTypedSearchAttributes(ctx,
		SearchDealStatus.ValueSet(string(e.To)),
		SearchDealPartnerID.ValueSet(w.in.PartnerID),
		SearchDealAmount.ValueSet(w.in.Registration.Amount),
		SearchDealCurrency.ValueSet(w.in.Registration.Currency),
	); err != nil {
		w.logger.Warn("search attributes not updated", "error", err)
	}
}

// withRecordOptions sets the options of the local activities that record
// transitions: short attempts, retried until PostgreSQL accepts the write,
// so that a decision accepted by a validator is never lost.
func withRecordOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    200 * time.Millisecond,
			BackoffCoefficient: 2,
			MaximumInterval:    30 * time.Second,
		},
	})
}

func transitionError(err error) error {
	var te *domain.TransitionError
	if errors.As(err, &te) {
		return temporal.NewApplicationErrorWithOptions(te.Error(), ErrTypeInvalidTransition,
			temporal.ApplicationErrorOptions{NonRetryable: true, Details: []any{te.From, te.To}})
	}
	return err
}
