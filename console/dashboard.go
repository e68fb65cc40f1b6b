package console

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/gin-gonic/gin"
)

// dashboardRoutes are the channel managers' pipeline and its tables as
// CSV files.
func (s *Console) dashboardRoutes() []Route {
	out := []Route{{http.MethodGet, "/console/dashboard", web.DeciderRoles, s.consoleDashboard}}
	for _, table := range read.DashboardTables {
		out = append(out, Route{http.MethodGet, "/console/dashboard/" + table + ".csv", web.DeciderRoles, s.dashboardCSV(table)})
	}
	return out
}

// dashboard is the channel managers' pipeline over a period, with its
// charts, its pickers and the query string that keeps its filters on
// links.
type dashboard struct {
	read.Dashboard
	Charts []template.HTML
	// Currencies are those in the data (and the chosen one); Others the
	// rest of the ISO list.
	Currencies, Others []string
	Programs           []dbq.Program
	// Query is the filters' query string ("from=...&to=..."), for links.
	Query template.URL
}

// dashboardQuery reads the dashboard's filters: a period of months, a
// program and a currency (USD unless an ISO code is asked for), and keeps
// the top partners' window on the default period (read.KeepDashboardWindow).
func (s *Console) dashboardQuery(c *gin.Context) (string, read.Filter, []web.FieldError, error) {
	cur := strings.ToUpper(c.DefaultQuery("currency", "USD"))
	var errs []web.FieldError
	if !domain.ValidCurrency(cur) {
		errs = append(errs, web.FieldError{Field: "currency", Message: "must be an ISO 4217 currency code"})
		cur = "USD"
	}
	f, more, err := s.read.ParseFilter(c, c.Query("from"), c.Query("to"), c.Query("program_id"), s.now())
	if err == nil {
		// The default period's top partners come from a kept window that
		// moves with the month.
		_, err = s.read.KeepDashboardWindow(c, s.now())
	}
	return cur, f, append(errs, more...), err
}

// filterQuery is f and cur as a query string (of escaped values, so that
// a link keeps it as it is).
func filterQuery(cur string, f read.Filter) template.URL {
	v := url.Values{"from": {f.Period.FromText()}, "to": {f.Period.ToText()}, "currency": {cur}}
	if f.Program.Valid {
		v.Set("program_id", f.Program.UUID.String())
	}
	return template.URL(v.Encode()) //nolint:gosec // url.Values.Encode escapes every value
}

// consoleDashboard shows registrations, approvals and won value by month,
// partner and tier over a period (the last 12 months unless ?from= and
// ?to= say otherwise), of one program or all, with server-rendered SVG
// charts and the won value in a chosen currency. Wrong filters are named
// and the defaults shown.
func (s *Console) consoleDashboard(c *gin.Context) {
	cur, f, errs, err := s.dashboardQuery(c)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if len(errs) > 0 {
		f = read.Filter{Period: read.LastYear(s.now())}
	}
	pipeline, err := s.read.Pipeline(c, cur, f)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	curs, programs, err := s.read.PipelineChoices(c)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	d := dashboard{Dashboard: pipeline, Programs: programs, Query: filterQuery(cur, f)}
	for _, c := range append(curs, cur, "USD") {
		if !slices.Contains(d.Currencies, c) {
			d.Currencies = append(d.Currencies, c)
		}
	}
	slices.Sort(d.Currencies)
	for _, c := range domain.Currencies() {
		if !slices.Contains(d.Currencies, c) {
			d.Others = append(d.Others, c)
		}
	}
	d.Charts = dashboardCharts(pipeline)
	p := page{Title: "Pipeline", Data: d}
	if len(errs) > 0 {
		p.Error = "Showing the last 12 months instead: " + web.FieldErrorText(errs)
	}
	s.render(c, http.StatusOK, "dashboard.html", p)
}

// dashboardCharts draws the dashboard's charts: deals and won value by
// month, won value by partner.
func dashboardCharts(d read.Dashboard) []template.HTML {
	var months []string
	var reg, appr, won []int64
	for _, m := range d.ByMonth {
		months = append(months, m.Month.Format("Jan 06"))
		reg, appr, won = append(reg, int64(m.Registered)), append(appr, int64(m.Approved)), append(won, m.Won)
	}
	count := func(v int64) string { return fmt.Sprint(v) }
	money := func(v int64) string { return domain.FormatMinor(v, d.Currency) }
	var partners []string
	var pwon []int64
	for _, p := range d.ByPartner {
		partners = append(partners, p.Name)
		pwon = append(pwon, p.Won)
	}
	return []template.HTML{
		chart{Title: "Registered and approved deals by month", Labels: months, Series: [][]int64{reg, appr},
			Names: []string{"registered", "approved"}, Format: count, XAxis: "month of registration", YAxis: "deals"}.render(),
		chart{Title: "Closed-won value by month (" + d.Currency + ")", Labels: months, Series: [][]int64{won},
			Names: []string{"won"}, Format: money, XAxis: "month of registration", YAxis: d.Currency}.render(),
		chart{Title: "Closed-won value by partner, top 10 (" + d.Currency + ")", Labels: partners, Series: [][]int64{pwon},
			Names: []string{"won"}, Format: money, XAxis: "partner", YAxis: d.Currency}.render(),
	}
}

// dashboardCSV downloads one of the dashboard's tables with the same
// filters (internal/exports writes it); wrong filters answer 422.
func (s *Console) dashboardCSV(table string) gin.HandlerFunc {
	return func(c *gin.Context) {
		cur, f, errs, err := s.dashboardQuery(c)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		if len(errs) > 0 {
			web.ValidationProblem(c, errs)
			return
		}
		d, err := s.read.Pipeline(c, cur, f)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		name := fmt.Sprintf("pipeline-%s-%s-to-%s-%s.csv", table, f.Period.FromText(), f.Period.ToText(), strings.ToLower(cur))
		web.Download(c, s.log, name, func(w io.Writer) error { return read.DashboardCSV(d, table, w) })
	}
}
