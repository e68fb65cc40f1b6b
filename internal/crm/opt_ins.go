package crm

import (
	"context"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// OptIn is one account-mapping category a partner shares: its relation to
// its account and the vendor's category of the match.
type OptIn struct {
	PartnerRelation string
	VendorCategory  string
}

// SetOptIns replaces the categories partner shares with cats in one
// transaction, recording who opted in (by) and when (at). The API's PUT
// /v1/mapping/opt-ins and the console's form both save through it; each
// checks the categories first.
func SetOptIns(ctx context.Context, pool *pgxpool.Pool, partner, by uuid.UUID, at time.Time, cats []OptIn) error {
	add := dbq.MappingOptInAddParams{PartnerID: partner, OptedInBy: by, OptedInAt: at}
	for _, c := range cats {
		add.PartnerRelations = append(add.PartnerRelations, c.PartnerRelation)
		add.VendorCategories = append(add.VendorCategories, c.VendorCategory)
	}
	return db.InTx(ctx, pool, func(q *dbq.Queries) error {
		if err := q.MappingOptInClear(ctx, partner); err != nil {
			return err
		}
		if len(add.PartnerRelations) == 0 {
			return nil
		}
		return q.MappingOptInAdd(ctx, add)
	})
}
