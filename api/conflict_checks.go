package api

import (
	"github.com/dealflow/dealflow/internal/web"
	"net/http"
	"sort"
	"strings"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/conflicts"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// conflictCheckRequest is the body of POST /v1/conflict-checks.
type conflictCheckRequest struct {
	Customer struct {
		Name    string `json:"name" validate:"required,max=200,printable"`
		Domain  string `json:"domain" validate:"max=253,printable"`
		Country string `json:"country" validate:"omitempty,iso3166_1_alpha2"`
	} `json:"customer" validate:"required"`
	ProductLines []string `json:"product_lines" validate:"max=20,dive,required,max=100,printable"`
}

// PublicMatch is what a partner learns of a match: that it exists, how
// strong it is and why in general terms — never another partner's identity,
// deal or the other party's name.
type PublicMatch struct {
	Source  string   `json:"source"`
	Class   string   `json:"class"`
	Score   float64  `json:"score"`
	Reasons []string `json:"reasons"`
}

// conflictCheck runs the conflict engine on a customer without registering
// anything. Partners see general reasons; vendor roles see every match with
// its ids, names and explanation.
func (s *Server) conflictCheck(c *gin.Context) {
	var req conflictCheckRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	req.Customer.Name = strings.TrimSpace(req.Customer.Name)
	req.Customer.Country = strings.ToUpper(strings.TrimSpace(req.Customer.Country))
	var errs []web.FieldError
	if err := s.validate.Struct(&req); err != nil {
		errs = web.FieldErrors(err)
	}
	registrable := ""
	if d := strings.TrimSpace(req.Customer.Domain); d != "" {
		r, err := domain.RegistrableDomain(d)
		if err != nil {
			errs = web.MergeFieldErrors(errs, []web.FieldError{{Field: "customer.domain", Message: "must be a web domain such as acme.com"}})
		}
		registrable = r
	}
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	p := web.PrincipalOf(c)
	matches, err := s.precheck(c, p, domain.Customer{Name: req.Customer.Name, Domain: req.Customer.Domain, Country: req.Customer.Country},
		domain.NormalizeProductLines(req.ProductLines))
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if !p.Role.IsPartner() {
		c.JSON(http.StatusOK, gin.H{"conflict": len(matches) > 0, "matches": matches})
		return
	}
	public := make([]PublicMatch, 0, len(matches))
	for _, m := range matches {
		public = append(public, publicMatch(m, registrable, req.Customer.Country))
	}
	c.JSON(http.StatusOK, gin.H{"conflict": len(public) > 0, "matches": public})
}

// precheck runs the conflict engine on a customer for p: a partner by its
// program's thresholds and without its own organization's records, the
// vendor's staff by the defaults over everything.
func (s *Server) precheck(c *gin.Context, p web.Principal, customer domain.Customer, productLines []string) ([]domain.Conflict, error) {
	q := conflicts.Query{Customer: customer, ProductLines: productLines, Thresholds: domain.DefaultMatchThresholds}
	if p.Role.IsPartner() {
		pp, err := db.LoadPartnerPolicy(c, s.q, p.PartnerID.UUID)
		if err != nil {
			return nil, err
		}
		q.ExcludePartner, q.Thresholds = p.Scope(), pp.Policy.Conflict
	}
	return conflicts.Engine{Pool: s.pool}.FindConflicts(c, q)
}

// publicMatch states a match's reasons in terms of the partner's own input.
func publicMatch(m domain.Conflict, registrable, country string) PublicMatch {
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

// dealConflicts shows a channel manager a deal beside everything that names
// the same customer now, oldest registration first, with each match's
// score and explanation: what conflict review decides on.
func (s *Server) dealConflicts(c *gin.Context) {
	id, ok := dealIDParam(c)
	if !ok {
		return
	}
	deal, err := s.q.DealGet(c, dbq.DealGetParams{ID: id})
	if err != nil {
		s.dealLookupFailed(c, err)
		return
	}
	thresholds := domain.DefaultMatchThresholds
	if deal.ProgramID.Valid {
		if prog, err := s.q.ProgramGet(c, deal.ProgramID.UUID); err == nil {
			if policy, err := domain.ParsePolicy(prog.Policy); err == nil {
				thresholds = policy.Conflict
			}
		}
	}
	matches, err := conflicts.Engine{Pool: s.pool}.FindConflicts(c, conflicts.Query{
		DealID: deal.ID, ExcludePartner: uuid.NullUUID{UUID: deal.PartnerID, Valid: true}, ProductLines: deal.ProductLines,
		Thresholds: thresholds,
		Customer:   domain.Customer{Name: deal.CustomerName, Domain: deal.CustomerDomain, Country: deal.CustomerCountry},
	})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	sort.SliceStable(matches, func(i, j int) bool { return matches[i].RegisteredAt.Before(matches[j].RegisteredAt) })
	c.JSON(http.StatusOK, gin.H{"deal": dealView(deal, nil), "matches": matches})
}
