package deal

import (
	"context"
	"encoding/json"
	"time"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// Event is one transition of a deal, as the workflow decided it, with the
// deal's state after it (the projection) and whom to notify. Seq numbers a
// deal's events from 1; recording the same Seq twice changes nothing.
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
	// Snapshot is the deal as the workflow holds it after this event; nil
	// leaves the projection's other columns as they are (first event).
	Snapshot *Snapshot      `json:"snapshot,omitempty"`
	Notify   []Notification `json:"notify,omitempty"`
}

// Snapshot is the workflow-owned part of a deal's projection.
type Snapshot struct {
	Status             domain.Status       `json:"status"`
	ProgramID          string              `json:"program_id,omitempty"`
	Registration       domain.Registration `json:"registration"`
	Approvals          int                 `json:"approvals"`
	RequiredApprovals  int                 `json:"required_approvals"`
	SLADueAt           time.Time           `json:"sla_due_at"`
	Escalated          bool                `json:"escalated"`
	InfoQuestion       string              `json:"info_question,omitempty"`
	ExpiresAt          time.Time           `json:"expires_at"`
	ExtensionsUsed     int                 `json:"extensions_used"`
	ExtensionRequested bool                `json:"extension_requested"`
	Outcome            *domain.Outcome     `json:"outcome,omitempty"`
	// CorrectionAmount is the won amount a partner's correction awaiting
	// review asks for (nil: none awaits); the won amount stays until approved.
	CorrectionAmount *int64 `json:"correction_amount,omitempty"`
}

// Notification is a message to people who must act (or know): written to
// the outbox with its event.
type Notification struct {
	// Audience is role:<role>, partner:<id> or email:<address>.
	Audience string `json:"audience"`
	Kind     string `json:"kind"`
	Subject  string `json:"subject"`
}

// Submission is a new registration to persist with its first event.
type Submission struct {
	DealID         string              `json:"deal_id"`
	PartnerID      string              `json:"partner_id"`
	WorkflowID     string              `json:"workflow_id"`
	Registration   domain.Registration `json:"registration"`
	IdempotencyKey string              `json:"idempotency_key,omitempty"`
	RequestHash    string              `json:"request_hash,omitempty"`
	Event          Event               `json:"event"`
}

// RecordSubmission inserts the deal's projection row and its first event in
// one transaction. Retried, it finds both in place and changes nothing.
func (a *Activities) RecordSubmission(ctx context.Context, s Submission) error {
	id, err := uuid.Parse(s.DealID)
	if err != nil {
		return activities.InvalidDataError("deal id: %v", err)
	}
	partnerID, err := uuid.Parse(s.PartnerID)
	if err != nil {
		return activities.InvalidDataError("partner id: %v", err)
	}
	submitter, err := uuid.Parse(s.Event.Actor.ID)
	if err != nil {
		return activities.InvalidDataError("submitter id: %v", err)
	}
	closeDate, err := time.Parse(time.DateOnly, s.Registration.ExpectedCloseDate)
	if err != nil {
		return activities.InvalidDataError("expected close date: %v", err)
	}
	r := s.Registration
	full, core, label := domain.NameColumns(r.Customer.Name, r.RegistrableDomain)
	kind := r.Kind
	if kind == "" {
		kind = domain.KindResale
	}
	return db.InTx(ctx, a.Pool, func(q *dbq.Queries) error {
		if _, err := q.DealInsert(ctx, dbq.DealInsertParams{
			ID:                        id,
			PartnerID:                 partnerID,
			Status:                    string(domain.StatusSubmitted),
			Kind:                      string(kind),
			CustomerName:              r.Customer.Name,
			CustomerDomain:            r.Customer.Domain,
			CustomerRegistrableDomain: r.RegistrableDomain,
			CustomerNameFull:          pgtype.Text{String: full, Valid: true},
			CustomerNameCore:          pgtype.Text{String: core, Valid: true},
			CustomerDomainLabel:       pgtype.Text{String: label, Valid: true},
			CustomerNameKeys:          domain.NameKeys(domain.CompanyName{Full: full, Core: core}),
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
			IdempotencyKey:            optText(s.IdempotencyKey),
			RequestHash:               optText(s.RequestHash),
			CreatedAt:                 s.Event.OccurredAt,
		}); err != nil {
			return err
		}
		return recordEvent(ctx, q, s.Event)
	})
}

// RecordEvent appends one transition to the deal's history, moves its
// projection and writes its notifications, in one transaction. Retried, it
// changes nothing.
func (a *Activities) RecordEvent(ctx context.Context, e Event) error {
	return db.InTx(ctx, a.Pool, func(q *dbq.Queries) error { return recordEvent(ctx, q, e) })
}

func recordEvent(ctx context.Context, q *dbq.Queries, e Event) error {
	id, err := uuid.Parse(e.DealID)
	if err != nil {
		return activities.InvalidDataError("deal id: %v", err)
	}
	payload := e.Payload
	if len(payload) == 0 {
		payload = json.RawMessage(`{}`)
	}
	inserted, err := q.DealEventInsert(ctx, dbq.DealEventInsertParams{
		DealID:        id,
		Seq:           e.Seq,
		Type:          e.Type,
		FromStatus:    pgtype.Text{String: string(e.From), Valid: e.From != ""},
		ToStatus:      string(e.To),
		ActorID:       e.Actor.ID,
		ActorName:     e.Actor.Name,
		ActorRole:     string(e.Actor.Role),
		ActorPersonID: activities.PersonID(e.Actor),
		Reason:        e.Reason,
		Payload:       payload,
		OccurredAt:    e.OccurredAt,
	})
	if err != nil || inserted == 0 {
		return err // inserted == 0: recorded by an earlier attempt
	}
	for i, n := range e.Notify {
		if err := q.NotificationInsert(ctx, dbq.NotificationInsertParams{
			DealID: id, EventSeq: e.Seq, Ordinal: int32(i + 1), Audience: n.Audience, Kind: n.Kind,
			Subject: n.Subject, CreatedAt: e.OccurredAt,
		}); err != nil {
			return err
		}
	}
	params, err := applyParams(id, e)
	if err != nil {
		return err
	}
	applied, err := q.DealApplyEvent(ctx, params)
	if err != nil || applied == 0 {
		return err // applied == 0: a stale event moves neither projection nor rollups
	}
	// The dashboard rollups move with the projection, once per (deal_id, seq).
	if _, err = q.DealRollupMove(ctx, dbq.DealRollupMoveParams{DealID: id, Seq: e.Seq}); err != nil {
		return err
	}
	if e.Type == EventClosedWon {
		// Who sourced the deal and what influenced the win, with the
		// evidence, as the win leaves them (docs/incentives.md).
		_, err = q.DealAttributionRecord(ctx, dbq.DealAttributionRecordParams{DealID: id, WonSeq: e.Seq,
			ActorID: e.Actor.ID, ActorName: e.Actor.Name, ActorRole: string(e.Actor.Role), RecordedAt: e.OccurredAt})
	}
	return err
}

// EventClosedWon is the type of the event that wins a deal: recording it
// records the deal's attribution in the same transaction.
const EventClosedWon = "closed_won"

// applyParams maps an event's snapshot onto the projection's columns.
func applyParams(id uuid.UUID, e Event) (dbq.DealApplyEventParams, error) {
	s := e.Snapshot
	if s == nil {
		return dbq.DealApplyEventParams{}, activities.InvalidDataError("event %d of deal %s has no snapshot", e.Seq, e.DealID)
	}
	r := s.Registration
	closeDate, err := time.Parse(time.DateOnly, r.ExpectedCloseDate)
	if err != nil {
		return dbq.DealApplyEventParams{}, activities.InvalidDataError("expected close date: %v", err)
	}
	p := dbq.DealApplyEventParams{
		ID: id, Status: string(s.Status), Seq: e.Seq, OccurredAt: e.OccurredAt,
		ContactName: r.Contact.Name, ContactEmail: r.Contact.Email, ProductLines: r.ProductLines,
		Amount: r.Amount, Currency: r.Currency, ExpectedCloseDate: closeDate, Notes: r.Notes,
		Approvals: int32(s.Approvals), RequiredApprovals: int32(s.RequiredApprovals),
		SlaDueAt: optTime(s.SLADueAt), Escalated: s.Escalated, InfoQuestion: s.InfoQuestion,
		ExpiresAt: optTime(s.ExpiresAt), ExtensionsUsed: int32(s.ExtensionsUsed), ExtensionRequested: s.ExtensionRequested,
	}
	if s.CorrectionAmount != nil {
		p.CorrectionPendingAmount = pgtype.Int8{Int64: *s.CorrectionAmount, Valid: true}
	}
	if s.ProgramID != "" {
		pid, err := uuid.Parse(s.ProgramID)
		if err != nil {
			return p, activities.InvalidDataError("program id: %v", err)
		}
		p.ProgramID = uuid.NullUUID{UUID: pid, Valid: true}
	}
	if o := s.Outcome; o != nil {
		if d, err := time.Parse(time.DateOnly, o.CloseDate); err == nil {
			p.ClosedOn = pgtype.Date{Time: d, Valid: true}
		}
		p.CloseReason = o.Reason
		if o.Won {
			p.WonAmount = pgtype.Int8{Int64: o.Amount, Valid: true}
			p.WonCurrency = pgtype.Text{String: o.Currency, Valid: true}
			p.WonProductLines = o.ProductLines
			p.WonUnits = pgtype.Int8{Int64: max(o.Units, 1), Valid: true}
		}
	}
	return p, nil
}

func optText(s string) pgtype.Text { return pgtype.Text{String: s, Valid: s != ""} }

func optTime(t time.Time) pgtype.Timestamptz { return pgtype.Timestamptz{Time: t, Valid: !t.IsZero()} }
