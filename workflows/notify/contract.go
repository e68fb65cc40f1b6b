// Package notify is the notification delivery context's contract and
// typed client: the NotificationDelivery workflow's ID and types, and the
// activity names it calls. The workflow itself is in
// workflows/notify/delivery; its activities in activities/notify.
package notify

import (
	"fmt"
	"strings"
	"time"
)

// WorkflowType is the registered name of the delivery workflow
// (delivery.NotificationDelivery), which running histories carry.
const WorkflowType = "NotificationDelivery"

// EmailWorkflowID is the one long-lived workflow delivering the
// notifications outbox by e-mail: one per channel, so delivery is in
// outbox order, hence in event order per deal.
const EmailWorkflowID = "notify/email"

// Input is the delivery workflow's input, also what it continues as new
// with.
type Input struct {
	// Batch is how many notifications one wait for pending ones returns at
	// most (0: DefaultBatch).
	Batch int `json:"batch,omitempty"`
	// Wait is how long one wait for pending notifications lasts before it
	// returns empty (0: DefaultWait).
	Wait time.Duration `json:"wait,omitempty"`
	// Rounds is how many waits a run makes before it continues as new, so
	// its history stays short (0: DefaultRounds).
	Rounds int `json:"rounds,omitempty"`
	// Delivered counts the notifications delivered across runs.
	Delivered int64 `json:"delivered,omitempty"`
}

// Defaults of Input.
const (
	DefaultBatch  = 100
	DefaultWait   = 30 * time.Second
	DefaultRounds = 200
)

// Pending is one undelivered notification of the outbox.
type Pending struct {
	ID     int64  `json:"id"`
	DealID string `json:"deal_id"`
}

// AwaitRequest asks for up to Max pending notifications, waiting up to
// Wait for one to appear.
type AwaitRequest struct {
	Max  int           `json:"max"`
	Wait time.Duration `json:"wait"`
}

// Outcome is what delivering one notification did, per recipient status.
type Outcome struct {
	Sent    int `json:"sent"`
	Off     int `json:"off"`
	Digest  int `json:"digest"`
	Failed  int `json:"failed"`
	Already int `json:"already"`
}

// Activity names (the methods of activities/notify.Activities).
const (
	ActivityAwaitPending = "NotifyAwaitPending"
	ActivityDeliver      = "NotifyDeliver"
)

// String lists the non-zero counts ("sent 1 off 1"), for logs and tests.
func (o Outcome) String() string {
	var parts []string
	for _, c := range []struct {
		name string
		n    int
	}{{"sent", o.Sent}, {"off", o.Off}, {"digest", o.Digest}, {"failed", o.Failed}, {"already", o.Already}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c.name, c.n))
		}
	}
	return strings.Join(parts, " ")
}

// ActivityDeliverBatch delivers a batch of notifications in order (the
// workflow's version 1; version 0 called ActivityDeliver per notification).
const ActivityDeliverBatch = "NotifyDeliverBatch"

// Add adds o's counts to the receiver's.
func (o *Outcome) Add(x Outcome) {
	o.Sent += x.Sent
	o.Off += x.Off
	o.Digest += x.Digest
	o.Failed += x.Failed
	o.Already += x.Already
}
