package read

import (
	"context"
	"encoding/json"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
)

// QuoteView is a quote as stored: its status, current version's waterfall
// (every line, every step, with its rule and version: every cent
// explained), every earlier version, and its history. GET /v1/quotes/{id}
// answers with it and the quote document (internal/quotedoc) is drawn
// from it, so the two show the same figures.
type QuoteView struct {
	ID            string              `json:"id"`
	DealID        string              `json:"deal_id"`
	PartnerID     string              `json:"partner_id"`
	Status        string              `json:"status"`
	Version       int                 `json:"version"`
	Currency      string              `json:"currency"`
	NetTotal      int64               `json:"net_total"`
	ApprovalLevel int                 `json:"approval_level"`
	ValidUntil    *time.Time          `json:"valid_until,omitempty"`
	PONumber      string              `json:"po_number,omitempty"`
	AcceptedOn    string              `json:"accepted_on,omitempty"`
	CreatedAt     time.Time           `json:"created_at"`
	UpdatedAt     time.Time           `json:"updated_at"`
	Pricing       *domain.PricedQuote `json:"pricing,omitempty"`
	Versions      []QuoteVersionView  `json:"versions,omitempty"`
	Events        []QuoteEventView    `json:"events,omitempty"`
}

// QuoteVersionView is one priced version; all but the current one are
// superseded.
type QuoteVersionView struct {
	Version    int                `json:"version"`
	Superseded bool               `json:"superseded"`
	ListTotal  int64              `json:"list_total"`
	NetTotal   int64              `json:"net_total"`
	PricedAt   time.Time          `json:"priced_at"`
	Pricing    domain.PricedQuote `json:"pricing"`
}

// QuoteEventView is one event of a quote: who, when, why.
type QuoteEventView struct {
	Seq     int             `json:"seq"`
	Type    string          `json:"type"`
	From    string          `json:"from_status,omitempty"`
	To      string          `json:"to_status"`
	Version int             `json:"version"`
	Actor   domain.Actor    `json:"actor"`
	Reason  string          `json:"reason,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
	At      time.Time       `json:"at"`
}

// QuoteOf is quote row q as the API lists it (without versions and events).
func QuoteOf(q dbq.Quote) QuoteView {
	v := QuoteView{ID: q.ID.String(), DealID: q.DealID.String(), PartnerID: q.PartnerID.String(), Status: q.Status,
		Version: int(q.Version), Currency: q.Currency, NetTotal: q.NetTotal, ApprovalLevel: int(q.ApprovalLevel),
		CreatedAt: q.CreatedAt, UpdatedAt: q.UpdatedAt}
	if q.ValidUntil.Valid {
		v.ValidUntil = &q.ValidUntil.Time
	}
	if q.PoNumber.Valid {
		v.PONumber = q.PoNumber.String
	}
	if q.AcceptedOn.Valid {
		v.AcceptedOn = q.AcceptedOn.Time.Format(time.DateOnly)
	}
	return v
}

// Quote reads quote id within scope (a partner: its own organization's;
// pgx.ErrNoRows otherwise) with its current version's waterfall, every
// version and every event.
func (rd *Reader) Quote(ctx context.Context, id uuid.UUID, scope uuid.NullUUID) (QuoteView, error) {
	q, err := rd.q.QuoteGet(ctx, dbq.QuoteGetParams{ID: id, ScopePartnerID: scope})
	if err != nil {
		return QuoteView{}, err
	}
	v := QuoteOf(q)
	versions, err := rd.q.QuoteVersions(ctx, id)
	if err != nil {
		return v, err
	}
	for _, r := range versions {
		vv := QuoteVersionView{Version: int(r.Version), Superseded: r.Version != q.Version, ListTotal: r.ListTotal, NetTotal: r.NetTotal, PricedAt: r.CreatedAt}
		if err := json.Unmarshal(r.Priced, &vv.Pricing); err != nil {
			return v, err
		}
		if r.Version == q.Version {
			p := vv.Pricing
			v.Pricing = &p
		}
		v.Versions = append(v.Versions, vv)
	}
	events, err := rd.q.QuoteEvents(ctx, id)
	if err != nil {
		return v, err
	}
	for _, e := range events {
		ev := QuoteEventView{Seq: int(e.Seq), Type: e.Type, To: e.ToStatus, Version: int(e.Version), Reason: e.Reason, Payload: e.Payload, At: e.OccurredAt,
			Actor: domain.Actor{ID: e.ActorID, Name: e.ActorName, Role: domain.Role(e.ActorRole), PersonID: PersonIDOf(e.ActorPersonID)}}
		if e.FromStatus.Valid {
			ev.From = e.FromStatus.String
		}
		v.Events = append(v.Events, ev)
	}
	return v, nil
}
