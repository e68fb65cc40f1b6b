package console

import (
	"io"
	"net/http"
	"strings"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/exports"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/gin-gonic/gin"
)

// mappingReadRoles read overlap reports, as in the API: a partner its own
// accounts, a seller the accounts they own, managers and admins all.
var mappingReadRoles = []domain.Role{domain.RolePartnerUser, domain.RolePartnerAdmin, domain.RoleSalesRep, domain.RoleChannelManager, domain.RoleAdmin}

// mappingRoutes are account mapping's pages: the overlap report with its
// filters and CSV download, and for the vendor the accounts partners know
// with the invitation to co-sell.
func (s *Console) mappingRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/mapping", mappingReadRoles, s.mappingPage},
		{http.MethodGet, "/console/mapping/overlaps.csv", mappingReadRoles, s.mappingCSV},
	}
}

// mappingView is what the mapping page shows.
type mappingView struct {
	Filter     read.MappingFilter
	Report     read.MappingReport
	Partners   []accountPartner
	Query      string
	Relations  []string
	Categories []string
}

// accountPartner is a seller's account known to an opted-in partner, with
// where to invite that partner to co-sell.
type accountPartner struct {
	dbq.MappingSellerPartnersRow
	Invite string
}

func (s *Console) mappingPage(c *gin.Context) {
	p := web.PrincipalOf(c)
	f, errs := read.ParseMappingFilter(c.Request.URL.Query())
	v := mappingView{Filter: f, Query: c.Request.URL.RawQuery, Relations: read.MappingPartnerRelations, Categories: read.MappingVendorCategories}
	if len(errs) > 0 {
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, e.Field+": "+e.Message)
		}
		s.render(c, http.StatusUnprocessableEntity, "mapping.html", page{Title: "Account mapping", Error: strings.Join(msgs, "; "), Data: v})
		return
	}
	rep, err := s.read.MappingOverlaps(c, p, f)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	v.Report = rep
	if !p.Role.IsPartner() {
		rows, err := s.read.MappingSellerPartners(c, p)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		for _, r := range rows {
			v.Partners = append(v.Partners, accountPartner{r, read.CoSellInvitePath(r.AccountID, r.PartnerID)})
		}
	}
	s.render(c, http.StatusOK, "mapping.html", page{Title: "Account mapping", Data: v})
}

func (s *Console) mappingCSV(c *gin.Context) {
	p := web.PrincipalOf(c)
	f, errs := read.ParseMappingFilter(c.Request.URL.Query())
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	rep, err := s.read.MappingOverlaps(c, p, f)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	web.Download(c, s.log, "overlaps.csv", func(w io.Writer) error {
		if p.Role.IsPartner() {
			return exports.MappingPartnerOverlaps(w, rep.Partner)
		}
		return exports.MappingVendorOverlaps(w, rep.Vendor)
	})
}
