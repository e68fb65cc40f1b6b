// Package delivery is the NotificationDelivery workflow: one long-lived
// loop per channel (notify/email) that waits for undelivered rows of the
// notifications outbox and delivers them one at a time, in outbox order
// (so in event order per deal), continuing as new every few hundred
// rounds to keep its history short.
package delivery

import (
	"time"

	notifyacts "github.com/dealflow/dealflow/activities/notify"
	"github.com/dealflow/dealflow/workflows/notify"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// acts is the nil receiver activities are named through.
var acts *notifyacts.Activities

// NotificationDelivery delivers the outbox until cancelled.
func NotificationDelivery(ctx workflow.Context, in notify.Input) error {
	batch, wait, rounds := in.Batch, in.Wait, in.Rounds
	if batch <= 0 {
		batch = notify.DefaultBatch
	}
	if wait <= 0 {
		wait = notify.DefaultWait
	}
	if rounds <= 0 {
		rounds = notify.DefaultRounds
	}
	awaitCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: wait + time.Minute,
		HeartbeatTimeout:    10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: 30 * time.Second},
	})
	// A notification is retried until it is delivered (an SMTP server that
	// is down holds the channel, keeping order); a recipient the server
	// refuses for good is recorded as failed by the activity, not retried.
	// It heartbeats per recipient, so a delivery whose worker died is
	// retried within seconds.
	deliverCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		HeartbeatTimeout:    10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	for round := 0; round < rounds; round++ {
		var pending []notify.Pending
		if err := workflow.ExecuteActivity(awaitCtx, acts.NotifyAwaitPending,
			notify.AwaitRequest{Max: batch, Wait: wait}).Get(ctx, &pending); err != nil {
			return err
		}
		for _, p := range pending {
			var out notify.Outcome
			if err := workflow.ExecuteActivity(deliverCtx, acts.NotifyDeliver, p.ID).Get(ctx, &out); err != nil {
				return err
			}
			in.Delivered++
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			break
		}
	}
	return workflow.NewContinueAsNewError(ctx, NotificationDelivery, in)
}
