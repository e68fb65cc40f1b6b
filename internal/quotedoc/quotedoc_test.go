package quotedoc

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/dealflow/dealflow/read"
)

// priced prices a quote of a seat licence (with a range schedule and an
// additional discount), its console and non-discountable services in cur
// at the given list prices, by the real waterfall.
func priced(t *testing.T, cur string, seat, console, svc int64) domain.PricedQuote {
	t.Helper()
	in := domain.PricingInputs{Currency: cur, PriceDate: "2026-03-01",
		Products: map[string]domain.Product{
			"SEAT":    {SKU: "SEAT", Name: "Analytics seat", ProductLine: "analytics", Unit: "seat", Discountable: true, Active: true, MinQty: 1},
			"CONSOLE": {SKU: "CONSOLE", Name: "Analytics console", ProductLine: "analytics", Unit: "instance", Discountable: true, Active: true, MinQty: 1},
			"SVC":     {SKU: "SVC", Name: "Onboarding services — Zürich", ProductLine: "services", Unit: "day", Active: true, MinQty: 1},
		},
		Prices: map[string]domain.Price{
			"SEAT":    {SKU: "SEAT", Currency: cur, ListPrice: seat, EffectiveFrom: "2026-01-01", Version: 2},
			"CONSOLE": {SKU: "CONSOLE", Currency: cur, ListPrice: console, EffectiveFrom: "2026-01-01", Version: 1},
			"SVC":     {SKU: "SVC", Currency: cur, ListPrice: svc, EffectiveFrom: "2026-01-01", Version: 1},
		},
		Schedules: map[string]domain.Schedule{"SEAT": {SKU: "SEAT", Kind: domain.ScheduleRange, Version: 3,
			Tiers: []domain.VolumeTier{{From: 1, BP: 0}, {From: 10, BP: 500}}}},
		Policy: domain.ChannelPricing{Version: 7, RegistrationBP: 500, ManagerUpToBP: 1000,
			PartnerDiscounts: []domain.PartnerDiscount{{PartnerType: "reseller", Tier: "gold", BP: 1000}}},
		PartnerType: "reseller", PartnerTier: "gold", Registration: true, RegistrationWhy: "own protected registration",
	}
	p, problems := domain.PriceQuote([]domain.LineRequest{{SKU: "SEAT", Quantity: 20, AdditionalBP: 250}, {SKU: "CONSOLE", Quantity: 1},
		{SKU: "SVC", Quantity: 3}}, in)
	if len(problems) > 0 {
		t.Fatalf("pricing: %v", problems)
	}
	return p
}

func document(t *testing.T, cur string, seat, console, svc int64) read.QuoteDocument {
	p := priced(t, cur, seat, console, svc)
	until := time.Date(2026, 3, 31, 9, 0, 0, 0, time.UTC)
	return read.QuoteDocument{Vendor: "Northwind Analytics GmbH", Partner: "Ačme Resellers", Customer: "Globex Ltd", CustomerCountry: "DE",
		Terms: "Payment within 30 days of invoice.\nDelivery by electronic download.",
		Quote: read.QuoteView{ID: "0b5f3c1e-2f43-4d55-9f0e-6a1d1c2b3a4f", Version: 2, Status: "pending_approval", Currency: cur,
			NetTotal: p.NetTotal, ValidUntil: &until, Pricing: &p, UpdatedAt: until.Add(-30 * 24 * time.Hour)}}
}

// rows reads pdftotext -layout output as its non-empty rows, each with
// its runs of spaces collapsed to one.
func rows(text string) []string {
	var out []string
	space := regexp.MustCompile(`\s+`)
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
	t    *testing.T
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
	r.find(func(row string) bool { return strings.Contains(row, label+": "+value) }, label, nil)
}

func (r *reader) find(match func(string) bool, prefix string, figures []string) {
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
	r.t.Errorf("no row starting %q (with %v) after row %d:\n%s", prefix, figures, r.at, strings.Join(r.rows, "\n"))
}

// checkFigures reads every figure of q back from the document's text, in
// order: each line (unit list price, list amount, net) and, per line or
// per quote, each waterfall step's discount and running amount, then the
// totals.
func checkFigures(t *testing.T, text string, q read.QuoteView, mode Waterfall) {
	t.Helper()
	r := &reader{t: t, rows: rows(text)}
	cur, p := q.Currency, q.Pricing
	r.field("Quote number", q.ID)
	r.field("Currency", cur)
	r.field("Valid until", q.ValidUntil.UTC().Format(time.DateOnly))
	for i, l := range p.Lines {
		r.row(itoa(i+1)+" "+l.SKU, money(l.ListPrice, cur), money(l.ListAmount, cur), money(l.Net, cur))
		if mode != PerLine {
			continue
		}
		for _, s := range l.Steps {
			if s.Step == domain.StepList {
				r.row(StepLabel(s.Step), money(s.Amount, cur))
				continue
			}
			r.row(StepLabel(s.Step), rate(s.BP), domain.FormatMinor(-s.Discount, cur), money(s.Amount, cur))
		}
	}
	if mode == PerQuote {
		sums := map[string][2]int64{}
		for _, l := range p.Lines {
			for _, s := range l.Steps {
				v := sums[s.Step]
				sums[s.Step] = [2]int64{v[0] + s.Discount, v[1] + s.Amount}
			}
		}
		r.row("Price waterfall")
		r.row(StepLabel(domain.StepList), money(sums[domain.StepList][1], cur))
		for _, st := range []string{domain.StepVolume, domain.StepPartner, domain.StepRegistration, domain.StepAdditional} {
			r.row(StepLabel(st), domain.FormatMinor(-sums[st][0], cur), money(sums[st][1], cur))
		}
	}
	r.row("List total", money(p.ListTotal, cur))
	r.row("Discounts", domain.FormatMinor(p.NetTotal-p.ListTotal, cur))
	r.row("Net total", money(p.NetTotal, cur), cur)
	r.row("Units", itoa(int(p.Units)))
}

// The PDF's text, as pdftotext reads it, carries every figure of the
// quote formatted by its currency's minor unit — cents for EUR, whole yen
// for JPY — per line and per quote.
func TestPDFFiguresMatchTheQuote(t *testing.T) {
	for _, c := range []struct {
		cur                string
		seat, console, svc int64
	}{{"EUR", 12345, 100000, 150000}, {"JPY", 12345, 100000, 150000}} {
		for _, mode := range []Waterfall{PerLine, PerQuote} {
			t.Run(c.cur+"/"+string(mode), func(t *testing.T) {
				doc := document(t, c.cur, c.seat, c.console, c.svc)
				b, err := PDF(doc, mode)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(b, []byte("%PDF-")) {
					t.Fatalf("not a PDF: %q", b[:min(len(b), 16)])
				}
				text, err := testenv.PDFText(b)
				if err != nil {
					t.Fatal(err)
				}
				checkFigures(t, text, doc.Quote, mode)
				for _, want := range []string{"Northwind Analytics GmbH", "Ačme Resellers", "Globex Ltd (DE)", "Onboarding services — Zürich",
					"pending approval", "Payment within 30 days of invoice.", "All amounts are in " + c.cur + ", excluding taxes."} {
					if !strings.Contains(text, want) {
						t.Errorf("the PDF lacks %q:\n%s", want, text)
					}
				}
				again, err := PDF(doc, mode)
				if err != nil || !bytes.Equal(again, b) {
					t.Errorf("the same quote renders to different bytes (%v)", err)
				}
			})
		}
	}
}

// The JPY figures have no decimals, the EUR ones two.
func TestFiguresUseTheMinorUnit(t *testing.T) {
	jpy := build(document(t, "JPY", 12345, 100000, 150000), PerLine)
	eur := build(document(t, "EUR", 12345, 100000, 150000), PerLine)
	if got := jpy.Items[0].UnitList; got != "12345" {
		t.Errorf("JPY unit list %q", got)
	}
	if got := eur.Items[0].UnitList; got != "123.45" {
		t.Errorf("EUR unit list %q", got)
	}
}

// The HTML view shows the same figures (escaped), the waterfall per line
// or per quote as chosen, and its policy allows only its own style.
func TestHTMLView(t *testing.T) {
	doc := document(t, "EUR", 12345, 100000, 150000)
	doc.Customer = `<script>alert(1)</script>`
	for _, mode := range []Waterfall{PerLine, PerQuote} {
		b, err := HTML(doc, mode)
		if err != nil {
			t.Fatal(err)
		}
		h := string(b)
		if strings.Contains(h, "<script>") || !strings.Contains(h, "&lt;script&gt;") {
			t.Errorf("customer not escaped")
		}
		p := doc.Quote.Pricing
		for _, l := range p.Lines {
			if !strings.Contains(h, `<td class="n net">`+money(l.Net, "EUR")+`</td>`) {
				t.Errorf("%s: line %d net %s missing", mode, l.Line, money(l.Net, "EUR"))
			}
		}
		steps := strings.Count(h, `<td class="n amount">`)
		want := len(p.Lines) * len(p.Lines[0].Steps)
		if mode == PerQuote {
			want = len(p.Lines[0].Steps)
		}
		if steps != want {
			t.Errorf("%s: %d waterfall rows, want %d", mode, steps, want)
		}
		if !strings.Contains(h, money(p.NetTotal, "EUR")+" EUR") {
			t.Errorf("%s: net total missing", mode)
		}
	}
	if !strings.HasPrefix(ContentSecurityPolicy, "default-src 'none'; style-src 'sha256-") {
		t.Errorf("CSP %q", ContentSecurityPolicy)
	}
}

func TestParseWaterfall(t *testing.T) {
	for in, want := range map[string]Waterfall{"": PerLine, "lines": PerLine, "quote": PerQuote} {
		if got, ok := ParseWaterfall(in); !ok || got != want {
			t.Errorf("%q: %q %v", in, got, ok)
		}
	}
	if _, ok := ParseWaterfall("both"); ok {
		t.Error("accepted both")
	}
}
