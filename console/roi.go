package console

import (
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/exports"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/gin-gonic/gin"
)

// analyticsRoutes are the vendor's analytics pages: the return on
// incentive spend and its three tables as CSV. Vendor staff only, as the
// API's GET /v1/analytics/roi: every partner's figures are on them.
func (s *Console) analyticsRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/analytics/roi", web.VendorRoles, s.consoleROI},
		{http.MethodGet, "/console/analytics/roi/programs.csv", web.VendorRoles, s.roiCSV("programs")},
		{http.MethodGet, "/console/analytics/roi/partners.csv", web.VendorRoles, s.roiCSV("partners")},
		{http.MethodGet, "/console/analytics/roi/tiers.csv", web.VendorRoles, s.roiCSV("tiers")},
	}
}

// roiCurrencies are offered by the page's currency picker (with the one
// shown, when it is another).
var roiCurrencies = []string{"USD", "EUR", "GBP", "CHF", "CAD", "AUD", "JPY"}

// roiPage is the ROI page: the report, formatted for reading, and the
// filter that produced it.
type roiPage struct {
	read.ROIView
	Currencies []string
	// Query is the filter as a query string of escaped values, for the
	// CSV links (a plain string would be escaped whole: "currency%3d...").
	Query    template.URL
	Programs []roiProgramLine
	Partners []roiLine
	Tiers    []roiLine
	// Errors are the filter's problems (the page then shows no tables).
	Errors []web.FieldError
}

// roiLine is a table row as shown: money with its currency, the ratio as
// a percentage ("—" without revenue).
type roiLine struct {
	Key, Name, Tier, Accrued, Paid, Revenue, Ratio string
}

// roiProgramLine is a program's row with its lift estimate and the month
// by month means behind it.
type roiProgramLine struct {
	roiLine
	Kind, StartsOn string
	Lift           domain.DiDEstimate
	LiftPerMonth   string
	LiftTotal      string
	Means          []roiMean
}

// roiMean is one month's mean won revenue per partner of each group.
type roiMean struct {
	Month, Treated, Control string
	After                   bool
}

func roiLineOf(r domain.ROIRow, cur string) roiLine {
	money := func(v int64) string { return domain.FormatMinor(v, cur) + " " + cur }
	ratio := "—"
	if r.SpendPerRevenueBP != nil {
		ratio = domain.FormatMinor(*r.SpendPerRevenueBP, "USD") + " %"
	}
	return roiLine{Key: r.Key, Name: r.Name, Tier: r.Tier, Accrued: money(r.Accrued), Paid: money(r.Paid), Revenue: money(r.Revenue), Ratio: ratio}
}

// roiQuery is the ROI filter as a query string of escaped values.
func roiQuery(currency, from, to string) template.URL {
	return template.URL(url.Values{"currency": {currency}, "from": {from}, "to": {to}}.Encode()) //nolint:gosec // url.Values.Encode escapes every value
}

// consoleROI shows the return on incentive spend for
// ?currency=&from=&to= (defaults: USD, the last twelve months), the lift
// estimates with their method and caveats, and links to the CSV files.
func (s *Console) consoleROI(c *gin.Context) {
	q, errs := read.ParseROIQuery(c.Query("currency"), c.Query("from"), c.Query("to"), s.now())
	p := roiPage{Currencies: roiCurrencies, Errors: errs}
	if !slices.Contains(p.Currencies, q.Currency) && domain.ValidCurrency(q.Currency) {
		p.Currencies = append(p.Currencies, q.Currency)
	}
	if len(errs) > 0 {
		p.ROIView = read.ROIView{Currency: q.Currency, From: c.Query("from"), To: c.Query("to"), Method: domain.ROIMethod, Caveats: domain.ROICaveats}
		s.render(c, http.StatusUnprocessableEntity, "roi.html", page{Title: "Return on incentive spend", Data: p})
		return
	}
	v, err := s.read.ROI(c, q)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	p.ROIView = v
	p.Query = roiQuery(v.Currency, v.From, v.To)
	money := func(n int64) string { return domain.FormatMinor(n, v.Currency) + " " + v.Currency }
	for _, pr := range v.Programs {
		l := roiProgramLine{roiLine: roiLineOf(pr.ROIRow, v.Currency), Kind: pr.Kind, StartsOn: pr.StartsOn, Lift: pr.Lift,
			LiftPerMonth: money(pr.Lift.LiftPerPartnerMonth), LiftTotal: money(pr.Lift.Lift)}
		for i, m := range v.Months {
			if i < len(pr.Lift.TreatedMonthly) && i < len(pr.Lift.ControlMonthly) {
				l.Means = append(l.Means, roiMean{Month: m, Treated: money(pr.Lift.TreatedMonthly[i]),
					Control: money(pr.Lift.ControlMonthly[i]), After: i >= pr.Lift.MonthsBefore})
			}
		}
		p.Programs = append(p.Programs, l)
	}
	for _, r := range v.Partners {
		p.Partners = append(p.Partners, roiLineOf(r, v.Currency))
	}
	for _, r := range v.Tiers {
		p.Tiers = append(p.Tiers, roiLineOf(r, v.Currency))
	}
	s.render(c, http.StatusOK, "roi.html", page{Title: "Return on incentive spend", Data: p})
}

// roiCSV downloads one table of the report (programs, partners or tiers)
// for the page's filter, through internal/exports; a filter it cannot
// read answers 422 (problem+json), as the API does.
func (s *Console) roiCSV(table string) gin.HandlerFunc {
	return func(c *gin.Context) {
		q, errs := read.ParseROIQuery(c.Query("currency"), c.Query("from"), c.Query("to"), s.now())
		if len(errs) > 0 {
			web.ValidationProblem(c, errs)
			return
		}
		v, err := s.read.ROI(c, q)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		win := exports.ROIWindow{Currency: v.Currency, From: v.From, To: v.To}
		web.Download(c, s.log, "roi-"+table+"-"+v.Currency+"-"+v.From+"-"+v.To+".csv", func(w io.Writer) error {
			switch table {
			case "programs":
				return exports.ROIPrograms(w, win, v.Programs)
			case "partners":
				return exports.ROIPartners(w, win, v.Partners)
			default:
				return exports.ROITiers(w, win, v.Tiers)
			}
		})
	}
}
