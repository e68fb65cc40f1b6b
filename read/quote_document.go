package read

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
)

// QuoteDocument is what a quote's document (internal/quotedoc) prints:
// the quote exactly as GET /v1/quotes/{id} shows it, and the parties and
// terms around it — the vendor and the terms from the channel pricing
// policy version the quote was priced with, the partner, the customer.
type QuoteDocument struct {
	Quote           QuoteView
	Vendor          string
	Partner         string
	Customer        string
	CustomerCountry string
	Terms           string
}

// QuoteDocument reads quote id within scope (pgx.ErrNoRows for a quote the
// caller does not reach) with its parties and terms.
func (rd *Reader) QuoteDocument(ctx context.Context, id uuid.UUID, scope uuid.NullUUID) (QuoteDocument, error) {
	v, err := rd.Quote(ctx, id, scope)
	if err != nil {
		return QuoteDocument{}, err
	}
	doc := QuoteDocument{Quote: v}
	dealID, err := uuid.Parse(v.DealID)
	if err != nil {
		return doc, err
	}
	d, err := rd.Deal(ctx, dealID, scope)
	if err != nil {
		return doc, fmt.Errorf("the quote's deal: %w", err)
	}
	doc.Customer, doc.CustomerCountry = d.CustomerName, d.CustomerCountry
	p, err := rd.q.PartnerGet(ctx, d.PartnerID)
	if err != nil {
		return doc, fmt.Errorf("the quote's partner: %w", err)
	}
	doc.Partner = p.Name
	if v.Pricing != nil && v.Pricing.PolicyVersion > 0 {
		row, err := rd.q.QuotePolicyGet(ctx, int32(v.Pricing.PolicyVersion))
		if err != nil {
			return doc, fmt.Errorf("the quote's policy: %w", err)
		}
		var policy domain.ChannelPricing
		if err := json.Unmarshal(row.Policy, &policy); err != nil {
			return doc, err
		}
		doc.Vendor, doc.Terms = policy.Vendor, policy.Terms
	}
	return doc, nil
}
