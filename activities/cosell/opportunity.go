package cosell

import (
	"context"
	"encoding/json"
	"time"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/cosell"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// OpportunityEvent is one step of a shared opportunity as the workflow
// decided it, with the opportunity's state after it (the projection of
// the opportunity and its invitations) and whom to notify.
type OpportunityEvent struct {
	OpportunityID string `json:"opportunity_id"`
	Seq           int32  `json:"seq"`
	Type          string `json:"type"`
	// PartnerID is the invitation the step is about ("" : the opportunity).
	PartnerID  string                  `json:"partner_id,omitempty"`
	Actor      domain.Actor            `json:"actor"`
	Reason     string                  `json:"reason,omitempty"`
	Payload    json.RawMessage         `json:"payload,omitempty"`
	OccurredAt time.Time               `json:"occurred_at"`
	State      cosell.OpportunityState `json:"state"`
	Notify     []Notification          `json:"notify,omitempty"`
}

// OpportunityStart is a newly shared opportunity to persist with its first
// event (which opens the invitations).
type OpportunityStart struct {
	WorkflowID string                  `json:"workflow_id"`
	Input      cosell.OpportunityInput `json:"input"`
	Event      OpportunityEvent        `json:"event"`
}

// RecordSharedOpportunity inserts the opportunity's projection, its first
// event and its invitations in one transaction. Retried, it finds them in
// place and changes nothing.
func (a *Activities) RecordSharedOpportunity(ctx context.Context, s OpportunityStart) error {
	id, err := uuid.Parse(s.Input.OpportunityID)
	if err != nil {
		return activities.InvalidDataError("opportunity id: %v", err)
	}
	by, err := uuid.Parse(s.Input.Seller.Actor.ID)
	if err != nil {
		return activities.InvalidDataError("seller id: %v", err)
	}
	o := s.Input.Opportunity
	closeDate, err := time.Parse(time.DateOnly, o.ExpectedCloseDate)
	if err != nil {
		return activities.InvalidDataError("expected close date: %v", err)
	}
	filters := s.Input.Filters
	if len(filters) == 0 {
		filters = json.RawMessage(`{}`)
	}
	return db.InTx(ctx, a.Pool, func(q *dbq.Queries) error {
		if _, err := q.SharedOpportunityInsert(ctx, dbq.SharedOpportunityInsertParams{
			ID: id, WorkflowID: s.WorkflowID, Mode: string(s.Input.Mode), CustomerName: o.CustomerName,
			RegistrableDomain: o.RegistrableDomain, Country: o.Country, ProductLines: nonNil(o.ProductLines),
			Amount: o.Amount, Currency: o.Currency, Capabilities: nonNil(o.Capabilities), ExpectedCloseDate: closeDate,
			Notes: o.Notes, Filters: filters, SellerEmail: s.Event.State.SellerEmail, CreatedBy: by, CreatedAt: s.Event.OccurredAt,
		}); err != nil {
			return err
		}
		return recordOpportunityEvent(ctx, q, s.Event)
	})
}

// RecordSharedOpportunityEvent records one step: its event, the
// projection (opportunity and invitations) and the notifications, in one
// transaction. Recording the same Seq twice changes nothing.
func (a *Activities) RecordSharedOpportunityEvent(ctx context.Context, e OpportunityEvent) error {
	return db.InTx(ctx, a.Pool, func(q *dbq.Queries) error { return recordOpportunityEvent(ctx, q, e) })
}

func recordOpportunityEvent(ctx context.Context, q *dbq.Queries, e OpportunityEvent) error {
	id, err := uuid.Parse(e.OpportunityID)
	if err != nil {
		return activities.InvalidDataError("opportunity id: %v", err)
	}
	payload := e.Payload
	if len(payload) == 0 {
		payload = json.RawMessage(`{}`)
	}
	var person uuid.NullUUID
	if p, err := uuid.Parse(e.Actor.PersonID); err == nil {
		person = uuid.NullUUID{UUID: p, Valid: true}
	}
	n, err := q.SharedOpportunityEventInsert(ctx, dbq.SharedOpportunityEventInsertParams{
		OpportunityID: id, Seq: e.Seq, Type: e.Type, PartnerID: nullID(e.PartnerID), ActorID: e.Actor.ID,
		ActorName: e.Actor.Name, ActorRole: string(e.Actor.Role), ActorPersonID: person, Reason: e.Reason,
		Payload: payload, OccurredAt: e.OccurredAt,
	})
	if err != nil || n == 0 {
		return err // n == 0: recorded by an earlier attempt
	}
	st := e.State
	if err := q.SharedOpportunityProject(ctx, dbq.SharedOpportunityProjectParams{
		ID: id, Status: string(st.Status), WinnerPartnerID: nullID(st.WinnerPartnerID), DealID: nullID(st.DealID),
		DealStatus: st.DealStatus, Seq: e.Seq, UpdatedAt: e.OccurredAt,
	}); err != nil {
		return err
	}
	for _, inv := range st.Invitations {
		partner, err := uuid.Parse(inv.PartnerID)
		if err != nil {
			return activities.InvalidDataError("partner id: %v", err)
		}
		if err := q.SharedOpportunityInvitationUpsert(ctx, dbq.SharedOpportunityInvitationUpsertParams{
			OpportunityID: id, PartnerID: partner, Status: string(inv.Status), DealID: nullID(inv.DealID),
			Reason: inv.Reason, InvitedAt: st.InvitedAt, ExpiresAt: inv.ExpiresAt,
			InterestedAt: nullTime(inv.InterestedAt), DecidedAt: nullTime(inv.DecidedAt),
		}); err != nil {
			return err
		}
	}
	for i, n := range e.Notify {
		if err := q.SharedOpportunityNotificationInsert(ctx, dbq.SharedOpportunityNotificationInsertParams{
			OpportunityID: uuid.NullUUID{UUID: id, Valid: true}, EventSeq: e.Seq, Ordinal: int32(i + 1),
			Audience: n.Audience, Kind: n.Kind, Subject: n.Subject, CreatedAt: e.OccurredAt,
		}); err != nil {
			return err
		}
	}
	return nil
}

func nullID(s string) uuid.NullUUID {
	if id, err := uuid.Parse(s); err == nil {
		return uuid.NullUUID{UUID: id, Valid: true}
	}
	return uuid.NullUUID{}
}

func nullTime(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: t, Valid: !t.IsZero()}
}
