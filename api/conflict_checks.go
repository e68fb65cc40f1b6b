package api

import (
	"net/http"
	"sort"
	"strings"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
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
	matches, err := s.read.Precheck(c, p, domain.Customer{Name: req.Customer.Name, Domain: req.Customer.Domain, Country: req.Customer.Country},
		domain.NormalizeProductLines(req.ProductLines))
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if !p.Role.IsPartner() {
		c.JSON(http.StatusOK, gin.H{"conflict": len(matches) > 0, "matches": matches})
		return
	}
	public := make([]read.PublicMatch, 0, len(matches))
	for _, m := range matches {
		public = append(public, read.PublicMatchOf(m, registrable, req.Customer.Country))
	}
	c.JSON(http.StatusOK, gin.H{"conflict": len(public) > 0, "matches": public})
}

// dealConflicts shows a channel manager a deal beside everything that names
// the same customer now, oldest registration first, with each match's
// score and explanation: what conflict review decides on.
func (s *Server) dealConflicts(c *gin.Context) {
	id, ok := pathID(c, "deal")
	if !ok {
		return
	}
	deal, err := s.read.Deal(c, id, uuid.NullUUID{})
	if !s.found(c, err, "deal") {
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
	matches, err := s.read.Conflicts(c, deal, thresholds)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	sort.SliceStable(matches, func(i, j int) bool { return matches[i].RegisteredAt.Before(matches[j].RegisteredAt) })
	c.JSON(http.StatusOK, gin.H{"deal": read.DealOf(deal, nil), "matches": matches})
}
