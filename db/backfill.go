package db

import (
	"context"
	"log/slog"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// BackfillNames fills the normalized-name columns of deals registered
// before they existed (SQL cannot compute them: the normalizer is Go). It
// is idempotent and runs after migrations.
func BackfillNames(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	q := dbq.New(pool)
	total := 0
	for {
		rows, err := q.DealsMissingNames(ctx)
		if err != nil || len(rows) == 0 {
			if total > 0 {
				log.Info("normalized names backfilled", "deals", total)
			}
			return err
		}
		for _, r := range rows {
			full, core, label := domain.NameColumns(r.CustomerName, r.CustomerRegistrableDomain)
			if err := q.DealSetNames(ctx, dbq.DealSetNamesParams{ID: r.ID,
				NameFull: pgtype.Text{String: full, Valid: true}, NameCore: pgtype.Text{String: core, Valid: true},
				DomainLabel: pgtype.Text{String: label, Valid: true},
				NameKeys:    domain.NameKeys(domain.CompanyName{Full: full, Core: core})}); err != nil {
				return err
			}
		}
		total += len(rows)
	}
}
