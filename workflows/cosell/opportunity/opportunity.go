// Package opportunity is the shared-opportunity workflow
// (SharedOpportunity): the vendor → partner direction of co-selling. A
// seller shares one of the vendor's opportunities with chosen partners;
// the invitations expire on a timer; in first_to_accept mode the first
// partner to accept wins (every later acceptance is refused), in
// seller_chooses mode partners express interest and the seller picks one.
// The winner's acceptance becomes an approved, protected registration of
// kind vendor_sourced through the deal context. When every invitation has
// expired or been declined without a winner, the opportunity returns to
// the seller; the seller may withdraw it while it is open. Its contract
// and typed client are in workflows/cosell; the worker registers it.
package opportunity

import (
	"encoding/json"
	"slices"
	"time"

	cosellacts "github.com/dealflow/dealflow/activities/cosell"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/cosell"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// acts names the activities: methods on a nil *Activities, so tests can
// mock them and the worker supplies the real ones.
var acts *cosellacts.Activities

// SharedOpportunity is the workflow of one shared opportunity, from the
// seller sharing it until a partner wins it, it returns to the seller, or
// the seller withdraws it.
func SharedOpportunity(ctx workflow.Context, in cosell.OpportunityInput) (cosell.OpportunityState, error) {
	w := &oppWorkflow{in: in}
	if err := w.setup(ctx); err != nil {
		return cosell.OpportunityState{}, err
	}
	return w.run(ctx)
}

type oppWorkflow struct {
	in cosell.OpportunityInput
	st cosell.OpportunityState
	mu workflow.Mutex
	// shared turns true once the opportunity and its invitations are
	// recorded, which releases the seller's cosell.UpdateShared.
	shared bool
	// now is the workflow's clock, for validators (which get no context).
	now func() time.Time
}

func (w *oppWorkflow) setup(ctx workflow.Context) error {
	w.mu = workflow.NewMutex(ctx)
	w.now = func() time.Time { return workflow.Now(ctx) }
	w.st = cosell.OpportunityState{OpportunityID: w.in.OpportunityID, Mode: w.in.Mode, SellerEmail: w.in.Seller.Email}
	if err := workflow.SetQueryHandler(ctx, cosell.QueryOpportunity, func() (cosell.OpportunityState, error) { return w.st, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, cosell.UpdateShared, func(ctx workflow.Context) (cosell.OpportunityState, error) {
		err := workflow.Await(ctx, func() bool { return w.shared })
		return w.st, err
	}); err != nil {
		return err
	}
	return w.registerSteps(ctx)
}

func (w *oppWorkflow) run(ctx workflow.Context) (cosell.OpportunityState, error) {
	if err := w.share(ctx); err != nil {
		return w.st, err
	}
	for !w.st.Status.Final() {
		if err := w.waitForChangeOrExpiry(ctx); err != nil {
			return w.st, err
		}
	}
	err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	return w.st, err
}

// share records the opportunity and opens one invitation per partner.
func (w *oppWorkflow) share(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	first := w.event(ctx, "shared", "", w.in.Seller.Actor, w.in.Opportunity.Notes,
		map[string]any{"mode": w.in.Mode, "partners": w.in.Partners, "expires_at": w.in.ExpiresAt})
	next := w.st
	next.Status, next.Seq, next.UpdatedAt, next.InvitedAt = cosell.OpportunityOpen, 1, now, now
	for _, p := range w.in.Partners {
		next.Invitations = append(next.Invitations, cosell.Invitation{PartnerID: p, Status: cosell.InvitationOpen, ExpiresAt: w.in.ExpiresAt})
	}
	first.State = next
	first.Notify = notificationsFor(first, next, w.in.Opportunity)
	if err := workflow.ExecuteLocalActivity(withRecordOptions(ctx), acts.RecordSharedOpportunity, cosellacts.OpportunityStart{
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Input: w.in, Event: first,
	}).Get(ctx, nil); err != nil {
		return err
	}
	w.st = next
	w.shared = true
	return nil
}

// waitForChangeOrExpiry sleeps until a step is recorded or the next open
// invitation expires; then, under the steps' lock, it marks every
// invitation past its expiry expired, and returns the opportunity to the
// seller when no invitation is pending any more.
func (w *oppWorkflow) waitForChangeOrExpiry(ctx workflow.Context) error {
	seq := w.st.Seq
	changed := func() bool { return w.st.Seq != seq }
	if due, ok := w.nextExpiry(); ok {
		if wait := due.Sub(workflow.Now(ctx)); wait > 0 {
			if _, err := workflow.AwaitWithTimeout(ctx, wait, changed); err != nil {
				return err
			}
		}
	} else if err := workflow.Await(ctx, changed); err != nil {
		return err
	}
	return w.locked(ctx, func() error {
		if w.st.Status.Final() {
			return nil
		}
		now := workflow.Now(ctx)
		for _, inv := range slices.Clone(w.st.Invitations) {
			if inv.Status == cosell.InvitationOpen && !inv.ExpiresAt.After(now) {
				if err := w.setInvitation(ctx, "invitation_expired", inv.PartnerID, domain.SystemActor, "not answered by "+inv.ExpiresAt.Format(time.RFC3339),
					cosell.InvitationExpired); err != nil {
					return err
				}
			}
		}
		return w.returnIfNonePending(ctx)
	})
}

// nextExpiry is the earliest expiry of an open invitation. (Interest is an
// answer: an interested partner waits for the seller's choice.)
func (w *oppWorkflow) nextExpiry() (time.Time, bool) {
	var due time.Time
	for _, inv := range w.st.Invitations {
		if inv.Status == cosell.InvitationOpen && (due.IsZero() || inv.ExpiresAt.Before(due)) {
			due = inv.ExpiresAt
		}
	}
	return due, !due.IsZero()
}

// returnIfNonePending returns the opportunity to the seller once every
// invitation has expired or been declined without a winner.
func (w *oppWorkflow) returnIfNonePending(ctx workflow.Context) error {
	if w.st.Status != cosell.OpportunityOpen || slices.ContainsFunc(w.st.Invitations, func(i cosell.Invitation) bool { return i.Status.Pending() }) {
		return nil
	}
	return w.record(ctx, "returned", "", domain.SystemActor, "every invitation expired or was declined", nil,
		func(s *cosell.OpportunityState) { s.Status = cosell.OpportunityReturned })
}

// setInvitation records one invitation's move to status.
func (w *oppWorkflow) setInvitation(ctx workflow.Context, typ, partnerID string, actor domain.Actor, reason string, to cosell.InvitationStatus) error {
	now := workflow.Now(ctx)
	return w.record(ctx, typ, partnerID, actor, reason, nil, func(s *cosell.OpportunityState) {
		i := indexOf(s.Invitations, partnerID)
		s.Invitations[i].Status, s.Invitations[i].Reason = to, reason
		if to == cosell.InvitationInterested {
			s.Invitations[i].InterestedAt, s.Invitations[i].By = now, &actor
		} else {
			s.Invitations[i].DecidedAt = now
		}
	})
}

// event builds the next event of the opportunity (not yet recorded).
func (w *oppWorkflow) event(ctx workflow.Context, typ, partnerID string, actor domain.Actor, reason string, payload any) cosellacts.OpportunityEvent {
	e := cosellacts.OpportunityEvent{OpportunityID: w.st.OpportunityID, Seq: w.st.Seq + 1, Type: typ, PartnerID: partnerID,
		Actor: actor, Reason: reason, OccurredAt: workflow.Now(ctx)}
	if payload != nil {
		e.Payload, _ = json.Marshal(payload)
	}
	return e
}

// record is the only way the state moves: it applies change to a copy,
// records the event with the copy as the projection and its
// notifications, and only once that is durable makes the copy current.
func (w *oppWorkflow) record(ctx workflow.Context, typ, partnerID string, actor domain.Actor, reason string, payload any, change func(*cosell.OpportunityState)) error {
	e := w.event(ctx, typ, partnerID, actor, reason, payload)
	next := w.st
	next.Invitations = slices.Clone(w.st.Invitations)
	next.Seq, next.UpdatedAt = e.Seq, e.OccurredAt
	if change != nil {
		change(&next)
	}
	e.State = next
	e.Notify = notificationsFor(e, next, w.in.Opportunity)
	if err := workflow.ExecuteLocalActivity(withRecordOptions(ctx), acts.RecordSharedOpportunityEvent, e).Get(ctx, nil); err != nil {
		return workflows.Unstorable(err)
	}
	w.st = next
	return nil
}

// locked runs fn holding the lock that steps take, so an expiry and a
// partner's step never interleave.
func (w *oppWorkflow) locked(ctx workflow.Context, fn func() error) error {
	if err := w.mu.Lock(ctx); err != nil {
		return err
	}
	defer w.mu.Unlock()
	return fn()
}

func indexOf(invs []cosell.Invitation, partnerID string) int {
	for i, inv := range invs {
		if inv.PartnerID == partnerID {
			return i
		}
	}
	return -1
}

// recordPatience is how long the recording of a step is retried through
// transient failures, so that a step a validator accepted is never lost.
const recordPatience = 7 * 24 * time.Hour

func withRecordOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second, ScheduleToCloseTimeout: recordPatience,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second},
	})
}

// registerOptions are for registering the winner through the deal
// context: a regular activity, retried until the deal's workflow answers.
func registerOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second, ScheduleToCloseTimeout: recordPatience,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
}
