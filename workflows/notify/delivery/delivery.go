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
	// Version 1 delivers what each wait returns in one activity (in order)
	// instead of one activity per notification: the Temporal round trip per
	// notification held a busy outbox back (docs/notify.md, latency).
	batched := workflow.GetVersion(ctx, "deliver-batch", workflow.DefaultVersion, 1) == 1
	batchCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		HeartbeatTimeout:    10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	for round := 0; round < rounds; round++ {
		var pending []notify.Pending
		if err := workflow.ExecuteActivity(awaitCtx, acts.NotifyAwaitPending,
			notify.AwaitRequest{Max: batch, Wait: wait}).Get(ctx, &pending); err != nil {
			return err
		}
		if batched && len(pending) > 0 {
			ids := make([]int64, 0, len(pending))
			for _, p := range pending {
				ids = append(ids, p.ID)
			}
			var out notify.Outcome
			if err := workflow.ExecuteActivity(batchCtx, acts.NotifyDeliverBatch, ids).Get(ctx, &out); err != nil {
				return err
			}
			in.Delivered += int64(len(ids))
			pending = nil
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
