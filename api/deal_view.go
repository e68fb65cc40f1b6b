package api

import (
	"encoding/json"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
)

// DealView is a deal as the API returns it.
type DealView struct {
	ID                string       `json:"id"`
	PartnerID         string       `json:"partner_id"`
	Status            string       `json:"status"`
	Customer          customerView `json:"customer"`
	Contact           contactView  `json:"contact"`
	ProductLines      []string     `json:"product_lines"`
	Amount            int64        `json:"amount"`
	Currency          string       `json:"currency"`
	ExpectedCloseDate string       `json:"expected_close_date"`
	Notes             string       `json:"notes"`
	SubmittedBy       string       `json:"submitted_by"`
	CreatedAt         time.Time    `json:"created_at"`
	UpdatedAt         time.Time    `json:"updated_at"`
	Timeline          []EventView  `json:"timeline"`
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
}

func dealView(d dbq.Deal, events []dbq.DealEvent) DealView {
	v := DealView{
		ID: d.ID.String(), PartnerID: d.PartnerID.String(), Status: d.Status,
		Customer: customerView{Name: d.CustomerName, Domain: d.CustomerDomain,
			RegistrableDomain: d.CustomerRegistrableDomain, Country: d.CustomerCountry},
		Contact:      contactView{Name: d.ContactName, Email: d.ContactEmail},
		ProductLines: d.ProductLines, Amount: d.Amount, Currency: d.Currency,
		ExpectedCloseDate: d.ExpectedCloseDate.Format(time.DateOnly), Notes: d.Notes,
		SubmittedBy: d.SubmittedBy.String(), CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
		Timeline: make([]EventView, 0, len(events)),
	}
	for _, e := range events {
		ev := EventView{
			Seq: e.Seq, Type: e.Type, To: e.ToStatus, Reason: e.Reason, Payload: e.Payload,
			Actor: actorView{ID: e.ActorID, Name: e.ActorName, Role: e.ActorRole}, OccurredAt: e.OccurredAt,
		}
		if e.FromStatus.Valid {
			from := e.FromStatus.String
			ev.From = &from
		}
		v.Timeline = append(v.Timeline, ev)
	}
	return v
}
