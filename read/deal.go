package read

import (
	"encoding/json"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
)

// DealView is a deal as the API returns it.
type DealView struct {
	ID                 string       `json:"id"`
	PartnerID          string       `json:"partner_id"`
	ProgramID          *string      `json:"program_id"`
	Kind               string       `json:"kind"`
	Status             string       `json:"status"`
	Customer           customerView `json:"customer"`
	Contact            contactView  `json:"contact"`
	ProductLines       []string     `json:"product_lines"`
	Amount             int64        `json:"amount"`
	Currency           string       `json:"currency"`
	ExpectedCloseDate  string       `json:"expected_close_date"`
	Notes              string       `json:"notes"`
	Approvals          int32        `json:"approvals"`
	RequiredApprovals  int32        `json:"required_approvals"`
	SLADueAt           *time.Time   `json:"sla_due_at"`
	Escalated          bool         `json:"escalated"`
	InfoQuestion       string       `json:"info_question,omitempty"`
	ExpiresAt          *time.Time   `json:"expires_at"`
	ExtensionsUsed     int32        `json:"extensions_used"`
	ExtensionRequested bool         `json:"extension_requested"`
	Outcome            *outcomeView `json:"outcome"`
	// PendingCorrectionAmount is the won amount the partner's correction
	// awaiting review asks for (null: none); outcome.amount stays until a
	// channel manager or finance approves it.
	PendingCorrectionAmount *int64      `json:"pending_correction_amount"`
	SubmittedBy             string      `json:"submitted_by"`
	CreatedAt               time.Time   `json:"created_at"`
	UpdatedAt               time.Time   `json:"updated_at"`
	Timeline                []EventView `json:"timeline,omitempty"`
}

type customerView struct {
	Name              string `json:"name"`
	Domain            string `json:"domain"`
	RegistrableDomain string `json:"registrable_domain"`
	Country           string `json:"country"`
}

type contactView struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// outcomeView is how the deal closed; amount and currency are the won
// figures (after corrections) that incentives pay on.
type outcomeView struct {
	Won          bool     `json:"won"`
	Amount       *int64   `json:"amount,omitempty"`
	Currency     *string  `json:"currency,omitempty"`
	ProductLines []string `json:"product_lines,omitempty"`
	CloseDate    *string  `json:"close_date"`
	Reason       string   `json:"reason,omitempty"`
	// Units is how many units the deal was won with (per-unit SPIFFs pay
	// on them); Quote the accepted quote it was won by, if any.
	Units *int64       `json:"units,omitempty"`
	Quote *WonQuoteRef `json:"quote,omitempty"`
}

// WonQuoteRef names the quote, and its version, whose acceptance won a
// deal.
type WonQuoteRef struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
}

// EventView is one entry of a deal's timeline: who did what, when and why.
type EventView struct {
	Seq        int32           `json:"seq"`
	Type       string          `json:"type"`
	From       *string         `json:"from"`
	To         string          `json:"to"`
	Actor      actorView       `json:"actor"`
	Reason     string          `json:"reason"`
	Payload    json.RawMessage `json:"payload"`
	OccurredAt time.Time       `json:"occurred_at"`
}

type actorView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
	// PersonID is the person behind the user (none: a service, dealflow,
	// or an event recorded before people existed).
	PersonID string `json:"person_id,omitempty"`
}

// PersonIDOf writes a stored actor person id for a view.
func PersonIDOf(id uuid.NullUUID) string {
	if !id.Valid {
		return ""
	}
	return id.UUID.String()
}

// DealOf is deal d as the API returns it, with its timeline when events
// is not nil (read with Events, so redacted for a partner).
func DealOf(d dbq.Deal, events []dbq.DealEvent) DealView {
	v := DealView{
		ID: d.ID.String(), PartnerID: d.PartnerID.String(), Kind: d.Kind, Status: d.Status,
		Customer: customerView{Name: d.CustomerName, Domain: d.CustomerDomain,
			RegistrableDomain: d.CustomerRegistrableDomain, Country: d.CustomerCountry},
		Contact:      contactView{Name: d.ContactName, Email: d.ContactEmail},
		ProductLines: d.ProductLines, Amount: d.Amount, Currency: d.Currency,
		ExpectedCloseDate: d.ExpectedCloseDate.Format(time.DateOnly), Notes: d.Notes,
		Approvals: d.Approvals, RequiredApprovals: d.RequiredApprovals, Escalated: d.Escalated,
		InfoQuestion: d.InfoQuestion, ExtensionsUsed: d.ExtensionsUsed, ExtensionRequested: d.ExtensionRequested,
		SubmittedBy: d.SubmittedBy.String(), CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
	if d.ProgramID.Valid {
		s := d.ProgramID.UUID.String()
		v.ProgramID = &s
	}
	if d.SlaDueAt.Valid {
		v.SLADueAt = &d.SlaDueAt.Time
	}
	if d.ExpiresAt.Valid {
		v.ExpiresAt = &d.ExpiresAt.Time
	}
	if d.Status == "closed_won" || d.Status == "closed_lost" {
		o := &outcomeView{Won: d.WonAmount.Valid, ProductLines: d.WonProductLines, Reason: d.CloseReason}
		if d.WonAmount.Valid {
			o.Amount, o.Currency = &d.WonAmount.Int64, &d.WonCurrency.String
		}
		if d.WonUnits.Valid {
			o.Units = &d.WonUnits.Int64
		}
		if d.ClosedOn.Valid {
			s := d.ClosedOn.Time.Format(time.DateOnly)
			o.CloseDate = &s
		}
		v.Outcome = o
	}
	if d.CorrectionPendingAmount.Valid {
		v.PendingCorrectionAmount = &d.CorrectionPendingAmount.Int64
	}
	if events != nil {
		v.Timeline = EventsOf(events)
	}
	return v
}

// EventsOf is a deal's timeline as the API returns it.
func EventsOf(events []dbq.DealEvent) []EventView {
	out := make([]EventView, 0, len(events))
	for _, e := range events {
		ev := EventView{
			Seq: e.Seq, Type: e.Type, To: e.ToStatus, Reason: e.Reason, Payload: e.Payload,
			Actor:      actorView{ID: e.ActorID, Name: e.ActorName, Role: e.ActorRole, PersonID: PersonIDOf(e.ActorPersonID)},
			OccurredAt: e.OccurredAt,
		}
		if e.FromStatus.Valid {
			from := e.FromStatus.String
			ev.From = &from
		}
		out = append(out, ev)
	}
	return out
}
