package lead

import (
	"context"
	"encoding/json"
	"time"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// Change is one step of a lead as the workflow decided it: its event, the
// lead's projection after it, and the offers it opens or closes. Seq
// numbers a lead's events from 1; recording the same Seq twice changes
// nothing.
type Change struct {
	LeadID     string          `json:"lead_id"`
	Seq        int32           `json:"seq"`
	Type       string          `json:"type"`
	From       string          `json:"from,omitempty"`
	To         string          `json:"to"`
	Actor      domain.Actor    `json:"actor"`
	Reason     string          `json:"reason,omitempty"`
	Payload    json.RawMessage `json:"payload,omitempty"`
	OccurredAt time.Time       `json:"occurred_at"`
	// New is set on the first change: the lead to insert.
	New *lead.Input `json:"new,omitempty"`
	// State is the workflow's state after the change (the projection).
	State lead.State `json:"state"`
	// Offer opens an offer to each of these partners in State.Round, due
	// at State.AcceptDueAt, and counts it for round-robin unless Counted.
	Offer []string `json:"offer,omitempty"`
	// Counted says the Offer is routing's pick for State.Round (LeadRoute),
	// counted for round-robin when picked: it is not counted again. An
	// offer made otherwise (a manager's assignment) is counted here; so
	// is one marked Counted whose pick is not kept (routed by a worker from
	// before picks were counted).
	Counted bool `json:"counted,omitempty"`
	// Close closes open offers of round CloseRound with Outcome: one
	// partner's (ClosePartner) or all still open.
	CloseRound   int    `json:"close_round,omitempty"`
	ClosePartner string `json:"close_partner,omitempty"`
	Outcome      string `json:"outcome,omitempty"`
}

// LeadRecord writes a change in one transaction: the lead (first change), the
// event, the offers (counted for round-robin unless routing counted them),
// the projection and the notifications of the partners
// it concerns (offers, reminders, time-outs, pullbacks, withdrawals). A change already recorded (its
// seq exists) is left as it is.
func (a *Activities) LeadRecord(ctx context.Context, c Change) error {
	id, err := uuid.Parse(c.LeadID)
	if err != nil {
		return activities.InvalidDataError("lead id: %v", err)
	}
	return db.InTx(ctx, a.Pool, func(q *dbq.Queries) error {
		if n := c.New; n != nil {
			program, err := uuid.Parse(n.ProgramID)
			if err != nil {
				return activities.InvalidDataError("program id: %v", err)
			}
			l := n.Lead
			if _, err := q.LeadInsert(ctx, dbq.LeadInsertParams{
				ID: id, ProgramID: program, Source: n.Source, CompanyName: l.Company.Name, CompanyDomain: l.Company.Domain,
				RegistrableDomain: l.RegistrableDomain, Country: l.Company.Country, Region: l.Region,
				ContactName: l.Contact.Name, ContactEmail: l.Contact.Email, ProductLines: nonNil(l.ProductLines),
				Tags: nonNil(l.Tags), Amount: l.Amount, Currency: l.Currency, Notes: l.Notes,
				WorkflowID: lead.WorkflowID(c.LeadID), CreatedBy: n.Creator.ID, CreatedAt: c.OccurredAt,
			}); err != nil {
				return err
			}
			if at := n.Attribution; at != nil {
				ts := func(t time.Time) pgtype.Timestamptz { return pgtype.Timestamptz{Time: t, Valid: !t.IsZero()} }
				if err := q.LeadAttribute(ctx, dbq.LeadAttributeParams{ID: id,
					ReferralCode:        pgtype.Text{String: at.Code, Valid: at.Code != ""},
					AttributedPartnerID: nullID(at.PartnerID), TouchedAt: ts(at.TouchedAt),
					ConsentVersion: pgtype.Text{String: at.ConsentVersion, Valid: at.ConsentVersion != ""}, ConsentAt: ts(at.ConsentAt),
				}); err != nil {
					return err
				}
			}
		}
		payload := c.Payload
		if len(payload) == 0 {
			payload = json.RawMessage(`{}`)
		}
		n, err := q.LeadEventInsert(ctx, dbq.LeadEventInsertParams{
			LeadID: id, Seq: c.Seq, Type: c.Type, FromStatus: pgtype.Text{String: c.From, Valid: c.From != ""},
			ToStatus: c.To, ActorID: c.Actor.ID, ActorName: c.Actor.Name, ActorRole: string(c.Actor.Role),
			Reason: c.Reason, Payload: payload, OccurredAt: c.OccurredAt,
		})
		if err != nil || n == 0 {
			return err // recorded already: a retry
		}
		if c.Outcome != "" {
			p := uuid.NullUUID{}
			if c.ClosePartner != "" {
				if p.UUID, err = uuid.Parse(c.ClosePartner); err != nil {
					return activities.InvalidDataError("partner id: %v", err)
				}
				p.Valid = true
			}
			if err := q.LeadOfferDecide(ctx, dbq.LeadOfferDecideParams{LeadID: id, Round: int32(c.CloseRound), PartnerID: p,
				Outcome: c.Outcome, Reason: c.Reason, DecidedAt: pgtype.Timestamptz{Time: c.OccurredAt, Valid: true}}); err != nil {
				return err
			}
		}
		var offered []uuid.UUID
		for _, s := range c.Offer {
			p, err := uuid.Parse(s)
			if err != nil {
				return activities.InvalidDataError("partner id: %v", err)
			}
			offered = append(offered, p)
			if err := q.LeadOfferInsert(ctx, dbq.LeadOfferInsertParams{LeadID: id, Round: int32(c.State.Round), PartnerID: p,
				OfferedAt: c.OccurredAt, DueAt: c.State.AcceptDueAt}); err != nil {
				return err
			}
		}
		if len(offered) > 0 {
			counted := false
			if c.Counted {
				_, err := q.LeadRoutePickGet(ctx, dbq.LeadRoutePickGetParams{LeadID: id, Round: int32(c.State.Round)})
				if err != nil && !db.IsNotFound(err) {
					return err
				}
				counted = err == nil
			}
			if !counted {
				if err := q.LeadProfileAssigned(ctx, offered); err != nil {
					return err
				}
			}
		}
		s := c.State
		if len(s.Conflicts) > 0 {
			raw, err := json.Marshal(s.Conflicts)
			if err != nil {
				return activities.InvalidDataError("conflicts: %v", err)
			}
			if err := q.LeadSetConflicts(ctx, dbq.LeadSetConflictsParams{ID: id, Conflicts: raw}); err != nil {
				return err
			}
		}
		if err := q.LeadProject(ctx, dbq.LeadProjectParams{
			ID: id, Status: s.Status, PartnerID: nullID(s.PartnerID), DealID: nullID(s.DealID), Round: int32(s.Round),
			AcceptDueAt:  pgtype.Timestamptz{Time: s.AcceptDueAt, Valid: !s.AcceptDueAt.IsZero() && s.Status == lead.StatusOffered},
			ContactDueAt: pgtype.Timestamptz{Time: s.ContactDueAt, Valid: !s.ContactDueAt.IsZero() && s.Status == lead.StatusAccepted},
			Seq:          c.Seq, UpdatedAt: c.OccurredAt,
		}); err != nil {
			return err
		}
		return notifyLead(ctx, q, id, c)
	})
}

func nullID(s string) uuid.NullUUID {
	id, err := uuid.Parse(s)
	return uuid.NullUUID{UUID: id, Valid: err == nil}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
