// Package cosell holds the co-selling context's activities: recording an
// engagement's request and each of its steps (event, projection and
// notifications in one transaction, idempotent by (engagement, seq)) and
// routing a request to a seller. The CoSellEngagement workflow
// (workflows/cosell/engagement) calls them through a nil *Activities.
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
	"github.com/jackc/pgx/v5/pgxpool"
)

// Activities holds what the co-sell steps need: the PostgreSQL pool, and
// the deal context's client that registers a shared opportunity's winner
// (nil: RegisterSharedOpportunity cannot run).
type Activities struct {
	Pool  *pgxpool.Pool
	Deals Registrar
}

// New returns Activities using pool.
func New(pool *pgxpool.Pool) *Activities { return &Activities{Pool: pool} }

// Event is one step of an engagement as the workflow decided it, with the
// engagement's state after it (the projection) and whom to notify.
type Event struct {
	EngagementID string          `json:"engagement_id"`
	Seq          int32           `json:"seq"`
	Type         string          `json:"type"`
	Actor        domain.Actor    `json:"actor"`
	Reason       string          `json:"reason,omitempty"`
	Payload      json.RawMessage `json:"payload,omitempty"`
	OccurredAt   time.Time       `json:"occurred_at"`
	State        cosell.State    `json:"state"`
	Notify       []Notification  `json:"notify,omitempty"`
}

// Notification is a message to people who must act or know, written to
// the engagement's outbox with its event.
type Notification struct {
	// Audience is email:<address>, role:<role> or partner:<id>.
	Audience string `json:"audience"`
	Kind     string `json:"kind"`
	Subject  string `json:"subject"`
}

// Start is a new request to persist with its first event.
type Start struct {
	WorkflowID string       `json:"workflow_id"`
	Request    cosell.Input `json:"request"`
	Event      Event        `json:"event"`
}

// RecordCoSellRequest inserts the engagement's projection and its first event in
// one transaction. Retried, it finds both in place and changes nothing. A
// second open engagement on the deal is refused for good (the unique
// index), which the workflow reports.
func (a *Activities) RecordCoSellRequest(ctx context.Context, s Start) error {
	id, err := uuid.Parse(s.Request.EngagementID)
	if err != nil {
		return activities.InvalidDataError("engagement id: %v", err)
	}
	dealID, err := uuid.Parse(s.Request.DealID)
	if err != nil {
		return activities.InvalidDataError("deal id: %v", err)
	}
	partnerID, err := uuid.Parse(s.Request.PartnerID)
	if err != nil {
		return activities.InvalidDataError("partner id: %v", err)
	}
	by, err := uuid.Parse(s.Request.Requester.ID)
	if err != nil {
		return activities.InvalidDataError("requester id: %v", err)
	}
	needBy, err := time.Parse(time.DateOnly, s.Request.Request.NeedBy)
	if err != nil {
		return activities.InvalidDataError("need-by date: %v", err)
	}
	return db.InTx(ctx, a.Pool, func(q *dbq.Queries) error {
		if _, err := q.CoSellEngagementInsert(ctx, dbq.CoSellEngagementInsertParams{
			ID: id, DealID: dealID, PartnerID: partnerID, WorkflowID: s.WorkflowID,
			Type: string(s.Request.Request.Type), NeedBy: needBy, Message: s.Request.Request.Message,
			CreatedBy: by, CreatedAt: s.Event.OccurredAt,
		}); err != nil {
			return err
		}
		return recordEvent(ctx, q, s.Event)
	})
}

// RecordCoSellEvent records one step: its event, the projection and the
// notifications, in one transaction. Recording the same Seq twice changes
// nothing.
func (a *Activities) RecordCoSellEvent(ctx context.Context, e Event) error {
	return db.InTx(ctx, a.Pool, func(q *dbq.Queries) error { return recordEvent(ctx, q, e) })
}

func recordEvent(ctx context.Context, q *dbq.Queries, e Event) error {
	id, err := uuid.Parse(e.EngagementID)
	if err != nil {
		return activities.InvalidDataError("engagement id: %v", err)
	}
	payload := e.Payload
	if len(payload) == 0 {
		payload = json.RawMessage(`{}`)
	}
	var person uuid.NullUUID
	if p, err := uuid.Parse(e.Actor.PersonID); err == nil {
		person = uuid.NullUUID{UUID: p, Valid: true}
	}
	n, err := q.CoSellEventInsert(ctx, dbq.CoSellEventInsertParams{
		EngagementID: id, Seq: e.Seq, Type: e.Type, ActorID: e.Actor.ID, ActorName: e.Actor.Name,
		ActorRole: string(e.Actor.Role), ActorPersonID: person, Reason: e.Reason, Payload: payload, OccurredAt: e.OccurredAt,
	})
	if err != nil || n == 0 {
		return err // n == 0: recorded by an earlier attempt
	}
	st := e.State
	plan, err := json.Marshal(nonNil(st.Milestones))
	if err != nil {
		return err
	}
	notes, err := json.Marshal(nonNil(st.Notes))
	if err != nil {
		return err
	}
	var due pgtype.Timestamptz
	if st.Status == cosell.StatusRequested && !st.RespondBy.IsZero() {
		due = pgtype.Timestamptz{Time: st.RespondBy, Valid: true}
	}
	if err := q.CoSellEngagementProject(ctx, dbq.CoSellEngagementProjectParams{
		ID: id, Status: string(st.Status), RoutedVia: st.Assignee.Via, AssigneeEmail: st.Assignee.Email,
		Stage: string(st.Stage), NextSteps: st.NextSteps, ResponseDueAt: due, Reminded: st.Reminded,
		Escalated: st.Escalated, DeclineReason: st.DeclineReason, Outcome: string(st.Outcome),
		Plan: plan, Notes: notes, Seq: e.Seq, UpdatedAt: e.OccurredAt,
	}); err != nil {
		return err
	}
	for i, n := range e.Notify {
		if err := q.CoSellNotificationInsert(ctx, dbq.CoSellNotificationInsertParams{
			EngagementID: uuid.NullUUID{UUID: id, Valid: true}, EventSeq: e.Seq, Ordinal: int32(i + 1), Audience: n.Audience, Kind: n.Kind,
			Subject: n.Subject, CreatedAt: e.OccurredAt,
		}); err != nil {
			return err
		}
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// RouteCoSell finds whom a request on deal dealID goes to: the seller who owns
// the customer's account in the CRM, else the seller of the most specific
// territory covering the deal's country and product lines
// (domain.PickTerritory), else the channel managers' queue.
func (a *Activities) RouteCoSell(ctx context.Context, dealID string) (cosell.Assignment, error) {
	id, err := uuid.Parse(dealID)
	if err != nil {
		return cosell.Assignment{}, activities.InvalidDataError("deal id: %v", err)
	}
	q := dbq.New(a.Pool)
	owner, err := q.CoSellAccountOwner(ctx, id)
	switch {
	case err == nil:
		return cosell.Assignment{Email: owner, Via: cosell.ViaAccountOwner}, nil
	case !db.IsNotFound(err):
		return cosell.Assignment{}, err
	}
	facts, err := q.CoSellDealFacts(ctx, dbq.CoSellDealFactsParams{ID: id})
	if err != nil {
		return cosell.Assignment{}, err
	}
	rows, err := q.CoSellTerritoryList(ctx)
	if err != nil {
		return cosell.Assignment{}, err
	}
	rules := make([]domain.Territory, len(rows))
	for i, r := range rows {
		rules[i] = domain.Territory{SellerEmail: r.SellerEmail, Country: r.Country, ProductLine: r.ProductLine}
	}
	if t, ok := domain.PickTerritory(rules, facts.CustomerCountry, facts.ProductLines); ok {
		return cosell.Assignment{Email: t.SellerEmail, Via: cosell.ViaTerritory}, nil
	}
	return cosell.Assignment{Via: cosell.ViaQueue}, nil
}
