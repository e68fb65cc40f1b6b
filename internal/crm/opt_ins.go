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

// SetOptIns makes the categories partner shares cats, in one transaction:
// it withdraws the others and opts into the new ones, recording who (by)
// and when (at) of each in the consent history (mapping_opt_in_events); a
// category shared before keeps its first opt-in. The API's PUT
// /v1/mapping/opt-ins and the console's form both save through it; each
// checks the categories first.
func SetOptIns(ctx context.Context, pool *pgxpool.Pool, partner, by uuid.UUID, at time.Time, cats []OptIn) error {
	add := dbq.MappingOptInAddParams{PartnerID: partner, OptedInBy: by, OptedInAt: at}
	for _, c := range cats {
		add.PartnerRelations = append(add.PartnerRelations, c.PartnerRelation)
		add.VendorCategories = append(add.VendorCategories, c.VendorCategory)
	}
	return db.InTx(ctx, pool, func(q *dbq.Queries) error {
		if err := q.MappingOptInRetain(ctx, dbq.MappingOptInRetainParams{PartnerID: partner,
			PartnerRelations: add.PartnerRelations, VendorCategories: add.VendorCategories, ActorID: by, At: at}); err != nil {
			return err
		}
		if len(add.PartnerRelations) == 0 {
			return nil
		}
		return q.MappingOptInAdd(ctx, add)
	})
}
