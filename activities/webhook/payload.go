package webhook

import (
	"encoding/json"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
)

// Body is a webhook's JSON body, as the Standard Webhooks specification
// suggests: the event type, when it happened, and its data.
type Body struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      EventData `json:"data"`
}

// EventData is a notification of the outbox as a webhook carries it (never
// its e-mail body, which may hold a single-use link).
type EventData struct {
	// EventID is the notification's id: the one replay starts from.
	EventID int64 `json:"event_id"`
	// DealID, EventSeq and CustomerName name the deal; a partner
	// subscription gets them only for its own organization's deals.
	DealID       string `json:"deal_id,omitempty"`
	EventSeq     int32  `json:"event_seq,omitempty"`
	Audience     string `json:"audience"`
	Subject      string `json:"subject"`
	CustomerName string `json:"customer_name,omitempty"`
}

// Payload is the body of event ev sent to a subscription of partner (not
// valid: the vendor's). The same event always gives the same bytes, so a
// retried or replayed webhook is identical to the first.
func Payload(ev dbq.WebhookEventGetRow, partner uuid.NullUUID) ([]byte, error) {
	d := EventData{EventID: ev.ID, Audience: ev.Audience, Subject: ev.Subject}
	if ev.DealID.Valid && (!partner.Valid || ev.DealPartnerID == partner) {
		d.DealID = ev.DealID.UUID.String()
		d.EventSeq = ev.EventSeq.Int32
		d.CustomerName = ev.CustomerName
	}
	return json.Marshal(Body{Type: ev.Kind, Timestamp: ev.CreatedAt.UTC(), Data: d})
}
