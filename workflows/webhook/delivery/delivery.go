// Package delivery is the WebhookDelivery workflow: one long-lived loop per
// subscription (webhook/<id>) that takes the subscription's events from
// the outbox into one lane per deal and delivers each lane in order, the
// lanes side by side; a failed attempt waits on the retry schedule
// (webhook.Backoff) in its lane only, and an event still failing three
// days after its first attempt is dead-lettered. The loop continues as new
// every few hundred events, carrying its queued events and their retry
// state.
package delivery

import (
	"fmt"
	"time"

	webhookacts "github.com/dealflow/dealflow/activities/webhook"
	"github.com/dealflow/dealflow/workflows/webhook"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// acts is the nil receiver activities are named through.
var acts *webhookacts.Activities

// WebhookDelivery delivers a subscription's events until it is disabled,
// deleted or cancelled.
func WebhookDelivery(ctx workflow.Context, in webhook.Input) error {
	d := &delivery{in: in, after: in.After, lanes: map[string][]webhook.Queued{}, queued: map[int64]bool{}}
	d.defaults()
	return d.run(ctx)
}

// delivery is the workflow's state: its queued events in one lane per
// deal (order keeps the lanes' order of creation, for carrying them).
type delivery struct {
	in       webhook.Input
	after    int64
	lanes    map[string][]webhook.Queued
	order    []string
	queued   map[int64]bool
	count    int
	active   int
	inflight int
	finished int
	stopping bool
	ended    bool
	err      error
}

func (d *delivery) defaults() {
	if d.in.Batch <= 0 {
		d.in.Batch = webhook.DefaultBatch
	}
	if d.in.Wait <= 0 {
		d.in.Wait = webhook.DefaultWait
	}
	if d.in.Rounds <= 0 {
		d.in.Rounds = webhook.DefaultRounds
	}
	if d.in.MaxPerRun <= 0 {
		d.in.MaxPerRun = webhook.DefaultMaxPerRun
	}
	if d.in.Parallel <= 0 {
		d.in.Parallel = webhook.DefaultParallel
	}
}

func (d *delivery) run(ctx workflow.Context) error {
	awaitCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: d.in.Wait + time.Minute,
		HeartbeatTimeout:    10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: 30 * time.Second},
	})
	replay := workflow.GetSignalChannel(ctx, webhook.SignalReplay)
	for _, q := range d.in.Queued {
		d.enqueue(ctx, q)
	}
	d.in.Queued = nil
	for round := 0; round < d.in.Rounds && !d.ended && d.finished < d.in.MaxPerRun; round++ {
		d.rewind(replay)
		if d.count >= webhook.MaxQueued {
			_ = workflow.Await(ctx, func() bool { return d.count < webhook.MaxQueued || d.ended })
			continue
		}
		var p webhook.Pending
		if err := workflow.ExecuteActivity(awaitCtx, acts.WebhookAwaitPending, webhook.AwaitRequest{
			SubscriptionID: d.in.SubscriptionID, After: d.after, Max: d.in.Batch, Wait: d.in.Wait}).Get(ctx, &p); err != nil {
			return err
		}
		if !p.Active {
			d.ended = true
			break
		}
		for _, e := range p.Events {
			d.after = max(d.after, e.ID)
			if !d.queued[e.ID] {
				d.enqueue(ctx, webhook.Queued{EventID: e.ID, DealID: e.DealID})
			}
		}
		d.rewind(replay)
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			break
		}
	}
	d.stopping = true
	if err := workflow.Await(ctx, func() bool { return d.active == 0 }); err != nil {
		return err
	}
	d.rewind(replay)
	if d.err != nil {
		return d.err
	}
	if d.ended {
		return nil
	}
	next := d.in
	next.After = d.after
	for _, key := range d.order {
		next.Queued = append(next.Queued, d.lanes[key]...)
	}
	return workflow.NewContinueAsNewError(ctx, WebhookDelivery, next)
}

// rewind applies every replay asked for: events from the id on are taken
// again (those still queued are not queued twice).
func (d *delivery) rewind(ch workflow.ReceiveChannel) {
	var from int64
	for ch.ReceiveAsync(&from) {
		if from > 0 {
			d.after = min(d.after, from-1)
		}
	}
}

// enqueue appends q to its deal's lane, starting the lane if it has none.
func (d *delivery) enqueue(ctx workflow.Context, q webhook.Queued) {
	d.queued[q.EventID] = true
	d.count++
	key := q.DealID
	if lane, ok := d.lanes[key]; ok {
		d.lanes[key] = append(lane, q)
		return
	}
	d.lanes[key] = []webhook.Queued{q}
	d.order = append(d.order, key)
	d.active++
	workflow.Go(ctx, func(ctx workflow.Context) { d.lane(ctx, key) })
}

// pop removes the head of key's lane, finished.
func (d *delivery) pop(key string) {
	head := d.lanes[key][0]
	d.lanes[key] = d.lanes[key][1:]
	delete(d.queued, head.EventID)
	d.count--
	d.finished++
}

// lane delivers key's events one after another: each attempted when due,
// at most Parallel attempts at once across lanes, until the lane is empty
// or the run stops (its events then carried to the next run).
func (d *delivery) lane(ctx workflow.Context, key string) {
	defer func() { d.active-- }()
	attemptCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		// An attempt's HTTP request is bounded by stdwebhook.Timeout;
		// Temporal retries only what failed around it (PostgreSQL away,
		// the worker dead), with the same webhook-id.
		StartToCloseTimeout: time.Minute,
		HeartbeatTimeout:    15 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	for !d.stopping {
		if len(d.lanes[key]) == 0 {
			delete(d.lanes, key)
			d.dropOrder(key)
			return
		}
		m := d.lanes[key][0]
		if wait := m.NextAttempt.Sub(workflow.Now(ctx)); !m.NextAttempt.IsZero() && wait > 0 {
			_, _ = workflow.AwaitWithTimeout(ctx, wait, func() bool { return d.stopping })
			continue
		}
		if err := workflow.Await(ctx, func() bool { return d.inflight < d.in.Parallel || d.stopping }); err != nil || d.stopping {
			return
		}
		if m.FirstAttempt.IsZero() {
			m.FirstAttempt = workflow.Now(ctx)
		}
		d.inflight++
		var res webhook.AttemptResult
		err := workflow.ExecuteActivity(attemptCtx, acts.WebhookAttempt, webhook.AttemptRequest{
			SubscriptionID: d.in.SubscriptionID, EventID: m.EventID, Attempt: m.Attempts + 1}).Get(ctx, &res)
		d.inflight--
		m.Attempts++
		if err != nil {
			if temporal.IsCanceledError(err) {
				d.err, d.ended, d.stopping = err, true, true
				return
			}
			// Only an error no retry can fix gets here (activities.Classify).
			res = webhook.AttemptResult{Outcome: webhook.Skipped, Error: err.Error()}
		}
		d.lanes[key][0] = m
		switch res.Outcome {
		case webhook.Delivered:
			d.in.Delivered++
			d.pop(key)
		case webhook.Gone, webhook.Inactive:
			d.ended, d.stopping = true, true
			return
		case webhook.Skipped:
			if !d.deadLetter(ctx, key, res.Error) {
				return
			}
		default:
			next, ok := webhook.NextAttempt(m.FirstAttempt, workflow.Now(ctx), m.Attempts)
			if ok {
				d.lanes[key][0].NextAttempt = next
				continue
			}
			reason := fmt.Sprintf("retries ran out: %d attempts since %s; the last: %s", m.Attempts,
				m.FirstAttempt.UTC().Format(time.RFC3339), lastAnswer(res))
			if !d.deadLetter(ctx, key, reason) {
				return
			}
		}
	}
}

// deadLetter records the head of key's lane dead and drops it; false when
// the workflow is being cancelled.
func (d *delivery) deadLetter(ctx workflow.Context, key, reason string) bool {
	deadCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	m := d.lanes[key][0]
	if err := workflow.ExecuteActivity(deadCtx, acts.WebhookDeadLetter, webhook.DeadLetter{
		SubscriptionID: d.in.SubscriptionID, EventID: m.EventID, Reason: reason}).Get(ctx, nil); err != nil {
		d.err, d.ended, d.stopping = err, true, true
		return false
	}
	d.in.Dead++
	d.pop(key)
	return true
}

func (d *delivery) dropOrder(key string) {
	for i, k := range d.order {
		if k == key {
			d.order = append(d.order[:i:i], d.order[i+1:]...)
			return
		}
	}
}

func lastAnswer(r webhook.AttemptResult) string {
	if r.Status > 0 {
		return fmt.Sprintf("HTTP %d %s", r.Status, r.Error)
	}
	return r.Error
}
