// Package engagement is the co-sell engagement workflow
// (CoSellEngagement): a partner's request for the vendor's help on an
// approved registration, routed to a seller, answered within a response
// SLA (reminder, then escalation to the channel managers, who reassign),
// then worked jointly — plan, notes, stage, next steps — until the deal
// ends. Its contract and typed client are in workflows/cosell; the worker
// registers it (worker/cosell.go).
package engagement

import (
	"encoding/json"
	"time"

	cosellacts "github.com/dealflow/dealflow/activities/cosell"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/cosell"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// acts is how the workflow names its activities: methods on a nil
// *Activities, so tests can mock them and the worker supplies the real ones.
var acts *cosellacts.Activities

// CoSellEngagement is the workflow of one co-sell engagement, from the
// partner's request until the deal behind it ends (or the request is
// declined). Every step is recorded in PostgreSQL by a local activity
// before the workflow's state moves.
func CoSellEngagement(ctx workflow.Context, in cosell.Input) (cosell.State, error) {
	w := &engagementWorkflow{in: in}
	if err := w.setup(ctx); err != nil {
		return cosell.State{}, err
	}
	return w.run(ctx)
}

// engagementWorkflow holds one run: the serialisable state and what works on it.
type engagementWorkflow struct {
	in cosell.Input
	st cosell.State
	mu workflow.Mutex
	// started turns true once the request is recorded and routed, which
	// releases the partner's cosell.UpdateStarted.
	started bool
	// ended is the deal's end, once its workflow has signalled it.
	ended *cosell.DealEnded
	// now is the workflow's clock, for validators (which get no context).
	now func() time.Time
}

func (w *engagementWorkflow) setup(ctx workflow.Context) error {
	w.mu = workflow.NewMutex(ctx)
	w.now = func() time.Time { return workflow.Now(ctx) }
	if w.in.Resume != nil {
		w.st, w.started = *w.in.Resume, true
	} else {
		policy := w.in.Policy
		if policy.RespondWithin <= 0 {
			policy = domain.DefaultCoSellPolicy()
		}
		w.st = cosell.State{EngagementID: w.in.EngagementID, DealID: w.in.DealID, PartnerID: w.in.PartnerID,
			Request: w.in.Request, Policy: policy}
	}
	if err := workflow.SetQueryHandler(ctx, cosell.QueryState, func() (cosell.State, error) { return w.st, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, cosell.UpdateStarted, func(ctx workflow.Context) (cosell.State, error) {
		err := workflow.Await(ctx, func() bool { return w.started })
		return w.st, err
	}); err != nil {
		return err
	}
	ch := workflow.GetSignalChannel(ctx, cosell.SignalDealEnded)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var e cosell.DealEnded
			ch.Receive(ctx, &e)
			if w.ended == nil && e.Outcome != "" {
				w.ended = &e
			}
		}
	})
	return w.registerSteps(ctx)
}

func (w *engagementWorkflow) run(ctx workflow.Context) (cosell.State, error) {
	if w.in.Resume == nil {
		if err := w.intake(ctx); err != nil {
			return w.st, err
		}
	}
	for !w.st.Status.Final() {
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return w.st, err
			}
			next, st := w.in, w.st
			next.Resume = &st
			return w.st, workflow.NewContinueAsNewError(ctx, CoSellEngagement, next)
		}
		if err := w.waitForChangeOrTimer(ctx); err != nil {
			return w.st, err
		}
	}
	err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	return w.st, err
}

// intake records the request and routes it: the account's owner, else the
// territory's seller, else the channel managers' queue.
func (w *engagementWorkflow) intake(ctx workflow.Context) error {
	first := w.event(ctx, "requested", w.in.Requester, w.in.Request.Message,
		map[string]any{"type": w.in.Request.Type, "need_by": w.in.Request.NeedBy, "policy": w.st.Policy})
	next := w.st
	next.Status, next.Seq, next.UpdatedAt = cosell.StatusRequested, 1, first.OccurredAt
	first.State = next
	if err := workflow.ExecuteLocalActivity(withRecordOptions(ctx), acts.RecordCoSellRequest, cosellacts.Start{
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Request: w.in, Event: first,
	}).Get(ctx, nil); err != nil {
		return err
	}
	w.st = next
	var to cosell.Assignment
	if err := workflow.ExecuteLocalActivity(withRecordOptions(ctx), acts.RouteCoSell, w.in.DealID).Get(ctx, &to); err != nil {
		return err
	}
	err := w.assign(ctx, "routed", domain.SystemActor, to, "")
	w.started = true
	return err
}

// assign records the request's (re)assignment and starts its response SLA.
func (w *engagementWorkflow) assign(ctx workflow.Context, typ string, actor domain.Actor, to cosell.Assignment, reason string) error {
	now := workflow.Now(ctx)
	due := domain.AddBusinessDays(now, w.st.Policy.RespondWithin, w.st.Policy.Calendar())
	return w.record(ctx, typ, actor, reason, map[string]any{"assignee": to.Email, "via": to.Via, "respond_by": due},
		func(s *cosell.State) {
			s.Assignee, s.RoutedAt, s.RespondBy, s.Reminded, s.Escalated = to, now, due, false, false
		})
}

// event builds the next event of the engagement (not yet recorded).
func (w *engagementWorkflow) event(ctx workflow.Context, typ string, actor domain.Actor, reason string, payload any) cosellacts.Event {
	e := cosellacts.Event{EngagementID: w.st.EngagementID, Seq: w.st.Seq + 1, Type: typ, Actor: actor,
		Reason: reason, OccurredAt: workflow.Now(ctx)}
	if payload != nil {
		e.Payload, _ = json.Marshal(payload)
	}
	return e
}

// record is the only way the state moves: it applies change to a copy,
// records the event with the copy as the projection and its
// notifications, and only once that is durable makes the copy current.
func (w *engagementWorkflow) record(ctx workflow.Context, typ string, actor domain.Actor, reason string, payload any, change func(*cosell.State)) error {
	e := w.event(ctx, typ, actor, reason, payload)
	next := cloneState(w.st)
	next.Seq, next.UpdatedAt = e.Seq, e.OccurredAt
	if change != nil {
		change(&next)
	}
	e.State = next
	e.Notify = notificationsFor(e, next)
	if err := workflow.ExecuteLocalActivity(withRecordOptions(ctx), acts.RecordCoSellEvent, e).Get(ctx, nil); err != nil {
		return workflows.Unstorable(err)
	}
	w.st = next
	return nil
}

func cloneState(s cosell.State) cosell.State {
	c := s
	c.Milestones = append([]cosell.Milestone(nil), s.Milestones...)
	c.Notes = append([]cosell.Note(nil), s.Notes...)
	return c
}

// recordPatience is how long the recording of a step is retried through
// transient failures, so that a step a validator accepted is never lost.
const recordPatience = 7 * 24 * time.Hour

func withRecordOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: recordPatience,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    200 * time.Millisecond,
			BackoffCoefficient: 2,
			MaximumInterval:    30 * time.Second,
		},
	})
}
