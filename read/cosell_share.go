package read

import (
	"context"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
)

// SharePartnerFilter chooses the partners an opportunity is shared with
// (empty fields: any): types, tiers (lower case), and from the lead
// profile a country, product lines (any) and tags (all); and ids.
type SharePartnerFilter struct {
	Types, Tiers, ProductLines, Tags []string
	Country                          string
	IDs                              []string
}

// EligiblePartners returns the ids of the partners f chooses, by name, at
// most limit of them.
func (r *Reader) EligiblePartners(ctx context.Context, f SharePartnerFilter, limit int32) ([]string, error) {
	ids := make([]uuid.UUID, 0, len(f.IDs))
	for _, s := range f.IDs {
		id, err := uuid.Parse(s)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	rows, err := r.q.SharedOpportunityEligiblePartners(ctx, dbq.SharedOpportunityEligiblePartnersParams{
		Types: nonNil(f.Types), Tiers: nonNil(f.Tiers), Country: f.Country, ProductLines: nonNil(f.ProductLines),
		Tags: nonNil(f.Tags), Ids: ids, MaxPartners: limit,
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(rows))
	for i, row := range rows {
		out[i] = row.ID.String()
	}
	return out, nil
}
