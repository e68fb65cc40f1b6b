// Package registration is the deal registration workflow (DealRegistration):
// intake and screening, human steps as Updates, SLA and protection timers,
// edits, corrections and notifications, each change guarded by
// workflow.GetVersion so recorded histories replay. Its contract — IDs,
// names, input and state types — and the typed client callers use are in
// workflows/deal; the worker registers it (worker.Register).
package registration

import (
	"time"

	dealacts "github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/deal"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// acts is how the workflow names its activities: methods on a nil
// *Activities, so tests can mock them and the worker supplies the real ones.
var acts *dealacts.Activities

// lifecycleVersion guards the full lifecycle (screening, policies, timers)
// added after the first release, whose runs (version 0) replay unchanged.
const lifecycleVersion = "lifecycle"

// DealRegistration is the workflow of one deal registration, from
// submission to its final status: screening, conflict review, approvals
// with SLA timers, info requests, protection with extensions and expiry,
// and the outcome. It is the source of truth for the deal; every step is
// recorded in PostgreSQL by an activity before the workflow's state moves.
func DealRegistration(ctx workflow.Context, in deal.Input) (deal.State, error) {
	w := &dealWorkflow{in: in}
	if err := w.setup(ctx); err != nil {
		return deal.State{}, err
	}
	return w.run(ctx)
}

// dealWorkflow holds one run: the serialisable state and what works on it.
type dealWorkflow struct {
	in     deal.Input
	st     deal.State
	mu     workflow.Mutex
	logger log.Logger
	// screened turns true once intake is done, which releases the
	// submitter's deal.UpdateSubmitted.
	screened bool
	// versions remembers what GetVersion answered in this run (see has).
	versions map[string]workflow.Version
	// now is the workflow's clock, for validators (which get no context).
	now func() time.Time
	// byPerson: four eyes compares people (approvalsByPersonVersion).
	byPerson bool
}

func (w *dealWorkflow) setup(ctx workflow.Context) error {
	w.logger = workflow.GetLogger(ctx)
	w.mu = workflow.NewMutex(ctx)
	w.versions = map[string]workflow.Version{}
	w.now = func() time.Time { return workflow.Now(ctx) }
	w.byPerson = workflows.ApprovalsByPerson(ctx)
	if w.in.Resume != nil {
		w.st = *w.in.Resume
		w.screened = true
	} else {
		w.st = deal.State{
			DealID: w.in.DealID, PartnerID: w.in.PartnerID, Registration: w.in.Registration,
			RequestHash: w.in.RequestHash, Policy: domain.DefaultPolicy(), RequiredApprovals: 1,
			SubmittedAt: workflow.GetInfo(ctx).WorkflowStartTime,
		}
	}
	if err := workflow.SetQueryHandler(ctx, deal.QueryState, func() (deal.State, error) { return w.st, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, deal.UpdateSubmitted, func(ctx workflow.Context) (deal.State, error) {
		if err := workflow.Await(ctx, func() bool { return w.screened }); err != nil {
			return deal.State{}, err
		}
		return w.st, nil
	}); err != nil {
		return err
	}
	return w.registerSteps(ctx)
}

func (w *dealWorkflow) run(ctx workflow.Context) (deal.State, error) {
	if w.in.Resume == nil {
		if workflow.GetVersion(ctx, lifecycleVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
			return w.runLegacy(ctx)
		}
		if err := w.intake(ctx); err != nil {
			return w.st, err
		}
	}
	for !w.finished() {
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return w.st, err
			}
			next := w.in
			st := w.st
			next.Resume = &st
			return w.st, workflow.NewContinueAsNewError(ctx, DealRegistration, next)
		}
		if err := w.waitForChangeOrTimer(ctx); err != nil {
			return w.st, err
		}
	}
	// Let a step that is still being recorded finish before the run ends.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return w.st, err
	}
	return w.st, nil
}

// finished reports whether the deal can change no more: a final status,
// and for a win, the correction window has passed and no correction
// requested within it awaits a decision.
func (w *dealWorkflow) finished() bool {
	if w.st.Status == domain.StatusClosedWon {
		return w.st.CorrectionsClosed && w.st.Correction == nil
	}
	return w.st.Status.Final()
}

// intake persists the registration, screens it and routes it: automatic
// rejection, conflict review, automatic approval or a manager's review.
func (w *dealWorkflow) intake(ctx workflow.Context) error {
	first := w.event(ctx, "submitted", domain.StatusSubmitted, w.in.Submitter, "", nil)
	first.From = ""
	err := workflow.ExecuteLocalActivity(withRecordOptions(ctx), acts.RecordSubmission, dealacts.Submission{
		DealID: w.in.DealID, PartnerID: w.in.PartnerID, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
		Registration: w.in.Registration, IdempotencyKey: w.in.IdempotencyKey, RequestHash: w.in.RequestHash,
		Event: w.withSnapshot(first, w.st, domain.StatusSubmitted),
	}).Get(ctx, nil)
	if err != nil {
		return err
	}
	w.st.Status, w.st.Seq, w.st.UpdatedAt = domain.StatusSubmitted, 1, first.OccurredAt
	w.upsertSearch(ctx)

	if err := w.record(ctx, "screening_started", domain.StatusScreening, domain.SystemActor, "", nil, nil); err != nil {
		return err
	}
	var found dealacts.ScreenResult
	if err := workflow.ExecuteLocalActivity(withRecordOptions(ctx), acts.Screen, dealacts.ScreenInput{
		DealID: w.in.DealID, PartnerID: w.in.PartnerID, Registration: w.st.Registration,
	}).Get(ctx, &found); err != nil {
		return err
	}
	out := domain.Screen(found.Policy, found.Facts)
	payload := map[string]any{"rule": out.Rule, "facts": found.Facts, "program_id": found.ProgramID}
	err = w.record(ctx, screeningEventType(out.Next), out.Next, domain.SystemActor, out.Reason, payload, func(s *deal.State) {
		s.ProgramID, s.Policy, s.Conflicts = found.ProgramID, found.Policy, found.Facts.Conflicts
		s.RequiredApprovals = found.Policy.RequiredApprovals(s.Registration.Amount, s.Registration.Currency)
		if out.Next == domain.StatusApproved {
			s.Approvals = append(s.Approvals, deal.Approval{Actor: domain.SystemActor, At: workflow.Now(ctx)})
		}
	})
	w.screened = true
	return err
}

func screeningEventType(next domain.Status) string {
	switch next {
	case domain.StatusRejected:
		return "auto_rejected"
	case domain.StatusApproved:
		return "auto_approved"
	case domain.StatusConflictReview:
		return "conflict_detected"
	default:
		return "review_requested"
	}
}

// runLegacy is the first release's flow (version 0), kept so that its runs
// replay and finish as they began: straight to review, one approval, no
// timers.
func (w *dealWorkflow) runLegacy(ctx workflow.Context) (deal.State, error) {
	w.st.Legacy = true
	first := w.event(ctx, "submitted", domain.StatusSubmitted, w.in.Submitter, "", nil)
	first.From = ""
	if err := workflow.ExecuteLocalActivity(withRecordOptions(ctx), acts.RecordSubmission, dealacts.Submission{
		DealID: w.in.DealID, PartnerID: w.in.PartnerID, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
		Registration: w.in.Registration, Event: w.withSnapshot(first, w.st, domain.StatusSubmitted),
	}).Get(ctx, nil); err != nil {
		return w.st, err
	}
	w.st.Status, w.st.Seq, w.st.UpdatedAt = domain.StatusSubmitted, 1, first.OccurredAt
	w.upsertSearch(ctx)
	if err := w.record(ctx, "review_requested", domain.StatusPendingApproval, domain.SystemActor,
		"awaiting a channel manager's review", nil, nil); err != nil {
		return w.st, err
	}
	w.screened = true
	if err := workflow.Await(ctx, func() bool { return w.st.Status.Final() || w.st.Status == domain.StatusApproved }); err != nil {
		return w.st, err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return w.st, err
	}
	return w.st, nil
}

// event builds the next event of the deal (not yet recorded).
func (w *dealWorkflow) event(ctx workflow.Context, typ string, to domain.Status, actor domain.Actor, reason string, payload any) dealacts.Event {
	e := dealacts.Event{
		DealID: w.st.DealID, Seq: w.st.Seq + 1, Type: typ, From: w.st.Status, To: to,
		Actor: actor, Reason: reason, OccurredAt: workflow.Now(ctx),
	}
	if payload != nil {
		e.Payload = mustJSON(payload)
	}
	return e
}

// record is the only way the deal's state moves: it applies change to a
// copy of the state, records the event with the copy as the projection and
// its notifications, and only once that is durable makes the copy current.
func (w *dealWorkflow) record(ctx workflow.Context, typ string, to domain.Status, actor domain.Actor, reason string, payload any, change func(*deal.State)) error {
	e := w.event(ctx, typ, to, actor, reason, payload)
	next := cloneState(w.st)
	next.Status, next.Seq, next.UpdatedAt = to, e.Seq, e.OccurredAt
	if change != nil {
		change(&next)
	}
	now := e.OccurredAt
	switch {
	case to.AwaitsManager():
		next.SLA.Start(now)
	default:
		next.SLA.Pause(now)
	}
	if to == domain.StatusApproved && e.From != domain.StatusApproved && !next.Legacy {
		next.ExpiresAt = now.AddDate(0, 0, next.Policy.Protection.Days)
		next.ExpiryReminders = nil
	}
	if to.Final() && to != domain.StatusClosedWon {
		next.Extension = nil
	}
	e = w.withSnapshot(e, next, to)
	e.Notify = notificationsFor(e, next)
	if err := workflow.ExecuteLocalActivity(withRecordOptions(ctx), acts.RecordEvent, e).Get(ctx, nil); err != nil {
		return workflows.Unstorable(err)
	}
	w.st = next
	w.upsertSearch(ctx)
	if domain.CoSellOutcomeOf(to) != "" && e.From != to && w.has(ctx, versionTellCoSell) {
		w.tellCoSell(ctx, to)
	}
	return nil
}

// withSnapshot attaches the projection of state s to e.
func (w *dealWorkflow) withSnapshot(e dealacts.Event, s deal.State, status domain.Status) dealacts.Event {
	snap := dealacts.Snapshot{
		Status: status, ProgramID: s.ProgramID, Registration: s.Registration,
		Approvals: len(s.Approvals), RequiredApprovals: s.RequiredApprovals,
		Escalated: s.Escalated, InfoQuestion: s.InfoQuestion, ExpiresAt: s.ExpiresAt,
		ExtensionsUsed: s.ExtensionsUsed, ExtensionRequested: s.Extension != nil, Outcome: s.Outcome,
	}
	if status.AwaitsManager() {
		snap.SLADueAt = s.SLA.DueAt(s.Policy.SLA.ReviewWithin.D())
	}
	if c := s.Correction; c != nil {
		amount := c.Amount
		snap.CorrectionAmount = &amount
		snap.SLADueAt = c.At.Add(s.Policy.SLA.ReviewWithin.D())
		snap.Escalated = snap.Escalated || c.Escalated
	}
	e.Snapshot = &snap
	return e
}

func (w *dealWorkflow) upsertSearch(ctx workflow.Context) {
	updates := []temporal.SearchAttributeUpdate{
		deal.SearchDealStatus.ValueSet(string(w.st.Status)),
		deal.SearchDealPartnerID.ValueSet(w.in.PartnerID),
		deal.SearchDealAmount.ValueSet(w.st.Registration.Amount),
		deal.SearchDealCurrency.ValueSet(w.st.Registration.Currency),
	}
	if !w.st.ExpiresAt.IsZero() {
		updates = append(updates, deal.SearchDealExpiresAt.ValueSet(w.st.ExpiresAt))
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		w.logger.Warn("search attributes not updated", "error", err)
	}
}

// cloneState copies s deeply enough that changing the copy's slices leaves
// s alone.
func cloneState(s deal.State) deal.State {
	c := s
	c.Approvals = append([]deal.Approval(nil), s.Approvals...)
	if s.Correction != nil {
		r := *s.Correction
		c.Correction = &r
	}
	c.ExpiryReminders = append([]int(nil), s.ExpiryReminders...)
	c.Registration.ProductLines = append([]string(nil), s.Registration.ProductLines...)
	return c
}

// recordPatience is how long the recording of a step is retried through
// transient failures (PostgreSQL down or restarting): without it a local
// activity gives up when its first attempt's StartToCloseTimeout has
// passed, and an outage of more than ten seconds failed the deal's run.
// Data PostgreSQL will never take is not retried at all
// (workflows.ErrTypeInvalidData).
const recordPatience = 7 * 24 * time.Hour

// withRecordOptions sets the options of the local activities that record
// steps (and of screening's read): short attempts, retried until PostgreSQL
// answers (for up to recordPatience), so that a step accepted by a
// validator is never lost.
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
