package read

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/google/uuid"
)

// MappingMaxRows bounds one overlap report (the CSV download too).
const MappingMaxRows = 10_000

// Account-mapping categories: a partner's relation to its account and the
// vendor's to the matching account or opportunity.
var (
	MappingPartnerRelations = []string{"customer", "prospect"}
	MappingVendorCategories = []string{"customer", "prospect", "opportunity"}
)

// MappingFilter narrows an overlap report; empty fields filter nothing.
// PartnerID is for the vendor's readers only.
type MappingFilter struct {
	PartnerRelation string
	VendorCategory  string
	Q               string
	MinScore        float64
	PartnerID       uuid.NullUUID
}

// ParseMappingFilter reads a report's filters from query parameters,
// reporting each bad one as a field error.
func ParseMappingFilter(v url.Values) (MappingFilter, []web.FieldError) {
	var f MappingFilter
	var errs []web.FieldError
	f.PartnerRelation = strings.TrimSpace(v.Get("partner_relation"))
	if f.PartnerRelation != "" && !contains(MappingPartnerRelations, f.PartnerRelation) {
		errs = append(errs, web.FieldError{Field: "partner_relation", Message: "must be customer or prospect"})
	}
	f.VendorCategory = strings.TrimSpace(v.Get("vendor_category"))
	if f.VendorCategory != "" && !contains(MappingVendorCategories, f.VendorCategory) {
		errs = append(errs, web.FieldError{Field: "vendor_category", Message: "must be customer, prospect or opportunity"})
	}
	f.Q = strings.TrimSpace(v.Get("q"))
	if len(f.Q) > 200 || domain.TextProblem(f.Q, false) != "" {
		errs = append(errs, web.FieldError{Field: "q", Message: "must be plain text of at most 200 characters"})
	}
	if s := strings.TrimSpace(v.Get("min_score")); s != "" {
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || n < 0 || n > 1 {
			errs = append(errs, web.FieldError{Field: "min_score", Message: "must be a number from 0 to 1"})
		}
		f.MinScore = n
	}
	if s := strings.TrimSpace(v.Get("partner_id")); s != "" {
		id, err := uuid.Parse(s)
		if err != nil {
			errs = append(errs, web.FieldError{Field: "partner_id", Message: "must be a partner id"})
		}
		f.PartnerID = uuid.NullUUID{UUID: id, Valid: err == nil}
	}
	return f, errs
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// MappingReport is an overlap report as its reader may see it: a partner
// gets Partner rows (its own accounts, the vendor's category, never the
// vendor's records); the vendor's readers get Vendor rows (both sides).
// Either way only categories the partner opted into.
type MappingReport struct {
	Partner []dbq.MappingPartnerOverlapsRow
	Vendor  []dbq.MappingVendorOverlapsRow
}

// MappingOverlaps reads the overlap report for p: a partner's own
// (scoped in SQL by its organization), a seller's accounts only, or every
// overlap for channel managers and admins.
func (r *Reader) MappingOverlaps(ctx context.Context, p web.Principal, f MappingFilter) (MappingReport, error) {
	var out MappingReport
	if p.Role.IsPartner() {
		rows, err := r.q.MappingPartnerOverlaps(ctx, dbq.MappingPartnerOverlapsParams{PartnerID: p.Scope().UUID,
			PartnerRelation: f.PartnerRelation, VendorCategory: f.VendorCategory, MinScore: f.MinScore, Q: f.Q, MaxRows: MappingMaxRows})
		out.Partner = rows
		return out, err
	}
	seller, err := r.SellerScope(ctx, p)
	if err != nil {
		return out, err
	}
	rows, err := r.q.MappingVendorOverlaps(ctx, dbq.MappingVendorOverlapsParams{ScopeSellerEmail: seller, PartnerID: f.PartnerID,
		PartnerRelation: f.PartnerRelation, VendorCategory: f.VendorCategory, MinScore: f.MinScore, Q: f.Q, MaxRows: MappingMaxRows})
	out.Vendor = rows
	return out, err
}

// MappingSellerPartners lists, for the accounts a seller owns (managers:
// every owned account), the opted-in partners that know the customer.
func (r *Reader) MappingSellerPartners(ctx context.Context, p web.Principal) ([]dbq.MappingSellerPartnersRow, error) {
	seller, err := r.SellerScope(ctx, p)
	if err != nil {
		return nil, err
	}
	return r.q.MappingSellerPartners(ctx, seller)
}

// CoSellInvitePath is where a seller invites a partner to co-sell on an
// account: the shared-opportunity form of the co-selling context.
func CoSellInvitePath(account, partner uuid.UUID) string {
	return "/console/cosell/opportunities/new?account=" + account.String() + "&partner=" + partner.String()
}
