package read

import (
	"context"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
)

// ExcludedDealView is a deal a cycle froze but does not pay (a deal won
// in another currency than the program's), and why.
type ExcludedDealView struct {
	DealID      string `json:"deal_id"`
	PartnerID   string `json:"partner_id"`
	PartnerName string `json:"partner_name,omitempty"`
	Currency    string `json:"currency"`
	Amount      int64  `json:"amount"`
	ClosedOn    string `json:"closed_on"`
	Reason      string `json:"reason"`
}

// ExcludedSummary counts a cycle's excluded deals for one reason.
type ExcludedSummary struct {
	Reason string `json:"reason"`
	Deals  int    `json:"deals"`
	Amount int64  `json:"amount"`
}

// ExcludedListed is how many excluded deals a cycle's view, its console
// page and an explanation list; GET /v1/cycles/{id}/excluded-deals pages
// through all of them.
const ExcludedListed = 100

func excludedDealView(r dbq.CycleExcludedDealsRow) ExcludedDealView {
	return ExcludedDealView{DealID: r.DealID.String(), PartnerID: r.PartnerID.String(), PartnerName: r.PartnerName,
		Currency: r.Currency, Amount: r.Amount, ClosedOn: r.ClosedOn.Format(time.DateOnly), Reason: r.Reason}
}

// ExcludedDeals reads a page of a cycle's excluded deals, a partner's only
// when scope is set (scoped in SQL); more reports whether there are more.
func (rd *Reader) ExcludedDeals(ctx context.Context, p dbq.CycleExcludedDealsParams) (out []ExcludedDealView, more bool, err error) {
	max := p.MaxRows
	p.MaxRows++
	if p.AfterClosed.IsZero() {
		p.AfterClosed = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	rows, err := rd.q.CycleExcludedDeals(ctx, p)
	if err != nil {
		return nil, false, err
	}
	if more = len(rows) > int(max); more {
		rows = rows[:max]
	}
	out = make([]ExcludedDealView, 0, len(rows))
	for _, r := range rows {
		out = append(out, excludedDealView(r))
	}
	return out, more, nil
}

// WithExcluded adds to v its excluded deals by reason and the first
// ExcludedListed of them, reading nothing when the cycle excluded none.
func (rd *Reader) WithExcluded(ctx context.Context, v *CycleView) error {
	v.ExcludedDeals = []ExcludedDealView{}
	if v.ExcludedInputs == 0 {
		return nil
	}
	id := uuid.MustParse(v.ID)
	sums, err := rd.q.CycleExcludedInputs(ctx, id)
	if err != nil {
		return err
	}
	for _, e := range sums {
		v.Excluded = append(v.Excluded, ExcludedSummary{Reason: e.Reason, Deals: int(e.Deals), Amount: e.Amount})
	}
	v.ExcludedDeals, v.ExcludedDealsTruncated, err = rd.ExcludedDeals(ctx, dbq.CycleExcludedDealsParams{CycleID: id, MaxRows: ExcludedListed})
	return err
}
