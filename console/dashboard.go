package console

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"strings"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/gin-gonic/gin"
)

// dashboardRoutes are the channel managers' pipeline.
func (s *Console) dashboardRoutes() []Route {
	return []Route{{http.MethodGet, "/console/dashboard", web.DeciderRoles, s.consoleDashboard}}
}

// dashboard is the channel managers' pipeline over the last 12 months,
// with its charts.
type dashboard struct {
	read.Dashboard
	Charts []template.HTML
}

// consoleDashboard shows registrations, approvals and won value by month,
// partner and tier, with server-rendered SVG charts (?currency=EUR for
// another currency's won value).
func (s *Console) consoleDashboard(c *gin.Context) {
	cur := strings.ToUpper(c.DefaultQuery("currency", "USD"))
	if !domain.ValidCurrency(cur) {
		cur = "USD"
	}
	since := s.now().AddDate(-1, 0, 0)
	pipeline, err := s.read.Pipeline(c, cur, since)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	d := dashboard{Dashboard: pipeline}
	var months []string
	var reg, appr, won []int64
	for _, m := range d.ByMonth {
		months = append(months, m.Month.Format("Jan 06"))
		reg, appr, won = append(reg, int64(m.Registered)), append(appr, int64(m.Approved)), append(won, m.Won)
	}
	count := func(v int64) string { return fmt.Sprint(v) }
	money := func(v int64) string { return domain.FormatMinor(v, cur) }
	d.Charts = append(d.Charts,
		barChart("Registered and approved deals by month", months, [][]int64{reg, appr}, []string{"registered", "approved"}, count),
		barChart("Closed-won value by month ("+cur+")", months, [][]int64{won}, []string{"won"}, money))
	var partners []string
	var pwon []int64
	for _, p := range d.ByPartner {
		partners = append(partners, p.Name)
		pwon = append(pwon, p.Won)
	}
	d.Charts = append(d.Charts, barChart("Closed-won value by partner, top 10 ("+cur+")", partners, [][]int64{pwon}, []string{"won"}, money))
	s.render(c, http.StatusOK, "dashboard.html", page{Title: "Pipeline", Data: d})
}

// barChart renders grouped vertical bars as an accessible SVG (a title,
// a description listing every value, and a legend).
func barChart(title string, labels []string, series [][]int64, names []string, format func(int64) string) template.HTML {
	const w, h, left, bottom, top = 720, 260, 56, 48, 24
	var maxV int64 = 1
	for _, s := range series {
		for _, v := range s {
			maxV = max(maxV, v)
		}
	}
	var b strings.Builder
	var desc []string
	for i, l := range labels {
		var vals []string
		for si, s := range series {
			vals = append(vals, names[si]+" "+format(s[i]))
		}
		desc = append(desc, l+": "+strings.Join(vals, ", "))
	}
	fmt.Fprintf(&b, `<figure class="chart"><svg viewBox="0 0 %d %d" role="img" aria-labelledby="t%[3]d d%[3]d" xmlns="http://www.w3.org/2000/svg">`, w, h, len(title)*7+len(labels))
	fmt.Fprintf(&b, `<title id="t%d">%s</title><desc id="d%[1]d">%s</desc>`, len(title)*7+len(labels), html.EscapeString(title), html.EscapeString(strings.Join(desc, "; ")))
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" class="axis"/>`, left, h-bottom, w-8, h-bottom)
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="tick" text-anchor="end">%s</text>`, left-6, top+4, html.EscapeString(format(maxV)))
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="tick" text-anchor="end">0</text>`, left-6, h-bottom)
	if n := len(labels); n > 0 {
		slot := float64(w-left-16) / float64(n)
		bw := slot * 0.8 / float64(len(series))
		for i, l := range labels {
			x0 := float64(left+8) + slot*float64(i)
			for si, s := range series {
				bh := float64(h-bottom-top) * float64(s[i]) / float64(maxV)
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="bar s%d"><title>%s</title></rect>`,
					x0+bw*float64(si), float64(h-bottom)-bh, bw-1, bh, si, html.EscapeString(l+" "+names[si]+": "+format(s[i])))
			}
			label := l
			if len(label) > 14 {
				label = label[:13] + "…"
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="tick" text-anchor="middle">%s</text>`, x0+slot*0.4, h-bottom+16, html.EscapeString(label))
		}
	}
	b.WriteString(`</svg><figcaption>`)
	b.WriteString(html.EscapeString(title))
	for si, n := range names {
		fmt.Fprintf(&b, ` <span class="key s%d">■</span> %s`, si, html.EscapeString(n))
	}
	b.WriteString(`</figcaption></figure>`)
	return template.HTML(b.String()) //nolint:gosec // built from escaped values above
}
