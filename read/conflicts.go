package read

import (
	"context"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/conflicts"
	"github.com/dealflow/dealflow/internal/web"
)

// PublicMatch is what a partner learns of a match: that it exists, how
// strong it is and why in general terms — never another partner's identity,
// deal or the other party's name.
type PublicMatch struct {
	Source  string   `json:"source"`
	Class   string   `json:"class"`
	Score   float64  `json:"score"`
	Reasons []string `json:"reasons"`
}

// Precheck runs the conflict engine on a customer for p: a partner by its
// program's thresholds and without its own organization's records, the
// vendor's staff by the defaults over everything.
func (rd *Reader) Precheck(ctx context.Context, p web.Principal, customer domain.Customer, productLines []string) ([]domain.Conflict, error) {
	q := conflicts.Query{Customer: customer, ProductLines: productLines, Thresholds: domain.DefaultMatchThresholds}
	if p.Role.IsPartner() {
		pp, err := db.LoadPartnerPolicy(ctx, rd.q, p.PartnerID.UUID)
		if err != nil {
			return nil, err
		}
		q.ExcludePartner, q.Thresholds = p.Scope(), pp.Policy.Conflict
	}
	return conflicts.Engine{Pool: rd.pool}.FindConflicts(ctx, q)
}

// PublicMatchOf states a match's reasons in terms of the partner's own input.
func PublicMatchOf(m domain.Conflict, registrable, country string) PublicMatch {
	var reasons []string
	switch m.Source {
	case domain.SourceRegistration:
		reasons = append(reasons, "another partner has an open registration for this customer")
	case domain.SourceAccount:
		reasons = append(reasons, "the customer is an existing account")
		if m.ReservedForDirect {
			reasons = append(reasons, "the account is reserved for direct sales")
		}
	case domain.SourceOpportunity:
		reasons = append(reasons, "the vendor's direct sales team is working this customer")
	}
	if registrable != "" && m.RegistrableDomain == registrable {
		reasons = append(reasons, "same web domain "+registrable)
	} else {
		reasons = append(reasons, "a very similar company name")
	}
	if country != "" && m.Country == country {
		reasons = append(reasons, "same country")
	}
	return PublicMatch{Source: m.Source, Class: m.Class, Score: m.Score, Reasons: reasons}
}
