package quotedoc_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/quotedoc"
	"github.com/dealflow/dealflow/internal/quotedoc/quotedoctest"
	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/dealflow/dealflow/read"
)

// svcSKU is a long SKU: printed in full, in a smaller type.
const svcSKU = "ONBOARDING-SERVICES-ZURICH-PREMIUM-2026"

// priced prices a quote of a seat licence (with a range schedule and an
// additional discount), its console and non-discountable services in cur
// at the given list prices, by the real waterfall.
func priced(t *testing.T, cur string, seat, console, svc int64) domain.PricedQuote {
	t.Helper()
	in := domain.PricingInputs{Currency: cur, PriceDate: "2026-03-01",
		Products: map[string]domain.Product{
			"SEAT":    {SKU: "SEAT", Name: "Analytics seat", ProductLine: "analytics", Unit: "seat", Discountable: true, Active: true, MinQty: 1},
			"CONSOLE": {SKU: "CONSOLE", Name: "Analytics console — Zürich", ProductLine: "analytics", Unit: "instance", Discountable: true, Active: true, MinQty: 1},
			svcSKU:    {SKU: svcSKU, Name: "Onboarding services — Zürich", ProductLine: "services", Unit: "day", Active: true, MinQty: 1},
		},
		Prices: map[string]domain.Price{
			"SEAT":    {SKU: "SEAT", Currency: cur, ListPrice: seat, EffectiveFrom: "2026-01-01", Version: 2},
			"CONSOLE": {SKU: "CONSOLE", Currency: cur, ListPrice: console, EffectiveFrom: "2026-01-01", Version: 1},
			svcSKU:    {SKU: svcSKU, Currency: cur, ListPrice: svc, EffectiveFrom: "2026-01-01", Version: 1},
		},
		Schedules: map[string]domain.Schedule{"SEAT": {SKU: "SEAT", Kind: domain.ScheduleRange, Version: 3,
			Tiers: []domain.VolumeTier{{From: 1, BP: 0}, {From: 10, BP: 500}}}},
		Policy: domain.ChannelPricing{Version: 7, RegistrationBP: 500, ManagerUpToBP: 1000,
			PartnerDiscounts: []domain.PartnerDiscount{{PartnerType: "reseller", Tier: "gold", BP: 1000}}},
		PartnerType: "reseller", PartnerTier: "gold", Registration: true, RegistrationWhy: "own protected registration",
	}
	p, problems := domain.PriceQuote([]domain.LineRequest{{SKU: "SEAT", Quantity: 20, AdditionalBP: 250}, {SKU: "CONSOLE", Quantity: 1},
		{SKU: svcSKU, Quantity: 3}}, in)
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

// The PDF's text, as pdftotext reads it, carries every figure of the
// quote formatted by its currency's minor unit — cents for EUR, whole yen
// for JPY — per line and per quote.
func TestPDFFiguresMatchTheQuote(t *testing.T) {
	for _, c := range []struct {
		cur                string
		seat, console, svc int64
	}{{"EUR", 12345, 100000, 150000}, {"JPY", 12345, 100000, 150000}} {
		for _, mode := range []quotedoc.Waterfall{quotedoc.PerLine, quotedoc.PerQuote} {
			t.Run(c.cur+"/"+string(mode), func(t *testing.T) {
				doc := document(t, c.cur, c.seat, c.console, c.svc)
				b, err := quotedoc.PDF(doc, mode)
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
				quotedoctest.CheckPDFText(t, text, doc.Quote, mode)
				for _, want := range []string{"Northwind Analytics GmbH", "Ačme Resellers", "Globex Ltd (DE)", "Analytics console — Zürich", "ONBOARDING-SERVICES-ZURICH-PREMIUM-2026",
					"pending approval", "Payment within 30 days of invoice.", "All amounts are in " + c.cur + ", excluding taxes."} {
					if !strings.Contains(text, want) {
						t.Errorf("the PDF lacks %q:\n%s", want, text)
					}
				}
				again, err := quotedoc.PDF(doc, mode)
				if err != nil || !bytes.Equal(again, b) {
					t.Errorf("the same quote renders to different bytes (%v)", err)
				}
			})
		}
	}
}

// The JPY figures have no decimals, the EUR ones two.
func TestFiguresUseTheMinorUnit(t *testing.T) {
	for cur, want := range map[string]string{"JPY": "<td class=\"n\">12345</td>", "EUR": "<td class=\"n\">123.45</td>"} {
		b, err := quotedoc.HTML(document(t, cur, 12345, 100000, 150000), quotedoc.PerLine)
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("%s: no %s (%v)", cur, want, err)
		}
	}
}

// The HTML view shows the same figures (escaped), the waterfall per line
// or per quote as chosen, and its policy allows only its own style.
func TestHTMLView(t *testing.T) {
	doc := document(t, "EUR", 12345, 100000, 150000)
	doc.Customer = `<script>alert(1)</script>`
	for _, mode := range []quotedoc.Waterfall{quotedoc.PerLine, quotedoc.PerQuote} {
		b, err := quotedoc.HTML(doc, mode)
		if err != nil {
			t.Fatal(err)
		}
		h := string(b)
		if strings.Contains(h, "<script>") || !strings.Contains(h, "&lt;script&gt;") {
			t.Errorf("customer not escaped")
		}
		p := doc.Quote.Pricing
		for _, l := range p.Lines {
			if !strings.Contains(h, `<td class="n net">`+domain.FormatMinor(l.Net, "EUR")+`</td>`) {
				t.Errorf("%s: line %d net %s missing", mode, l.Line, domain.FormatMinor(l.Net, "EUR"))
			}
		}
		steps := strings.Count(h, `<td class="n amount">`)
		want := len(p.Lines) * len(p.Lines[0].Steps)
		if mode == quotedoc.PerQuote {
			want = len(p.Lines[0].Steps)
		}
		if steps != want {
			t.Errorf("%s: %d waterfall rows, want %d", mode, steps, want)
		}
		if !strings.Contains(h, domain.FormatMinor(p.NetTotal, "EUR")+" EUR") {
			t.Errorf("%s: net total missing", mode)
		}
	}
	if !strings.HasPrefix(quotedoc.ContentSecurityPolicy, "default-src 'none'; style-src 'sha256-") {
		t.Errorf("CSP %q", quotedoc.ContentSecurityPolicy)
	}
}

func TestParseWaterfall(t *testing.T) {
	for in, want := range map[string]quotedoc.Waterfall{"": quotedoc.PerLine, "lines": quotedoc.PerLine, "quote": quotedoc.PerQuote} {
		if got, ok := quotedoc.ParseWaterfall(in); !ok || got != want {
			t.Errorf("%q: %q %v", in, got, ok)
		}
	}
	if _, ok := quotedoc.ParseWaterfall("both"); ok {
		t.Error("accepted both")
	}
}
