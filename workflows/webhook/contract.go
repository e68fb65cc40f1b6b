// Package webhook is the webhook delivery context's contract and typed
// client: the WebhookDelivery workflow's ID, input, signal and activity
// names, the retry schedule, and the stable webhook-id of an event. The
// workflow is in workflows/webhook/delivery; its activities in
// activities/webhook (docs/webhooks.md).
package webhook

import (
	"fmt"
	"strings"
	"time"
)

// WorkflowType is the registered name of delivery.WebhookDelivery, which
// running histories carry.
const WorkflowType = "WebhookDelivery"

// WorkflowID is the one long-lived delivery workflow of a subscription.
func WorkflowID(subscriptionID string) string { return "webhook/" + subscriptionID }

// SignalReplay asks the subscription's workflow to deliver again from an
// event id (its argument, an int64); the API marks the delivery log's rows
// pending first.
const SignalReplay = "replay"

// MessageID is the webhook-id header of event eventID sent to
// subscriptionID: the same for every attempt and replay, so a receiver
// that saw it already knows the webhook is a duplicate.
func MessageID(subscriptionID string, eventID int64) string {
	return fmt.Sprintf("msg_%d_%s", eventID, strings.ReplaceAll(subscriptionID, "-", ""))
}

// Input is the delivery workflow's input, also what it continues as new
// with.
type Input struct {
	SubscriptionID string `json:"subscription_id"`
	// After is the last event id taken into the queues (0: the
	// subscription's start).
	After int64 `json:"after,omitempty"`
	// Queued are the events taken but not yet delivered nor dead-lettered,
	// in order per deal, with their retry state.
	Queued []Queued `json:"queued,omitempty"`
	// Batch, Wait, Rounds, MaxPerRun and Parallel tune the loop (0: the
	// defaults below).
	Batch     int           `json:"batch,omitempty"`
	Wait      time.Duration `json:"wait,omitempty"`
	Rounds    int           `json:"rounds,omitempty"`
	MaxPerRun int           `json:"max_per_run,omitempty"`
	Parallel  int           `json:"parallel,omitempty"`
	// Delivered and Dead count across runs.
	Delivered int64 `json:"delivered,omitempty"`
	Dead      int64 `json:"dead,omitempty"`
}

// Defaults of Input.
const (
	DefaultBatch = 100
	DefaultWait  = 10 * time.Second
	// DefaultRounds waits for events make one run.
	DefaultRounds = 200
	// DefaultMaxPerRun events finished end a run, so its history stays
	// short.
	DefaultMaxPerRun = 300
	// DefaultParallel deals are attempted at once (each deal's events one
	// after another).
	DefaultParallel = 8
	// MaxQueued events are held at most; the loop takes no more until
	// some finish.
	MaxQueued = 500
)

// Queued is one event waiting in its deal's lane.
type Queued struct {
	EventID int64  `json:"event_id"`
	DealID  string `json:"deal_id,omitempty"`
	// Attempts made so far; FirstAttempt is when the first was made (its
	// three days count from then) and NextAttempt when the next is due.
	Attempts     int       `json:"attempts,omitempty"`
	FirstAttempt time.Time `json:"first_attempt,omitempty"`
	NextAttempt  time.Time `json:"next_attempt,omitempty"`
}

// Retry schedule: the n-th failed attempt (n from 1) waits
// FirstBackoff·2^(n-1), at most MaxBackoff; no attempt is made after
// RetryFor from the first, and an event still failing then is
// dead-lettered.
const (
	FirstBackoff = 5 * time.Second
	MaxBackoff   = 6 * time.Hour
	RetryFor     = 72 * time.Hour
)

// Backoff is the wait after the n-th failed attempt (n ≥ 1).
func Backoff(n int) time.Duration {
	d := FirstBackoff
	for i := 1; i < n && d < MaxBackoff; i++ {
		d *= 2
	}
	return min(d, MaxBackoff)
}

// NextAttempt is when the attempt after the n-th failed one, made at
// now, is due, the first having been at first; ok is false when retries
// ran out (the event is dead-lettered). The last attempt is made at
// first+RetryFor exactly.
func NextAttempt(first, now time.Time, n int) (time.Time, bool) {
	deadline := first.Add(RetryFor)
	if !now.Before(deadline) {
		return time.Time{}, false
	}
	next := now.Add(Backoff(n))
	if next.After(deadline) {
		next = deadline
	}
	return next, true
}

// AwaitRequest asks for up to Max of the subscription's events after
// After, waiting up to Wait for one.
type AwaitRequest struct {
	SubscriptionID string        `json:"subscription_id"`
	After          int64         `json:"after"`
	Max            int           `json:"max"`
	Wait           time.Duration `json:"wait"`
}

// Pending is what a wait found: the events, oldest first, or that the
// subscription is no longer active (disabled or deleted), which ends its
// workflow.
type Pending struct {
	Active bool    `json:"active"`
	Events []Event `json:"events,omitempty"`
}

// Event is one event to deliver (a notification of the outbox).
type Event struct {
	ID     int64  `json:"id"`
	DealID string `json:"deal_id,omitempty"`
}

// AttemptRequest is one delivery attempt of an event.
type AttemptRequest struct {
	SubscriptionID string `json:"subscription_id"`
	EventID        int64  `json:"event_id"`
	// Attempt is its number, from 1.
	Attempt int `json:"attempt"`
}

// Outcomes of an attempt.
const (
	// Delivered: the receiver answered 2xx.
	Delivered = "delivered"
	// Retry: no answer, a timeout, or another status; try again later.
	Retry = "retry"
	// Gone: the receiver answered 410; the subscription is disabled.
	Gone = "gone"
	// Inactive: the subscription was disabled or deleted meanwhile, or
	// may not receive the event: nothing was sent.
	Inactive = "inactive"
	// Skipped: the subscription may no longer receive the event (its
	// addressee left the organization); nothing was sent and the event is
	// dead-lettered.
	Skipped = "skipped"
)

// AttemptResult is an attempt's outcome with the receiver's status (0:
// none) and error.
type AttemptResult struct {
	Outcome string `json:"outcome"`
	Status  int    `json:"status,omitempty"`
	Error   string `json:"error,omitempty"`
}

// DeadLetter records that an event's retries ran out.
type DeadLetter struct {
	SubscriptionID string `json:"subscription_id"`
	EventID        int64  `json:"event_id"`
	Reason         string `json:"reason"`
}

// Activity names (the methods of activities/webhook.Activities).
const (
	ActivityAwaitPending = "WebhookAwaitPending"
	ActivityAttempt      = "WebhookAttempt"
	ActivityDeadLetter   = "WebhookDeadLetter"
)
