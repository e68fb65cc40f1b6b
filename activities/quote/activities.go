// Package quote holds the quote context's activities: pricing a quote's
// version from the catalog and storing it, recording the quote's events on
// its projection, and closing the quote's deal as won when it is accepted.
// Each method on Activities is one idempotent step; the QuoteLifecycle
// workflow (workflows/quote/lifecycle) calls them through a nil *Activities.
package quote

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/clock"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/deal"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/temporal"
)

// Activities holds what a quote's steps need: the PostgreSQL pool, the
// deal context's typed client (an accepted quote closes its deal as won
// through the deal's own workflow), and the clock.
type Activities struct {
	Pool  *pgxpool.Pool
	Deals *deal.Client
	Clock clock.Clock
}

// PriceInput names a quote version to price: at is the workflow's time,
// whose UTC day is the price date, so a retry prices the same way.
type PriceInput struct {
	QuoteID    string               `json:"quote_id"`
	DealID     string               `json:"deal_id"`
	PartnerID  string               `json:"partner_id"`
	WorkflowID string               `json:"workflow_id"`
	Currency   string               `json:"currency"`
	Version    int                  `json:"version"`
	Lines      []domain.LineRequest `json:"lines"`
	Creator    domain.Actor         `json:"creator"`
	At         time.Time            `json:"at"`
}

// PriceResult is a priced version and the policy it was priced with.
type PriceResult struct {
	Priced domain.PricedQuote    `json:"priced"`
	Policy domain.ChannelPricing `json:"policy"`
}

// PriceQuoteVersion prices version in.Version of a quote by the waterfall
// (domain.PriceQuote) from the catalog in force at in.At and stores it —
// the first version with the quote's projection row — in one transaction.
// A version stored already is returned as it was priced: a retry, or a
// catalog changed since, never alters it. Lines the catalog refuses fail
// with a non-retryable workflows.ErrTypeInvalidArgument naming the first
// line and field; nothing is written.
func (a *Activities) PriceQuoteVersion(ctx context.Context, in PriceInput) (PriceResult, error) {
	qid, err1 := uuid.Parse(in.QuoteID)
	did, err2 := uuid.Parse(in.DealID)
	if err := errors.Join(err1, err2); err != nil {
		return PriceResult{}, activities.InvalidDataError("quote or deal id: %v", err)
	}
	var res PriceResult
	err := db.InTx(ctx, a.Pool, func(q *dbq.Queries) error {
		stored, err := q.QuoteVersionGet(ctx, dbq.QuoteVersionGetParams{QuoteID: qid, Version: int32(in.Version)})
		switch {
		case err == nil:
			if err := json.Unmarshal(stored.Priced, &res.Priced); err != nil {
				return activities.InvalidDataError("quote %s v%d: %v", in.QuoteID, in.Version, err)
			}
			res.Policy, err = policyVersion(ctx, q, res.Priced.PolicyVersion)
			return err
		case !db.IsNotFound(err):
			return err
		}
		inputs, dealRow, err := db.QuotePricingInputs(ctx, q, did, uuid.NullUUID{}, in.Lines, in.Currency, in.At)
		if db.IsNotFound(err) {
			return activities.NotFoundError("no deal %s", in.DealID)
		}
		if err != nil {
			return err
		}
		priced, problems := domain.PriceQuote(in.Lines, inputs)
		if len(problems) > 0 {
			f := workflows.FieldRefusal{Field: problems[0].Field, Message: problems[0].Message}
			return temporal.NewNonRetryableApplicationError(f.Field+": "+f.Message, workflows.ErrTypeInvalidArgument, nil, f)
		}
		res = PriceResult{Priced: priced, Policy: inputs.Policy}
		if in.Version == 1 {
			if err := q.QuoteInsert(ctx, dbq.QuoteInsertParams{ID: qid, DealID: did, PartnerID: dealRow.PartnerID,
				Status: "draft", Currency: in.Currency, NetTotal: priced.NetTotal, ApprovalLevel: int32(priced.ApprovalLevel),
				WorkflowID: in.WorkflowID, CreatedBy: in.Creator.ID, CreatedAt: in.At}); err != nil {
				return err
			}
		}
		b, err := json.Marshal(priced)
		if err != nil {
			return err
		}
		return q.QuoteVersionInsert(ctx, dbq.QuoteVersionInsertParams{QuoteID: qid, Version: int32(in.Version), Priced: b,
			ListTotal: priced.ListTotal, NetTotal: priced.NetTotal, CreatedAt: in.At})
	})
	return res, err
}

func policyVersion(ctx context.Context, q *dbq.Queries, version int) (domain.ChannelPricing, error) {
	if version == 0 {
		return domain.ChannelPricing{}, nil
	}
	row, err := q.QuotePolicyGet(ctx, int32(version))
	if err != nil {
		return domain.ChannelPricing{}, err
	}
	var p domain.ChannelPricing
	if err := json.Unmarshal(row.Policy, &p); err != nil {
		return p, activities.InvalidDataError("quote policy v%d: %v", version, err)
	}
	p.Version = version
	return p, nil
}

// QuoteEvent is one event of a quote's history, numbered by the workflow
// (Seq), with the projection's state after it.
type QuoteEvent struct {
	QuoteID    string         `json:"quote_id"`
	Seq        int            `json:"seq"`
	Type       string         `json:"type"`
	From       string         `json:"from,omitempty"`
	To         string         `json:"to"`
	Version    int            `json:"version"`
	Actor      domain.Actor   `json:"actor"`
	Reason     string         `json:"reason,omitempty"`
	Payload    map[string]any `json:"payload,omitempty"`
	OccurredAt time.Time      `json:"occurred_at"`
	// The projection after the event.
	NetTotal      int64     `json:"net_total"`
	ApprovalLevel int       `json:"approval_level"`
	ValidUntil    time.Time `json:"valid_until"`
	PONumber      string    `json:"po_number,omitempty"`
	AcceptedOn    string    `json:"accepted_on,omitempty"`
	// Notify is who must hear of the event (the workflow decides).
	Notify []Notification `json:"notify,omitempty"`
}

// Notification is a message about a quote to people who must act or know,
// written to the notifications outbox with its event and e-mailed by the
// notify context.
type Notification struct {
	// Audience is role:<role>, partner:<id> or email:<address>.
	Audience string `json:"audience"`
	Kind     string `json:"kind"`
	Subject  string `json:"subject"`
	Body     string `json:"body,omitempty"`
}

// RecordQuoteEvent appends the event to the quote's history, writes its
// notifications to the outbox and moves its projection, in one
// transaction. Idempotent by (quote, seq): a retry writes nothing twice.
func (a *Activities) RecordQuoteEvent(ctx context.Context, e QuoteEvent) error {
	id, err := uuid.Parse(e.QuoteID)
	if err != nil {
		return activities.NotFoundError("no quote %q", e.QuoteID)
	}
	payload, err := json.Marshal(e.Payload)
	if err != nil || e.Payload == nil {
		payload = []byte("{}")
	}
	p := dbq.QuoteApplyEventParams{ID: id, Status: e.To, Version: int32(e.Version), NetTotal: e.NetTotal,
		ApprovalLevel: int32(e.ApprovalLevel), Seq: int32(e.Seq), OccurredAt: e.OccurredAt}
	if !e.ValidUntil.IsZero() {
		p.ValidUntil = pgtype.Timestamptz{Time: e.ValidUntil, Valid: true}
	}
	if e.PONumber != "" {
		p.PoNumber = pgtype.Text{String: e.PONumber, Valid: true}
	}
	if day, err := time.Parse(time.DateOnly, e.AcceptedOn); err == nil {
		p.AcceptedOn = pgtype.Date{Time: day, Valid: true}
	}
	return db.InTx(ctx, a.Pool, func(q *dbq.Queries) error {
		ins := dbq.QuoteEventInsertParams{QuoteID: id, Seq: int32(e.Seq), Type: e.Type, ToStatus: e.To, Version: int32(e.Version),
			ActorID: e.Actor.ID, ActorName: e.Actor.Name, ActorRole: string(e.Actor.Role), ActorPersonID: activities.PersonID(e.Actor),
			Reason: e.Reason, Payload: payload, OccurredAt: e.OccurredAt}
		if e.From != "" {
			ins.FromStatus = pgtype.Text{String: e.From, Valid: true}
		}
		inserted, err := q.QuoteEventInsert(ctx, ins)
		if err != nil {
			return err
		}
		if inserted == 0 {
			e.Notify = nil // recorded, with its notifications, by an earlier attempt
		}
		for i, n := range e.Notify {
			if err := q.QuoteNotificationInsert(ctx, dbq.QuoteNotificationInsertParams{QuoteID: id, Ordinal: int32(i + 1),
				Audience: n.Audience, Kind: n.Kind, Subject: n.Subject, Body: n.Body, CreatedAt: e.OccurredAt}); err != nil {
				return err
			}
		}
		return q.QuoteApplyEvent(ctx, p)
	})
}

// CloseDealInput is the win an accepted quote reports on its deal.
type CloseDealInput struct {
	DealWorkflowID string        `json:"deal_workflow_id"`
	QuoteID        string        `json:"quote_id"`
	Won            deal.CloseWon `json:"won"`
}

// CloseDealWon closes the quote's deal as won through the deal's own
// workflow (its close-won step, one event on the deal's timeline carrying
// the quote's id), with the quote's net amount, product lines and units. A
// deal already won from this quote (a retry) is left as it is; a deal
// that refuses the step fails the activity with the deal's refusal,
// non-retryable, so the acceptance is refused with it.
func (a *Activities) CloseDealWon(ctx context.Context, in CloseDealInput) error {
	st, err := a.Deals.Query(ctx, in.DealWorkflowID)
	if err == nil && st.Status == domain.StatusClosedWon && st.Outcome != nil && st.Outcome.QuoteID == in.QuoteID {
		return nil
	}
	in.Won.QuoteID = in.QuoteID
	_, err = a.Deals.Step(ctx, in.DealWorkflowID, deal.UpdateCloseWon, in.Won)
	if r, ok := workflows.AsRefusal(err); ok {
		var details []any
		if r.Field != nil {
			details = append(details, *r.Field)
		}
		return temporal.NewNonRetryableApplicationError("the deal refused: "+r.Message, r.Kind, nil, details...)
	}
	return err
}
