// Package quotedoc draws a quote's document — an HTML view and a PDF —
// from the quote as the read layer shows it (read.QuoteDocument, the same
// view GET /v1/quotes/{id} answers with): parties, quote number and
// version, status, line items, the price waterfall per line or per quote,
// totals, currency, validity and terms. It is pure: a document in, bytes
// out; its fonts (DejaVu Sans) are embedded, so a PDF looks the same on
// every machine. Every figure is formatted from the integer minor units by
// the currency's minor unit (domain.FormatMinor: JPY has none), so the
// document's numbers are exactly the API's.
package quotedoc

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/read"
)

// Waterfall is how a document shows the price waterfall.
type Waterfall string

const (
	// PerLine shows every line's steps under the line (the default).
	PerLine Waterfall = "lines"
	// PerQuote shows the steps once, summed over the lines.
	PerQuote Waterfall = "quote"
)

// ParseWaterfall reads the ?waterfall= choice ("" is PerLine).
func ParseWaterfall(s string) (Waterfall, bool) {
	switch Waterfall(s) {
	case "", PerLine:
		return PerLine, true
	case PerQuote:
		return PerQuote, true
	}
	return "", false
}

// stepLabels names the waterfall's steps as the document prints them.
var stepLabels = map[string]string{
	domain.StepList:         "List amount",
	domain.StepVolume:       "Volume discount",
	domain.StepPartner:      "Partner discount",
	domain.StepRegistration: "Registration discount",
	domain.StepAdditional:   "Additional discount",
}

// StepLabel is how the document names waterfall step name.
func StepLabel(name string) string {
	if l, ok := stepLabels[name]; ok {
		return l
	}
	return name
}

// field is one labelled value of the document's header or totals.
type field struct{ Label, Value string }

// stepRow is one step of a waterfall as printed.
type stepRow struct {
	Label, Rate, Rule, Discount, Amount string
}

// item is one line item as printed, with its steps (PerLine).
type item struct {
	No                                        int
	SKU, Name, Quantity, UnitList, ListAmount string
	Net                                       string
	Steps                                     []stepRow
}

// model is the document laid out once, as strings: the HTML view and the
// PDF print the same model, so they cannot disagree with each other.
type model struct {
	Title     string
	Parties   []field
	Header    []field
	Mode      Waterfall
	Currency  string
	Items     []item
	Waterfall []stepRow // PerQuote: the steps summed over the lines
	Totals    []field
	Terms     []string
	Empty     bool
}

// money formats minor units of cur.
func money(v int64, cur string) string { return domain.FormatMinor(v, cur) }

// rate formats basis points as a percentage with two decimals.
func rate(bp domain.BasisPoints) string { return domain.FormatMinor(int64(bp), "USD") + " %" }

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// build lays doc out for mode.
func build(doc read.QuoteDocument, mode Waterfall) model {
	q := doc.Quote
	cur := q.Currency
	m := model{Title: fmt.Sprintf("Quote %s, version %d", q.ID, q.Version), Mode: mode, Currency: cur}
	vendor := doc.Vendor
	if vendor == "" {
		vendor = "(the vendor)"
	}
	customer := doc.Customer
	if doc.CustomerCountry != "" {
		customer += " (" + doc.CustomerCountry + ")"
	}
	m.Parties = []field{{"Vendor", vendor}, {"Partner", doc.Partner}, {"Customer", customer}}
	m.Header = []field{{"Quote number", q.ID}, {"Version", strconv.Itoa(q.Version)}, {"Status", strings.ReplaceAll(q.Status, "_", " ")},
		{"Currency", cur}}
	if q.Pricing != nil {
		m.Header = append(m.Header, field{"Priced on", q.Pricing.PriceDate})
	}
	if q.ValidUntil != nil {
		m.Header = append(m.Header, field{"Valid until", day(*q.ValidUntil)})
	}
	if q.PONumber != "" {
		m.Header = append(m.Header, field{"Customer PO", q.PONumber}, field{"Accepted on", q.AcceptedOn})
	}
	p := q.Pricing
	if p == nil {
		m.Empty = true
		return m
	}
	type sum struct {
		name             string
		discount, amount int64
	}
	var sums []*sum
	byName := map[string]*sum{}
	for i, l := range p.Lines {
		it := item{No: i + 1, SKU: l.SKU, Name: l.Name, Quantity: strconv.FormatInt(l.Quantity, 10) + " " + l.Unit,
			UnitList: money(l.ListPrice, cur), ListAmount: money(l.ListAmount, cur), Net: money(l.Net, cur)}
		for _, s := range l.Steps {
			row := stepRow{Label: StepLabel(s.Step), Rule: s.Rule, Amount: money(s.Amount, cur)}
			if s.Step != domain.StepList {
				row.Rate, row.Discount = rate(s.BP), money(-s.Discount, cur)
			}
			if s.Version > 0 && s.Rule != "" {
				row.Rule += fmt.Sprintf(" (v%d)", s.Version)
			}
			it.Steps = append(it.Steps, row)
			t, ok := byName[s.Step]
			if !ok {
				t = &sum{name: s.Step}
				byName[s.Step] = t
				sums = append(sums, t)
			}
			t.discount += s.Discount
			t.amount += s.Amount
		}
		m.Items = append(m.Items, it)
	}
	for _, s := range sums {
		row := stepRow{Label: StepLabel(s.name), Amount: money(s.amount, cur), Rule: fmt.Sprintf("over %d lines", len(p.Lines))}
		if s.name != domain.StepList {
			row.Discount = money(-s.discount, cur)
		}
		m.Waterfall = append(m.Waterfall, row)
	}
	m.Totals = []field{{"List total", money(p.ListTotal, cur)}, {"Discounts", money(p.NetTotal-p.ListTotal, cur)},
		{"Net total", money(p.NetTotal, cur) + " " + cur}, {"Units", strconv.FormatInt(p.Units, 10)}}
	m.Terms = terms(doc, q)
	return m
}

// terms are the quote's standard terms — its currency, validity and
// taxes, which the quote itself fixes — then the policy's own terms.
func terms(doc read.QuoteDocument, q read.QuoteView) []string {
	out := []string{fmt.Sprintf("All amounts are in %s, excluding taxes.", q.Currency)}
	if q.ValidUntil != nil {
		out = append(out, fmt.Sprintf("This quote can be accepted until %s; a later version supersedes it.", day(*q.ValidUntil)))
	}
	for _, l := range strings.Split(strings.ReplaceAll(doc.Terms, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }
