// Package digest is the NotificationDigest workflow: one long-lived loop
// (notify/digest) that sleeps until the configured local hour, then sends
// every person whose preference is daily_digest one e-mail listing what was
// kept for them since their last digest, and continues as new for the next
// day. A signal (notify.SignalDigestNow) sends the day's digests at once.
package digest

import (
	"time"

	notifyacts "github.com/dealflow/dealflow/activities/notify"
	"github.com/dealflow/dealflow/workflows/notify"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// acts is the nil receiver activities are named through.
var acts *notifyacts.Activities

// NotificationDigest sends one day's digests, then continues as new.
func NotificationDigest(ctx workflow.Context, in notify.DigestInput) error {
	loc, err := in.Location()
	if err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), "BadTimeZone", err)
	}
	now := workflow.Now(ctx)
	at := notify.NextDigestAt(now, in.Hour, loc)
	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	timer := workflow.NewTimer(timerCtx, at.Sub(now))
	sel := workflow.NewSelector(ctx)
	sel.AddFuture(timer, func(workflow.Future) {})
	sel.AddReceive(workflow.GetSignalChannel(ctx, notify.SignalDigestNow), func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, nil)
		at = workflow.Now(ctx)
		cancelTimer()
	})
	sel.Select(ctx)
	day := notify.DigestDay(at, loc)

	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	var people []string
	if err := workflow.ExecuteActivity(actx, acts.NotifyDigestDue, day).Get(ctx, &people); err != nil {
		return err
	}
	for _, p := range people {
		var sent bool
		if err := workflow.ExecuteActivity(actx, acts.NotifyDigestSend,
			notify.DigestRequest{PersonID: p, Day: day}).Get(ctx, &sent); err != nil {
			return err
		}
		if sent {
			in.Sent++
		}
	}
	// Signals that arrived meanwhile asked for what was just done.
	for workflow.GetSignalChannel(ctx, notify.SignalDigestNow).ReceiveAsync(nil) {
	}
	return workflow.NewContinueAsNewError(ctx, NotificationDigest, in)
}
