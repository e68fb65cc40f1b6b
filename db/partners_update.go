package db

import (
	"context"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PartnerChange changes a partner organization's type, tier or program
// (nil: unchanged); each change is recorded as a partner event with the
// actor and the reason, so the tier history is the partner's tier events.
type PartnerChange struct {
	Type, Tier *string
	// Program is the new program (a NullUUID with Valid false: none).
	Program *uuid.NullUUID
	Reason  string
	// Actor: the user (none for the command line), its person, its name.
	ActorUser, ActorPerson uuid.NullUUID
	ActorName              string
	At                     time.Time
}

// UpdatePartner applies ch to the partner id in one transaction and
// returns the partner as it is now.
func UpdatePartner(ctx context.Context, pool *pgxpool.Pool, id uuid.UUID, ch PartnerChange) (dbq.Partner, error) {
	var out dbq.Partner
	err := InTx(ctx, pool, func(q *dbq.Queries) error {
		p, err := q.PartnerGetForUpdate(ctx, id)
		if err != nil {
			return err
		}
		next := dbq.PartnerUpdateParams{ID: id, Type: p.Type, Tier: p.Tier, ProgramID: p.ProgramID}
		event := func(kind, old, new string) error {
			if old == new {
				return nil
			}
			return q.PartnerEventAdd(ctx, dbq.PartnerEventAddParams{PartnerID: id, Kind: kind, OldValue: old, NewValue: new,
				ActorUserID: ch.ActorUser, ActorPersonID: ch.ActorPerson, ActorName: ch.ActorName, Reason: ch.Reason, At: ch.At})
		}
		if ch.Type != nil {
			if err := event("type", p.Type, *ch.Type); err != nil {
				return err
			}
			next.Type = *ch.Type
		}
		if ch.Tier != nil {
			if err := event("tier", p.Tier, *ch.Tier); err != nil {
				return err
			}
			next.Tier = *ch.Tier
		}
		if ch.Program != nil {
			if err := event("program", nullID(p.ProgramID), nullID(*ch.Program)); err != nil {
				return err
			}
			next.ProgramID = *ch.Program
		}
		out, err = q.PartnerUpdate(ctx, next)
		return err
	})
	return out, err
}

func nullID(id uuid.NullUUID) string {
	if !id.Valid {
		return ""
	}
	return id.UUID.String()
}
