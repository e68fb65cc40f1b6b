package console

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/crm"
	"github.com/dealflow/dealflow/internal/exports"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/gin-gonic/gin"
)

// mappingUploadMaxBytes bounds an uploaded accounts file, as the API's
// import body.
const mappingUploadMaxBytes = 32 << 20

// mappingReadRoles read overlap reports, as in the API: a partner its own
// accounts, a seller the accounts they own, managers and admins all.
var mappingReadRoles = []domain.Role{domain.RolePartnerUser, domain.RolePartnerAdmin, domain.RoleSalesRep, domain.RoleChannelManager, domain.RoleAdmin}

// mappingShareRoles decide what a partner shares, as in the API: its
// admins.
var mappingShareRoles = []domain.Role{domain.RolePartnerAdmin}

// mappingRoutes are account mapping's pages: the overlap report with its
// filters and CSV download; for a partner the upload of its accounts and
// the categories it shares (its admins choose them); for the vendor the
// accounts partners know with the invitation to co-sell.
func (s *Console) mappingRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/mapping", mappingReadRoles, s.mappingPage},
		{http.MethodGet, "/console/mapping/overlaps.csv", mappingReadRoles, s.mappingCSV},
		{http.MethodPost, "/console/mapping/accounts", web.PartnerRoles, s.mappingUpload},
		{http.MethodPost, "/console/mapping/opt-ins", mappingShareRoles, s.mappingOptIns},
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
	// Columns is the header an account upload is read by.
	Columns string
	// OptIns are the categories the partner shares, by relation then
	// category, with when each was opted into (a partner's page only).
	OptIns []optInRow
	// History is the partner's consent history, newest first: every
	// category opted into and withdrawn, with who and when.
	History []dbq.MappingOptInHistoryRow
	// CanShare: the principal may change the opt-ins (a partner admin).
	CanShare bool
	// RowErrors are a refused upload's errors, each naming its row.
	RowErrors []crm.RowError
}

// optInRow is one partner relation's categories on the opt-in form.
type optInRow struct {
	Relation string
	Cells    []optInCell
}

// optInCell is one category: shared since Since, or not (zero).
type optInCell struct {
	Relation, Category string
	Since              time.Time
}

// Value is the cell's checkbox value, "relation/category".
func (c optInCell) Value() string { return c.Relation + "/" + c.Category }

// accountPartner is a seller's account known to an opted-in partner, with
// where to invite that partner to co-sell.
type accountPartner struct {
	dbq.MappingSellerPartnersRow
	Invite string
}

func (s *Console) mappingPage(c *gin.Context) { s.mappingPageWith(c, http.StatusOK, "", nil) }

// mappingPageWith shows the mapping page with status, an error message
// and a refused upload's row errors.
func (s *Console) mappingPageWith(c *gin.Context, status int, errMsg string, rowErrs []crm.RowError) {
	p := web.PrincipalOf(c)
	f, errs := read.ParseMappingFilter(c.Request.URL.Query())
	v := mappingView{Filter: f, CSVQuery: mappingQuery(f), Relations: read.MappingPartnerRelations, Categories: read.MappingVendorCategories,
		Columns: strings.Join(crm.PartnerAccountColumns, ","), CanShare: p.HasRole(mappingShareRoles...), RowErrors: rowErrs}
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
	if p.Role.IsPartner() {
		opted, err := s.q.MappingOptInList(c, p.Scope().UUID)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		v.OptIns = optInGrid(opted)
		if v.History, err = s.q.MappingOptInHistory(c, p.Scope().UUID); err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		slices.Reverse(v.History)
	} else {
		rows, err := s.read.MappingSellerPartners(c, p)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		for _, r := range rows {
			v.Partners = append(v.Partners, accountPartner{r, read.CoSellInvitePath(r.AccountID, r.PartnerID)})
		}
	}
	s.render(c, status, "mapping.html", page{Title: "Account mapping", Error: errMsg, Data: v})
}

// optInGrid lays the six categories out by partner relation, each with
// when the partner opted into it (zero: not shared).
func optInGrid(opted []dbq.MappingOptInListRow) []optInRow {
	since := map[string]time.Time{}
	for _, o := range opted {
		since[o.PartnerRelation+"/"+o.VendorCategory] = o.OptedInAt
	}
	var out []optInRow
	for _, r := range read.MappingPartnerRelations {
		row := optInRow{Relation: r}
		for _, cat := range read.MappingVendorCategories {
			row.Cells = append(row.Cells, optInCell{Relation: r, Category: cat, Since: since[r+"/"+cat]})
		}
		out = append(out, row)
	}
	return out
}

// mappingUpload takes an uploaded CSV of the partner's accounts as POST
// /v1/mapping/accounts does (crm.ReadPartnerAccountsCSV, then
// crm.UpsertPartnerAccounts): all rows or none, a refused file's every bad
// row listed on the page; an accepted one re-mapped in the same
// transaction.
func (s *Console) mappingUpload(c *gin.Context) {
	fh, err := c.FormFile("file")
	if err != nil {
		s.mappingPageWith(c, http.StatusUnprocessableEntity, "Not done: file: choose a CSV file to upload", nil)
		return
	}
	if fh.Size > mappingUploadMaxBytes {
		s.mappingPageWith(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("Not done: file: at most %d MiB", mappingUploadMaxBytes>>20), nil)
		return
	}
	file, err := fh.Open()
	if err != nil {
		s.mappingPageWith(c, http.StatusUnprocessableEntity, "Not done: file: could not be read", nil)
		return
	}
	defer file.Close()
	rows, rowErrs, err := crm.ReadPartnerAccountsCSV(io.LimitReader(file, mappingUploadMaxBytes))
	if err != nil {
		s.mappingPageWith(c, http.StatusUnprocessableEntity, "Not done: file: "+err.Error(), nil)
		return
	}
	var res crm.Result
	if len(rowErrs) == 0 {
		res, rowErrs, err = crm.UpsertPartnerAccounts(c, s.pool, web.PrincipalOf(c).Scope().UUID, rows)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
	}
	if len(rowErrs) > 0 {
		s.mappingPageWith(c, http.StatusUnprocessableEntity, fmt.Sprintf("Not done: %d bad row(s); nothing was imported", len(rowErrs)), rowErrs)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/mapping?done="+url.QueryEscape(fmt.Sprintf("Done: %d accounts uploaded (%d new, %d updated)",
		res.Inserted+res.Updated, res.Inserted, res.Updated)))
}

// mappingOptIns replaces the categories the partner shares with the
// form's ticked ones ("relation/category" each), saved as PUT
// /v1/mapping/opt-ins saves them (crm.SetOptIns: who and when recorded).
func (s *Console) mappingOptIns(c *gin.Context) {
	var cats []crm.OptIn
	seen := map[string]bool{}
	for _, v := range c.PostFormArray("category") {
		rel, cat, _ := strings.Cut(v, "/")
		if !slices.Contains(read.MappingPartnerRelations, rel) || !slices.Contains(read.MappingVendorCategories, cat) {
			s.mappingPageWith(c, http.StatusUnprocessableEntity, fmt.Sprintf("Not done: category: %q is not one of the six", v), nil)
			return
		}
		if !seen[v] {
			seen[v] = true
			cats = append(cats, crm.OptIn{PartnerRelation: rel, VendorCategory: cat})
		}
	}
	p := web.PrincipalOf(c)
	if err := crm.SetOptIns(c, s.pool, p.Scope().UUID, p.UserID, s.now(), cats); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	msg := fmt.Sprintf("Done: sharing %d of 6 categories", len(cats))
	c.Redirect(http.StatusSeeOther, "/console/mapping?done="+url.QueryEscape(msg))
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
