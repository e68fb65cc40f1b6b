package console

import (
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
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
	Filter   read.MappingFilter
	Report   read.MappingReport
	Partners []accountPartner
	// CSVQuery is the filter as the CSV link's query string.
	CSVQuery   template.URL
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
	v := mappingView{Filter: f, CSVQuery: mappingQuery(f), Relations: read.MappingPartnerRelations, Categories: read.MappingVendorCategories}
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

// mappingQuery is f as a query string of escaped values, for the CSV
// link: a plain string there would be escaped whole by html/template
// ("q%3dx%26..."), and the download would ignore the filters.
func mappingQuery(f read.MappingFilter) template.URL {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("partner_relation", f.PartnerRelation)
	set("vendor_category", f.VendorCategory)
	set("q", f.Q)
	if f.MinScore > 0 {
		v.Set("min_score", strconv.FormatFloat(f.MinScore, 'f', -1, 64))
	}
	if f.PartnerID.Valid {
		v.Set("partner_id", f.PartnerID.UUID.String())
	}
	return template.URL(v.Encode()) //nolint:gosec // url.Values.Encode escapes every value
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
