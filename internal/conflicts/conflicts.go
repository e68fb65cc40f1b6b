// Package conflicts is dealflow's conflict engine: it finds what else —
// another partner's registration, a CRM account, a direct-sales
// opportunity — names the same customer, scored and explained by
// domain.Compare. Screening (activities/deal) and the API's pre-check and
// conflict review use it alike.
package conflicts

import (
	"context"
	"sort"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Finder finds what else names the same customer. It is the seam where
// conflict detection plugs into screening; Engine is the built-in one.
type Finder interface {
	FindConflicts(ctx context.Context, q Query) ([]domain.Conflict, error)
}

// Query describes the customer being checked.
type Query struct {
	// DealID is the registration being screened (uuid.Nil for a pre-check).
	DealID uuid.UUID
	// ExcludePartner leaves out that partner's own registrations and
	// accounts (uuid.NullUUID{} leaves out nothing).
	ExcludePartner uuid.NullUUID
	Customer       domain.Customer
	ProductLines   []string
	Thresholds     domain.MatchThresholds
}

// Engine finds conflicts in two steps: PostgreSQL gathers
// candidates through indexes (trigram-similar normalized names, the same
// registrable domain or domain name), then each candidate is scored and
// explained by domain.Compare. Candidates below the likely threshold are
// dropped.
type Engine struct{ Pool *pgxpool.Pool }

// FindConflicts implements Finder; results are ordered by score,
// then by who registered first.
func (e Engine) FindConflicts(ctx context.Context, q Query) ([]domain.Conflict, error) {
	me := domain.NewParty(q.Customer.Name, q.Customer.Domain, q.Customer.Country, q.ProductLines)
	reg, label := domain.MatchableDomain(me.Registrable)
	full, core := domain.SplitNameKeys(me.Name)
	rows, err := e.candidates(ctx, dbq.ConflictCandidatesParams{
		DealID: q.DealID, ExcludePartnerID: q.ExcludePartner, FullKeys: nonNil(full), CoreKeys: nonNil(core),
		RegistrableDomain: reg, DomainLabel: label,
	})
	if err != nil {
		return nil, err
	}
	out := make([]domain.Conflict, 0, len(rows))
	for _, r := range rows {
		other := domain.Party{
			Name:        domain.CompanyName{Full: r.NameFull, Core: r.NameCore},
			Registrable: r.RegistrableDomain, Country: r.Country, ProductLines: r.ProductLines,
		}
		m, ok := domain.FindMatch(me, other, q.Thresholds)
		if !ok {
			continue
		}
		c := domain.Conflict{
			Source: r.Source, ID: r.ID.String(), PartnerID: r.OwnerPartnerID, Status: domain.Status(r.Status),
			Name: r.Name, RegistrableDomain: r.RegistrableDomain, Country: r.Country, Owner: r.Owner,
			ReservedForDirect: r.ReservedForDirect, RegisteredAt: r.CreatedAt,
			Score: m.Score, Class: m.Class, Reason: m.Explanation,
		}
		if r.Source == domain.SourceRegistration {
			c.DealID = c.ID
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].RegisteredAt.Before(out[j].RegisteredAt)
	})
	return out, nil
}

// candidates runs the candidate query on its cached generic plan: the query
// reaches rows only through indexes whatever its parameters, and planning it
// afresh each time (the pool's default) would cost more than running it.
func (e Engine) candidates(ctx context.Context, p dbq.ConflictCandidatesParams) ([]dbq.ConflictCandidatesRow, error) {
	tx, err := e.Pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read-only
	// Every branch of the query has an index; a LIMIT must never tempt the
	// planner into a sequential scan that "finds 25 rows early".
	if _, err := tx.Exec(ctx, `SELECT set_config('plan_cache_mode', 'force_generic_plan', true),
		set_config('enable_seqscan', 'off', true)`); err != nil {
		return nil, err
	}
	rows, err := dbq.New(tx).ConflictCandidates(ctx, p)
	if err != nil {
		return nil, err
	}
	return rows, tx.Commit(ctx)
}

// nonNil passes an empty array rather than NULL, which && would not match.
func nonNil(keys []int64) []int64 {
	if keys == nil {
		return []int64{}
	}
	return keys
}
