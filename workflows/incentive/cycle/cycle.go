// Package cycle is the incentive context's workflows: IncentiveCycle, one
// program's cycle for one period (freeze, accrue, finance's review with
// four eyes, payouts, statements), and CycleScheduler, which a program's
// Temporal Schedule runs to start the cycle due. Their contract and the
// typed client callers use are in workflows/incentive; the worker
// registers them (worker.Register).
package cycle

import (
	"errors"
	"fmt"
	"slices"
	"time"

	incentiveacts "github.com/dealflow/dealflow/activities/incentive"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/incentive"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// acts is how the workflows name their activities: methods on a nil
// *Activities, so tests can mock them and the worker supplies the real ones.
var acts *incentiveacts.Activities

// defaultReviewWithin is how long finance has to approve a cycle before it
// is flagged overdue, when the cycle's input does not say.
const defaultReviewWithin = 7 * 24 * time.Hour

// IncentiveCycle runs one program's incentive cycle for one period:
// freeze the inputs (the cycle's lineage) → accrue statement lines,
// set-based → finance's review through Updates (adjust a line, hold or
// release a partner, approve; the approver must not have adjusted) →
// payouts in batches onto the ledger → statements published. Partners held
// at approval are paid when released.
func IncentiveCycle(ctx workflow.Context, in incentive.CycleInput) (incentive.CycleState, error) {
	w := &cycleWorkflow{in: in, log: workflow.GetLogger(ctx), byPerson: workflows.ApprovalsByPerson(ctx)}
	w.st.CycleID = incentive.CycleID(in.ProgramID, in.PeriodStart)
	w.st.ProgramID, w.st.PeriodStart, w.st.PeriodEndExclusive = in.ProgramID, in.PeriodStart, in.PeriodEnd
	w.st.Stage = incentive.CycleStageFreezing
	if err := w.setup(ctx); err != nil {
		return w.st, err
	}
	return w.run(ctx)
}

type cycleWorkflow struct {
	in  incentive.CycleInput
	st  incentive.CycleState
	log log.Logger
	mu  workflow.Mutex
	// byPerson: four eyes compares people and a payout at or above the
	// program's threshold needs two of them (approvalsByPersonVersion).
	byPerson bool
}

// setup registers the state query and finance's review steps as Updates
// (workflows.RegisterStep): each validated before it reaches history,
// applied one at a time, validated again under the lock.
func (w *cycleWorkflow) setup(ctx workflow.Context) error {
	w.mu = workflow.NewMutex(ctx)
	if err := workflow.SetQueryHandler(ctx, incentive.QueryCycleState, func() (incentive.CycleState, error) { return w.st, nil }); err != nil {
		return err
	}
	steps := &workflows.Steps[incentive.CycleState]{Mu: w.mu, State: func() incentive.CycleState { return w.st }}
	for _, reg := range []func() error{
		func() error {
			return workflows.RegisterStep(ctx, steps, incentive.UpdateCycleAdjust, w.validateAdjust, w.adjust)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, incentive.UpdateCycleHold, w.validateHold, w.hold)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, incentive.UpdateCycleRelease, w.validateRelease, w.release)
		},
		func() error {
			return workflows.RegisterStep(ctx, steps, incentive.UpdateCycleApprove, w.validateApprove, w.approve)
		},
	} {
		if err := reg(); err != nil {
			return err
		}
	}
	return nil
}

func cycleActivityOptions(ctx workflow.Context, timeout time.Duration) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: timeout,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			NonRetryableErrorTypes: []string{workflows.ErrTypeNotFound, workflows.ErrTypeInvalidArgument,
				workflows.ErrTypeInvalidTransition, workflows.ErrTypeAlreadyExists}},
	})
}

func (w *cycleWorkflow) run(ctx workflow.Context) (incentive.CycleState, error) {
	short := cycleActivityOptions(ctx, time.Minute)
	long := cycleActivityOptions(ctx, 15*time.Minute)
	var info incentiveacts.CycleInfo
	if err := workflow.ExecuteActivity(short, acts.OpenCycle, incentiveacts.OpenCycleInput{
		CycleID: w.st.CycleID, ProgramID: w.in.ProgramID, PeriodStart: w.in.PeriodStart, PeriodEnd: w.in.PeriodEnd,
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, StartedBy: w.in.StartedBy.ID,
	}).Get(ctx, &info); err != nil {
		return w.st, err
	}
	w.st.Version = info.ProgramVersion
	if w.byPerson {
		w.st.SecondApprovalAt = info.SecondApprovalAt
	}
	var frozen incentiveacts.FreezeResult
	if err := workflow.ExecuteActivity(long, acts.FreezeCycle, w.st.CycleID).Get(ctx, &frozen); err != nil {
		return w.st, err
	}
	w.st.Inputs, w.st.Excluded = frozen.Inputs, excludedInputs(frozen.Excluded)
	var accrued incentiveacts.AccrueResult
	if err := workflow.ExecuteActivity(long, acts.AccrueCycle, w.st.CycleID).Get(ctx, &accrued); err != nil {
		return w.st, err
	}
	w.st.Lines, w.st.Partners, w.st.Total = accrued.Lines, accrued.Partners, accrued.Total
	if w.byPerson {
		w.payoutIs(accrued.Payout)
	}
	w.st.Stage = incentive.CycleStageReview

	if err := w.awaitApproval(ctx); err != nil {
		return w.st, err
	}
	w.st.Stage = incentive.CycleStagePaying
	pay := workflow.WithActivityOptions(long, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute, HeartbeatTimeout: 5 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second,
			NonRetryableErrorTypes: []string{workflows.ErrTypeNotFound}},
	})
	if err := w.payAll(ctx, pay); err != nil {
		return w.st, err
	}
	// Partners held at approval are paid as finance releases them.
	for len(w.st.Held) > 0 {
		held := len(w.st.Held)
		if err := workflow.Await(ctx, func() bool { return len(w.st.Held) < held }); err != nil {
			return w.st, err
		}
		if err := w.payAll(ctx, pay); err != nil {
			return w.st, err
		}
	}
	w.st.Stage = incentive.CycleStagePaid
	return w.st, workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// excludedInputs is what the freeze reports it excluded, in the
// contract's own terms (nil stays nil).
func excludedInputs(in []incentiveacts.ExcludedInputs) []incentive.ExcludedInputs {
	if in == nil {
		return nil
	}
	out := make([]incentive.ExcludedInputs, len(in))
	for i, e := range in {
		out[i] = incentive.ExcludedInputs{Reason: e.Reason, Deals: e.Deals, Amount: e.Amount}
	}
	return out
}

// awaitApproval waits for finance's approval; when it has not come within
// the review time, the cycle is flagged overdue once (an event finance and
// its dashboards see) and keeps waiting.
func (w *cycleWorkflow) awaitApproval(ctx workflow.Context) error {
	within := w.in.ReviewWithin
	if within <= 0 {
		within = defaultReviewWithin
	}
	approved := func() bool { return w.st.ApprovedBy != nil }
	ok, err := workflow.AwaitWithTimeout(ctx, within, approved)
	if err != nil || ok {
		return err
	}
	if err := w.mu.Lock(ctx); err != nil {
		return err
	}
	if !approved() {
		w.st.Overdue = true
		err = w.recordEvent(ctx, incentiveacts.CycleEvent{Type: domain.CycleEventReviewOverdue, Actor: domain.SystemActor,
			Reason: fmt.Sprintf("not approved within %s", within)}, nil)
	}
	w.mu.Unlock()
	if err != nil {
		return err
	}
	return workflow.Await(ctx, approved)
}

// payAll pays every partner not held, in batches, then publishes their
// statements and writes the payout file.
func (w *cycleWorkflow) payAll(ctx, actx workflow.Context) error {
	batch := w.in.PayBatch
	if batch <= 0 {
		batch = 500
	}
	after := ""
	for {
		var res incentiveacts.PayBatchResult
		if err := workflow.ExecuteActivity(actx, acts.PayBatch, incentiveacts.PayBatchInput{
			CycleID: w.st.CycleID, After: after, Held: w.st.Held, Max: batch,
		}).Get(ctx, &res); err != nil {
			return err
		}
		if res.Partners == 0 {
			break
		}
		w.st.Paid += res.Partners
		after = res.Last
	}
	var fin incentiveacts.FinishResult
	if err := workflow.ExecuteActivity(actx, acts.FinishPayouts, w.st.CycleID).Get(ctx, &fin); err != nil {
		return err
	}
	w.st.Published, w.st.PayoutFile = w.st.Published+fin.Published, fin.File
	return nil
}

// recordEvent numbers and records one review event; the caller holds the
// mutex, so events are numbered in the order they happen, without gaps.
func (w *cycleWorkflow) recordEvent(ctx workflow.Context, e incentiveacts.CycleEvent, out *incentiveacts.CycleEventResult) error {
	e.CycleID, e.Seq, e.OccurredAt = w.st.CycleID, w.st.Seq+1, workflow.Now(ctx)
	var res incentiveacts.CycleEventResult
	if err := workflow.ExecuteActivity(cycleActivityOptions(ctx, time.Minute), acts.RecordCycleEvent, e).Get(ctx, &res); err != nil {
		var app *temporal.ApplicationError
		if errors.As(err, &app) && app.Type() == workflows.ErrTypeNotFound {
			return workflows.Refuse(workflows.ErrTypeNotFound, app.Message())
		}
		return workflows.Unstorable(err)
	}
	w.st.Seq++
	if out != nil {
		*out = res
	}
	return nil
}

func (w *cycleWorkflow) finance(a domain.Actor) error {
	if a.Role != domain.RoleFinance {
		return workflows.Refuse(workflows.ErrTypeForbidden, "only finance acts on incentive cycles")
	}
	return nil
}

func (w *cycleWorkflow) inReview() error {
	if w.st.Stage != incentive.CycleStageReview || w.st.ApprovedBy != nil {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, fmt.Sprintf("the cycle is %s, not in review", w.st.Stage))
	}
	return nil
}

func (w *cycleWorkflow) validateAdjust(a incentive.LineAdjustment) error {
	if err := workflows.FirstErr(w.finance(a.Actor), w.inReview(), workflows.ReasonOK(a.Reason, true)); err != nil {
		return err
	}
	if a.LineID == "" {
		return workflows.Refuse(workflows.ErrTypeInvalidArgument, "line_id is required")
	}
	if a.Amount < -domain.MaxAmount || a.Amount > domain.MaxAmount {
		return workflows.Refuse(workflows.ErrTypeInvalidArgument, "amount out of range")
	}
	return nil
}

func (w *cycleWorkflow) adjust(ctx workflow.Context, a incentive.LineAdjustment) error {
	amount := a.Amount
	var res incentiveacts.CycleEventResult
	if err := w.recordEvent(ctx, incentiveacts.CycleEvent{Type: domain.CycleEventAdjusted, LineID: a.LineID, Amount: &amount,
		Actor: a.Actor, Reason: a.Reason}, &res); err != nil {
		return err
	}
	if !slices.Contains(w.st.Adjusters, a.Actor.ID) {
		w.st.Adjusters = append(w.st.Adjusters, a.Actor.ID)
		slices.Sort(w.st.Adjusters)
	}
	if w.byPerson {
		return w.afterAdjustment(ctx, a)
	}
	return nil
}

func (w *cycleWorkflow) validateHold(h incentive.PartnerHold) error {
	if err := workflows.FirstErr(w.finance(h.Actor), w.inReview(), workflows.ReasonOK(h.Reason, true)); err != nil {
		return err
	}
	if h.PartnerID == "" {
		return workflows.Refuse(workflows.ErrTypeInvalidArgument, "partner_id is required")
	}
	if slices.Contains(w.st.Held, h.PartnerID) {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "the partner is held already")
	}
	return nil
}

func (w *cycleWorkflow) hold(ctx workflow.Context, h incentive.PartnerHold) error {
	if err := w.recordEvent(ctx, incentiveacts.CycleEvent{Type: domain.CycleEventHeld, PartnerID: h.PartnerID,
		Actor: h.Actor, Reason: h.Reason}, nil); err != nil {
		return err
	}
	w.st.Held = append(w.st.Held, h.PartnerID)
	slices.Sort(w.st.Held)
	return nil
}

func (w *cycleWorkflow) validateRelease(h incentive.PartnerHold) error {
	if err := workflows.FirstErr(w.finance(h.Actor), workflows.ReasonOK(h.Reason, true)); err != nil {
		return err
	}
	if !slices.Contains(w.st.Held, h.PartnerID) {
		return workflows.Refuse(workflows.ErrTypeInvalidTransition, "the partner is not held")
	}
	return nil
}

func (w *cycleWorkflow) release(ctx workflow.Context, h incentive.PartnerHold) error {
	if err := w.recordEvent(ctx, incentiveacts.CycleEvent{Type: domain.CycleEventReleased, PartnerID: h.PartnerID,
		Actor: h.Actor, Reason: h.Reason}, nil); err != nil {
		return err
	}
	w.st.Held = slices.DeleteFunc(w.st.Held, func(p string) bool { return p == h.PartnerID })
	return nil
}
