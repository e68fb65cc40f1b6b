// Package quotedoctest reads a quote document's PDF back — its text as
// pdftotext -layout extracts it — and checks every figure of the quote on
// it: the quote document's own test and the end-to-end test (against the
// API's JSON) use it.
package quotedoctest

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/quotedoc"
	"github.com/dealflow/dealflow/read"
)

var space = regexp.MustCompile(`\s+`)

// rows reads pdftotext -layout output as its non-empty rows, each with its
// runs of spaces collapsed to one.
func rows(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(space.ReplaceAllString(l, " ")); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// reader walks the rows in order: each figure must be found after the
// previous one, on the row it belongs to.
type reader struct {
	t    testing.TB
	rows []string
	at   int
}

// row finds the next row that starts with prefix and holds every figure
// as a whole word.
func (r *reader) row(prefix string, figures ...string) {
	r.t.Helper()
	r.find(func(row string) bool { return strings.HasPrefix(row, prefix) }, prefix, figures)
}

// field finds the next row holding "label: value" (the header's two
// columns share rows).
func (r *reader) field(label, value string) {
	r.t.Helper()
	r.find(func(row string) bool { return strings.Contains(row, label+": "+value) }, label+": "+value, nil)
}

func (r *reader) find(match func(string) bool, what string, figures []string) {
	r.t.Helper()
	for i := r.at; i < len(r.rows); i++ {
		if !match(r.rows[i]) {
			continue
		}
		words := " " + r.rows[i] + " "
		for _, f := range figures {
			if !strings.Contains(words, " "+f+" ") {
				r.t.Errorf("row %q lacks %q", r.rows[i], f)
			}
		}
		r.at = i + 1
		return
	}
	r.t.Errorf("no row %q (with %v) after row %d of the PDF's text:\n%s", what, figures, r.at, strings.Join(r.rows, "\n"))
}

// CheckPDFText reads every figure of quote q back from its document's
// text, in order: the quote number, currency and validity; each line
// (unit list price, list amount, net); per line or per quote as mode says,
// each waterfall step's rate, discount and running amount; then the
// totals. Figures are formatted from q's integer minor units by its
// currency (domain.FormatMinor).
func CheckPDFText(t testing.TB, text string, q read.QuoteView, mode quotedoc.Waterfall) {
	t.Helper()
	r := &reader{t: t, rows: rows(text)}
	cur, p := q.Currency, q.Pricing
	money := func(v int64) string { return domain.FormatMinor(v, cur) }
	pct := func(bp domain.BasisPoints) string { return domain.FormatMinor(int64(bp), "USD") + " %" }
	r.field("Quote number", q.ID)
	r.field("Version", strconv.Itoa(q.Version))
	r.field("Currency", cur)
	if q.ValidUntil != nil {
		r.field("Valid until", q.ValidUntil.UTC().Format(time.DateOnly))
	}
	if p == nil {
		t.Fatal("the quote has no pricing")
	}
	for i, l := range p.Lines {
		r.row(strconv.Itoa(i+1)+" "+l.SKU, money(l.ListPrice), money(l.ListAmount), money(l.Net))
		if mode != quotedoc.PerLine {
			continue
		}
		for _, s := range l.Steps {
			if s.Step == domain.StepList {
				r.row(quotedoc.StepLabel(s.Step), money(s.Amount))
				continue
			}
			r.row(quotedoc.StepLabel(s.Step), pct(s.BP), money(-s.Discount), money(s.Amount))
		}
	}
	if mode == quotedoc.PerQuote {
		discount, amount := map[string]int64{}, map[string]int64{}
		for _, l := range p.Lines {
			for _, s := range l.Steps {
				discount[s.Step] += s.Discount
				amount[s.Step] += s.Amount
			}
		}
		r.row("Price waterfall")
		r.row(quotedoc.StepLabel(domain.StepList), money(amount[domain.StepList]))
		for _, st := range []string{domain.StepVolume, domain.StepPartner, domain.StepRegistration, domain.StepAdditional} {
			r.row(quotedoc.StepLabel(st), money(-discount[st]), money(amount[st]))
		}
	}
	r.row("List total", money(p.ListTotal))
	r.row("Discounts", money(p.NetTotal-p.ListTotal))
	r.row("Net total", money(p.NetTotal), cur)
	r.row("Units", strconv.FormatInt(p.Units, 10))
}
