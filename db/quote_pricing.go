package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// QuotePricingInputs reads what pricing a quote needs from the catalog as it
// stands at at (the price date is its UTC day): the products its lines
// name, their list prices in currency in force that day, their latest
// volume schedules, the latest channel pricing policy, and the deal's
// partner and registration (scope: the caller's organization, nil for
// vendors). The API pre-checks a quote with it and the quote's pricing
// activity prices with it, so both judge by the same data. A deal the
// scope does not reach is ErrNoRows.
func QuotePricingInputs(ctx context.Context, q *dbq.Queries, dealID uuid.UUID, scope uuid.NullUUID, lines []domain.LineRequest, currency string, at time.Time) (domain.PricingInputs, dbq.QuoteDealContextRow, error) {
	deal, err := q.QuoteDealContext(ctx, dbq.QuoteDealContextParams{DealID: dealID, ScopePartnerID: scope, Now: at})
	if err != nil {
		return domain.PricingInputs{}, deal, err
	}
	day := at.UTC().Truncate(24 * time.Hour)
	in := domain.PricingInputs{Currency: currency, PriceDate: day.Format(time.DateOnly),
		Products: map[string]domain.Product{}, Prices: map[string]domain.Price{}, Schedules: map[string]domain.Schedule{},
		PartnerType: deal.PartnerType, PartnerTier: deal.PartnerTier}
	in.Registration, in.RegistrationWhy = registrationWhy(deal)
	skus := make([]string, 0, len(lines))
	for _, l := range lines {
		skus = append(skus, l.SKU)
	}
	products, err := q.QuoteProductsBySKU(ctx, skus)
	if err != nil {
		return in, deal, err
	}
	for _, p := range products {
		in.Products[p.Sku] = domain.Product{SKU: p.Sku, Name: p.Name, ProductLine: p.ProductLine, Unit: p.Unit,
			Discountable: p.Discountable, Active: p.Active, MinQty: p.MinQty, MaxQty: p.MaxQty, Requires: p.Requires, Excludes: p.Excludes}
	}
	prices, err := q.QuotePricesInForce(ctx, dbq.QuotePricesInForceParams{Skus: skus, Currency: currency, Day: day})
	if err != nil {
		return in, deal, err
	}
	for _, p := range prices {
		in.Prices[p.Sku] = domain.Price{SKU: p.Sku, Currency: p.Currency, ListPrice: p.ListPrice,
			EffectiveFrom: p.EffectiveFrom.Format(time.DateOnly), Version: int(p.Version)}
	}
	schedules, err := q.QuoteSchedulesLatest(ctx, skus)
	if err != nil {
		return in, deal, err
	}
	for _, s := range schedules {
		sc := domain.Schedule{SKU: s.Sku, Kind: s.Kind, Version: int(s.Version)}
		if err := json.Unmarshal(s.Tiers, &sc.Tiers); err != nil {
			return in, deal, fmt.Errorf("schedule %s v%d: %w", s.Sku, s.Version, err)
		}
		in.Schedules[s.Sku] = sc
	}
	in.Policy, err = QuotePolicy(ctx, q)
	return in, deal, err
}

// QuotePolicy returns the latest channel pricing policy (version 0, the
// defaults, when none was ever stored).
func QuotePolicy(ctx context.Context, q *dbq.Queries) (domain.ChannelPricing, error) {
	row, err := q.QuotePolicyLatest(ctx)
	if IsNotFound(err) {
		return domain.ChannelPricing{}, nil
	}
	if err != nil {
		return domain.ChannelPricing{}, err
	}
	var p domain.ChannelPricing
	if err := json.Unmarshal(row.Policy, &p); err != nil {
		return p, fmt.Errorf("quote policy v%d: %w", row.Version, err)
	}
	p.Version = int(row.Version)
	return p, nil
}

// registrationWhy says whether a quote on the deal earns the registration
// discount, and why: a quote is always its deal's partner's, so the deal
// must be approved and still protected.
func registrationWhy(d dbq.QuoteDealContextRow) (bool, string) {
	switch {
	case d.Protected:
		return true, "the partner's approved registration, protected until " + tsDay(d.ExpiresAt)
	case d.Status != "approved":
		return false, "the registration is " + d.Status + ", not approved"
	}
	return false, "the registration's protection ended on " + tsDay(d.ExpiresAt)
}

func tsDay(t pgtype.Timestamptz) string {
	if !t.Valid {
		return "(no date)"
	}
	return t.Time.UTC().Format(time.DateOnly)
}
