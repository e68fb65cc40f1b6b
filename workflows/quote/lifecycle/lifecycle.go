// Package lifecycle is the quote context's workflow: QuoteLifecycle, one
// per quote — priced as its first version, then draft → submitted →
// (approval when the approval matrix needs it) → approved → accepted, or
// rejected, withdrawn or expired; a revision prices a new version that
// supersedes the old and clears its approvals. Its contract and typed
// client are in workflows/quote; the worker registers it.
package lifecycle

import (
	"errors"
	"fmt"
	"time"

	quoteacts "github.com/dealflow/dealflow/activities/quote"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/quote"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// acts is how the workflow names its activities: methods on a nil
// *Activities, so tests can mock them and the worker supplies the real ones.
var acts *quoteacts.Activities

// QuoteLifecycle runs one quote: it prices and stores the first version
// (the created Update, sent with the start, waits for it), then takes the
// quote's steps as Updates and keeps its timers — an approval's reminder
// and escalation, the expiry reminder and the expiry — until the quote is
// accepted, rejected, withdrawn or expired.
func QuoteLifecycle(ctx workflow.Context, in quote.Input) (quote.State, error) {
	w := &quoteWorkflow{in: in, now: func() time.Time { return workflow.Now(ctx) }}
	w.st = quote.State{QuoteID: in.QuoteID, DealID: in.DealID, PartnerID: in.PartnerID, Currency: in.Currency, Creator: in.Creator}
	if err := w.setup(ctx); err != nil {
		return w.st, err
	}
	return w.run(ctx)
}

type quoteWorkflow struct {
	in quote.Input
	st quote.State
	mu workflow.Mutex
	// created is set once the first version is stored; failed when it
	// could not be priced (the created Update answers with it).
	created bool
	failed  error
	// now is the workflow's clock, for validators (which get no context).
	now func() time.Time
}

func activityOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			NonRetryableErrorTypes: []string{workflows.ErrTypeNotFound, workflows.ErrTypeInvalidArgument,
				workflows.ErrTypeInvalidTransition, workflows.ErrTypeForbidden}},
	})
}

// recordLocalVersion: since version 1 of this change a quote's events are
// recorded by a local activity (one short transaction, run inside the
// workflow task), not a regular one: a step answers without two trips
// through the task queue per event. Histories recorded before replay the
// regular activity they scheduled.
const recordLocalVersion = "record-local"

// recordPatience is how long recording an event is retried through
// transient failures: an accepted step is never lost.
const recordPatience = 7 * 24 * time.Hour

func recordOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 30 * time.Second, ScheduleToCloseTimeout: recordPatience,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			NonRetryableErrorTypes: []string{workflows.ErrTypeNotFound, workflows.ErrTypeInvalidArgument,
				workflows.ErrTypeInvalidTransition, workflows.ErrTypeForbidden}},
	})
}

func (w *quoteWorkflow) run(ctx workflow.Context) (quote.State, error) {
	if err := w.price(ctx, 1, w.in.Lines); err != nil {
		w.failed = err
		_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
		return w.st, err
	}
	w.st.Version = 1
	if err := w.record(ctx, "created", quote.StatusDraft, w.in.Creator, "", map[string]any{"version": 1}); err != nil {
		w.failed = err
		_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
		return w.st, err
	}
	w.created = true
	for !quote.Final(w.st.Status) {
		seq := w.st.Seq
		wait, fire := w.nextTimer(workflow.Now(ctx))
		if wait < 0 {
			if err := workflow.Await(ctx, func() bool { return w.st.Seq != seq }); err != nil {
				return w.st, err
			}
			continue
		}
		changed, err := workflow.AwaitWithTimeout(ctx, wait, func() bool { return w.st.Seq != seq })
		if err != nil {
			return w.st, err
		}
		if changed {
			continue
		}
		if err := w.mu.Lock(ctx); err != nil {
			return w.st, err
		}
		if w.st.Seq == seq { // no step came first
			err = fire(ctx)
		}
		w.mu.Unlock()
		if err != nil {
			return w.st, err
		}
	}
	return w.st, workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// nextTimer returns how long until the quote's next timer and what it
// does then (a negative wait: no timer runs, e.g. never, for a final
// quote). Expiry comes first; before it its reminder; while an approval
// waits, its reminder after the SLA and its escalation after twice it.
func (w *quoteWorkflow) nextTimer(now time.Time) (time.Duration, func(workflow.Context) error) {
	type timer struct {
		at   time.Time
		fire func(workflow.Context) error
	}
	var ts []timer
	if !w.st.ValidUntil.IsZero() {
		ts = append(ts, timer{w.st.ValidUntil, w.expire})
		if !w.st.ExpiryReminded {
			ts = append(ts, timer{w.st.ValidUntil.Add(-w.st.Reminder), w.remindExpiry})
		}
	}
	if w.st.Status == quote.StatusPendingApproval {
		if !w.st.ApprovalReminded {
			ts = append(ts, timer{w.st.SubmittedAt.Add(w.st.ApprovalSLA), w.remindApproval})
		} else if !w.st.Escalated {
			ts = append(ts, timer{w.st.SubmittedAt.Add(2 * w.st.ApprovalSLA), w.escalate})
		}
	}
	if len(ts) == 0 {
		return -1, nil
	}
	next := ts[0]
	for _, t := range ts[1:] {
		if t.at.Before(next.at) {
			next = t
		}
	}
	return max(next.at.Sub(now), 0), next.fire
}

func (w *quoteWorkflow) expire(ctx workflow.Context) error {
	return w.record(ctx, "expired", quote.StatusExpired, domain.SystemActor,
		fmt.Sprintf("not accepted by %s", w.st.ValidUntil.Format(time.RFC3339)), nil)
}

func (w *quoteWorkflow) remindExpiry(ctx workflow.Context) error {
	w.st.ExpiryReminded = true
	return w.record(ctx, "expiry_reminder", w.st.Status, domain.SystemActor,
		fmt.Sprintf("the quote expires at %s", w.st.ValidUntil.Format(time.RFC3339)), nil)
}

func (w *quoteWorkflow) remindApproval(ctx workflow.Context) error {
	w.st.ApprovalReminded = true
	return w.record(ctx, "approval_reminder", w.st.Status, domain.SystemActor,
		fmt.Sprintf("awaiting approval for more than %s", w.st.ApprovalSLA), nil)
}

func (w *quoteWorkflow) escalate(ctx workflow.Context) error {
	w.st.Escalated = true
	return w.record(ctx, "approval_escalated", w.st.Status, domain.SystemActor,
		fmt.Sprintf("awaiting approval for more than %s", 2*w.st.ApprovalSLA), nil)
}

// price prices version of the quote with lines and makes it current: its
// waterfall, the approvals it needs, and its validity from now.
func (w *quoteWorkflow) price(ctx workflow.Context, version int, lines []domain.LineRequest) error {
	var res quoteacts.PriceResult
	err := workflow.ExecuteActivity(activityOptions(ctx), acts.PriceQuoteVersion, quoteacts.PriceInput{
		QuoteID: w.in.QuoteID, DealID: w.in.DealID, PartnerID: w.in.PartnerID, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
		Currency: w.in.Currency, Version: version, Lines: lines, Creator: w.in.Creator, At: workflow.Now(ctx),
	}).Get(ctx, &res)
	if err != nil {
		return refusalOf(err)
	}
	now := workflow.Now(ctx)
	w.st.Priced = res.Priced
	w.st.RequiredApprovals = requiredApprovals(res.Priced.ApprovalLevel)
	w.st.Validity, w.st.Reminder, w.st.ApprovalSLA = res.Policy.Validity(), res.Policy.Reminder(), res.Policy.ApprovalSLA()
	w.st.PricedAt, w.st.ValidUntil = now, now.Add(w.st.Validity)
	w.st.ExpiryReminded, w.st.ApprovalReminded, w.st.Escalated = false, false, false
	w.st.Approvals = nil
	return nil
}

// requiredApprovals is how many approvals an approval level needs.
func requiredApprovals(level int) int {
	switch level {
	case domain.ApprovalNone:
		return 0
	case domain.ApprovalManager:
		return 1
	}
	return 2
}

// refusalOf turns an activity's refusal (lines the catalog refuses, a deal
// that refuses) into the workflow's refusal of the step, keeping its kind
// and field; anything else as it is.
func refusalOf(err error) error {
	var app *temporal.ApplicationError
	if !errors.As(err, &app) {
		return err
	}
	if f, ok := workflows.RefusedField(app); ok {
		return workflows.RefuseField(f.Field, f.Message)
	}
	if app.Type() == workflows.ErrTypeInvalidData {
		return workflows.Unstorable(app)
	}
	return workflows.Refuse(app.Type(), app.Message())
}

// record numbers and records one event of the quote, moving it to status
// to; the caller holds the mutex (or no step runs yet).
func (w *quoteWorkflow) record(ctx workflow.Context, typ, to string, actor domain.Actor, reason string, payload map[string]any) error {
	e := quoteacts.QuoteEvent{QuoteID: w.in.QuoteID, Seq: w.st.Seq + 1, Type: typ, From: w.st.Status, To: to,
		Version: w.st.Version, Actor: actor, Reason: reason, Payload: payload, OccurredAt: workflow.Now(ctx),
		NetTotal: w.st.Priced.NetTotal, ApprovalLevel: w.st.Priced.ApprovalLevel, ValidUntil: w.st.ValidUntil,
		PONumber: w.st.PONumber, AcceptedOn: w.st.AcceptedOn}
	after := w.st
	after.Seq, after.Status = e.Seq, to
	e.Notify = notificationsFor(typ, reason, after)
	var recorded workflow.Future
	if workflow.GetVersion(ctx, recordLocalVersion, workflow.DefaultVersion, 1) == 1 {
		recorded = workflow.ExecuteLocalActivity(recordOptions(ctx), acts.RecordQuoteEvent, e)
	} else {
		recorded = workflow.ExecuteActivity(activityOptions(ctx), acts.RecordQuoteEvent, e)
	}
	if err := recorded.Get(ctx, nil); err != nil {
		return workflows.Unstorable(err)
	}
	w.st.Seq++
	w.st.Status = to
	return nil
}
