package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// Event is one transition of a deal, as the workflow decided it. Seq numbers
// a deal's events from 1; recording the same Seq twice changes nothing.
type Event struct {
	DealID     string          `json:"deal_id"`
	Seq        int32           `json:"seq"`
	Type       string          `json:"type"`
	From       domain.Status   `json:"from,omitempty"`
	To         domain.Status   `json:"to"`
	Actor      domain.Actor    `json:"actor"`
	Reason     string          `json:"reason,omitempty"`
	Payload    json.RawMessage `json:"payload,omitempty"`
	OccurredAt time.Time       `json:"occurred_at"`
}

// Submission is a new registration to persist with its first event.
type Submission struct {
	DealID       string              `json:"deal_id"`
	PartnerID    string              `json:"partner_id"`
	WorkflowID   string              `json:"workflow_id"`
	Registration domain.Registration `json:"registration"`
	Event        Event               `json:"event"`
}

// RecordSubmission inserts the deal's projection row and its first event in
// one transaction. Retried, it finds both in place and changes nothing.
func (a *Activities) RecordSubmission(ctx context.Context, s Submission) error {
	id, err := uuid.Parse(s.DealID)
	if err != nil {
		return fmt.Errorf("deal id: %w", err)
	}
	partnerID, err := uuid.Parse(s.PartnerID)
	if err != nil {
		return fmt.Errorf("partner id: %w", err)
	}
	submitter, err := uuid.Parse(s.Event.Actor.ID)
	if err != nil {
		return fmt.Errorf("submitter id: %w", err)
	}
	closeDate, err := time.Parse(time.DateOnly, s.Registration.ExpectedCloseDate)
	if err != nil {
		return fmt.Errorf("expected close date: %w", err)
	}
	r := s.Registration
	return db.InTx(ctx, a.Pool, func(q *dbq.Queries) error {
		if _, err := q.DealInsert(ctx, dbq.DealInsertParams{
			ID:                        id,
			PartnerID:                 partnerID,
			Status:                    string(domain.StatusSubmitted),
			CustomerName:              r.Customer.Name,
			CustomerDomain:            r.Customer.Domain,
			CustomerRegistrableDomain: r.RegistrableDomain,
			CustomerCountry:           r.Customer.Country,
			ContactName:               r.Contact.Name,
			ContactEmail:              r.Contact.Email,
			ProductLines:              r.ProductLines,
			Amount:                    r.Amount,
			Currency:                  r.Currency,
			ExpectedCloseDate:         closeDate,
			Notes:                     r.Notes,
			SubmittedBy:               submitter,
			WorkflowID:                s.WorkflowID,
			CreatedAt:                 s.Event.OccurredAt,
		}); err != nil {
			return err
		}
		return recordEvent(ctx, q, s.Event)
	})
}

// RecordEvent appends one transition to the deal's history and moves its
// projection in the same transaction. Retried, it changes nothing.
func (a *Activities) RecordEvent(ctx context.Context, e Event) error {
	return db.InTx(ctx, a.Pool, func(q *dbq.Queries) error { return recordEvent(ctx, q, e) })
}

func recordEvent(ctx context.Context, q *dbq.Queries, e Event) error {
	id, err := uuid.Parse(e.DealID)
	if err != nil {
		return fmt.Errorf("deal id: %w", err)
	}
	payload := e.Payload
	if len(payload) == 0 {
		payload = json.RawMessage(`{}`)
	}
	inserted, err := q.DealEventInsert(ctx, dbq.DealEventInsertParams{
		DealID:     id,
		Seq:        e.Seq,
		Type:       e.Type,
		FromStatus: pgtype.Text{String: string(e.From), Valid: e.From != ""},
		ToStatus:   string(e.To),
		ActorID:    e.Actor.ID,
		ActorName:  e.Actor.Name,
		ActorRole:  string(e.Actor.Role),
		Reason:     e.Reason,
		Payload:    payload,
		OccurredAt: e.OccurredAt,
	})
	if err != nil || inserted == 0 {
		return err // inserted == 0: recorded by an earlier attempt
	}
	_, err = q.DealApplyEvent(ctx, dbq.DealApplyEventParams{
		ID: id, Status: string(e.To), Seq: e.Seq, OccurredAt: e.OccurredAt,
	})
	return err
}
