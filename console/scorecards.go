package console

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// scorecardRoutes are the partner scorecards: any partner's for the
// vendor (linked from the dashboard's partner rows), a partner's own for
// its users.
func (s *Console) scorecardRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/partners/:id/scorecard", web.AllRoles, s.scorecardPage},
		{http.MethodGet, "/console/scorecard", web.PartnerRoles, s.ownScorecard},
	}
}

// scorecardView is a scorecard as the page shows it: rates as
// percentages, times as durations, money per currency.
type scorecardView struct {
	read.Scorecard
	ApprovalRate, WinRate                      string
	DecisionMedian, DecisionP90                string
	WinMedian, WinP90                          string
	Won, Paid                                  []string
	LeadAcceptance, LeadMedian, LeadConversion string
	Filter                                     read.Filter
}

// ownScorecard sends a partner's user to its organization's scorecard.
func (s *Console) ownScorecard(c *gin.Context) {
	p := web.PrincipalOf(c)
	c.Redirect(http.StatusSeeOther, "/console/partners/"+p.PartnerID.UUID.String()+"/scorecard")
}

// scorecardPage shows one partner's scorecard over a period (?from, ?to,
// ?program_id as on the dashboard; wrong ones are named and the last 12
// months shown); another organization's partner is not found.
func (s *Console) scorecardPage(c *gin.Context) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil || len(c.Param("id")) != 36 {
		s.pageNotFound(c)()
		return
	}
	f, errs, err := s.read.ParseFilter(c, c.Query("from"), c.Query("to"), c.Query("program_id"), s.now())
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if len(errs) > 0 {
		f = read.Filter{Period: read.LastYear(s.now())}
	}
	cards, err := s.read.Scorecards(c, web.PrincipalOf(c).Scope(), uuid.NullUUID{UUID: id, Valid: true}, f)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if len(cards) == 0 {
		s.pageNotFound(c)()
		return
	}
	v := scorecardViewOf(cards[0])
	v.Filter = f
	p := page{Title: "Scorecard: " + v.Name, Data: v}
	if len(errs) > 0 {
		p.Error = "Showing the last 12 months instead: " + web.FieldErrorText(errs)
	}
	s.render(c, http.StatusOK, "scorecard.html", p)
}

// scorecardViewOf formats sc for the page.
func scorecardViewOf(sc read.Scorecard) scorecardView {
	v := scorecardView{Scorecard: sc, ApprovalRate: percent(sc.Deals.ApprovalRate), WinRate: percent(sc.Deals.WinRate),
		DecisionMedian: span(sc.ResponseTimes.DecisionMedianSecond), DecisionP90: span(sc.ResponseTimes.DecisionP90Second),
		WinMedian: span(sc.ResponseTimes.WinMedianSecond), WinP90: span(sc.ResponseTimes.WinP90Second),
		Won: amounts(sc.WonValue), Paid: amounts(sc.Paid), LeadAcceptance: "—", LeadMedian: "—", LeadConversion: "—"}
	if l := sc.Leads; l != nil {
		v.LeadAcceptance, v.LeadConversion = percent(&l.AcceptanceRate), percent(&l.ConversionRate)
		if l.Accepted > 0 {
			v.LeadMedian = span(&l.MedianSecondsToAccept)
		}
	}
	return v
}

// percent is a rate as "62.5 %", or "—" when there is none.
func percent(r *float64) string {
	if r == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f %%", *r*100)
}

// span is a number of seconds as days, hours, minutes or seconds, or "—".
func span(secs *float64) string {
	if secs == nil {
		return "—"
	}
	d := time.Duration(math.Round(*secs)) * time.Second
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%.1f days", d.Hours()/24)
	case d >= time.Hour:
		return fmt.Sprintf("%.1f h", d.Hours())
	case d >= time.Minute:
		return fmt.Sprintf("%.0f min", math.Round(d.Minutes()))
	}
	return fmt.Sprintf("%.0f s", d.Seconds())
}

// amounts lists money per currency as "1250.00 USD", by currency.
func amounts(m map[string]int64) []string {
	curs := make([]string, 0, len(m))
	for c := range m {
		curs = append(curs, c)
	}
	sort.Strings(curs)
	out := make([]string, 0, len(curs))
	for _, c := range curs {
		out = append(out, domain.FormatMinor(m[c], c)+" "+c)
	}
	return out
}
