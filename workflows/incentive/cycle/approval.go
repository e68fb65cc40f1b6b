package cycle

import (
	"fmt"
	"slices"
	"time"

	incentiveacts "github.com/dealflow/dealflow/activities/incentive"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/incentive"
	"go.temporal.io/sdk/workflow"
)

// Finance's approval of a cycle (four eyes by person): whoever adjusted a
// line never approves; a cycle paying out at or above its program's
// threshold needs the approvals of two different finance people, below it
// one; an adjustment voids the approvals given before it. Runs started
// before approvalsByPersonVersion compare users and need one approval.

func (w *cycleWorkflow) validateApprove(a incentive.CycleApproval) error {
	if err := workflows.FirstErr(w.finance(a.Actor), w.inReview(), workflows.ReasonOK(a.Reason, false), workflows.PersonApprover(w.byPerson, a.Actor)); err != nil {
		return err
	}
	if w.adjusted(a.Actor) {
		return workflows.Refuse(workflows.ErrTypeFourEyes, "you adjusted lines of this cycle; someone else in finance must approve it")
	}
	for _, given := range w.st.Approvals {
		if workflows.SameApprover(w.byPerson, given.Actor, a.Actor) {
			return workflows.Refuse(workflows.ErrTypeFourEyes, "you approved this cycle already (with this or another of your tokens); a different finance person must give the second approval")
		}
	}
	return nil
}

// adjusted reports whether the actor (by person, when the run compares
// people) adjusted a line of the cycle.
func (w *cycleWorkflow) adjusted(a domain.Actor) bool {
	return slices.Contains(w.st.Adjusters, a.ID) ||
		(w.byPerson && a.PersonID != "" && slices.Contains(w.st.AdjusterPeople, a.PersonID))
}

// approve records one approval; the last one required approves the cycle
// for payout.
func (w *cycleWorkflow) approve(ctx workflow.Context, a incentive.CycleApproval) error {
	typ := domain.CycleEventApproved
	if w.byPerson && len(w.st.Approvals)+1 < w.st.RequiredApprovals {
		typ = domain.CycleEventApprovalRecorded
	}
	if err := w.recordEvent(ctx, incentiveacts.CycleEvent{Type: typ, Actor: a.Actor, Reason: a.Reason}, nil); err != nil {
		return err
	}
	if w.byPerson {
		w.st.Approvals = append(w.st.Approvals, incentive.Approval{Actor: a.Actor, At: workflow.Now(ctx)})
	}
	if typ == domain.CycleEventApproved {
		actor := a.Actor
		w.st.ApprovedBy = &actor
	}
	return nil
}

// afterAdjustment bars the adjuster (the person) from approving, voids the
// approvals given before the adjustment (an event says so: they approved
// other amounts), and counts the payout again, which may change how many
// approvals are needed.
func (w *cycleWorkflow) afterAdjustment(ctx workflow.Context, a incentive.LineAdjustment) error {
	if p := a.Actor.PersonID; p != "" && !slices.Contains(w.st.AdjusterPeople, p) {
		w.st.AdjusterPeople = append(w.st.AdjusterPeople, p)
		slices.Sort(w.st.AdjusterPeople)
	}
	if n := len(w.st.Approvals); n > 0 {
		if err := w.recordEvent(ctx, incentiveacts.CycleEvent{Type: domain.CycleEventApprovalsCleared, Actor: domain.SystemActor,
			Reason: fmt.Sprintf("line %s was adjusted by %s after %d approval(s): they approved other amounts", a.LineID, a.Actor.Name, n)}, nil); err != nil {
			return err
		}
		w.st.Approvals = nil
	}
	return w.countPayout(ctx)
}

// countPayout reads what the cycle pays out as its lines stand and sets how
// many finance people must approve it.
func (w *cycleWorkflow) countPayout(ctx workflow.Context) error {
	var payout int64
	if err := workflow.ExecuteActivity(cycleActivityOptions(ctx, time.Minute), acts.CyclePayout, w.st.CycleID).Get(ctx, &payout); err != nil {
		return err
	}
	w.payoutIs(payout)
	return nil
}

// payoutIs sets the cycle's payout and how many finance people must
// approve it.
func (w *cycleWorkflow) payoutIs(payout int64) {
	w.st.Payout = payout
	w.st.RequiredApprovals = domain.PayoutApprovalsRequired(payout, w.st.SecondApprovalAt)
}
