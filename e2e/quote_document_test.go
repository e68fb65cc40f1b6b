package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/quotedoc"
	"github.com/dealflow/dealflow/internal/quotedoc/quotedoctest"
	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/dealflow/dealflow/read"
)

// The quote document through the real binary (issue 15 §5): a EUR and a
// JPY quote, each read as JSON from GET /v1/quotes/{id}, then as a PDF
// whose text (pdftotext -layout) carries every figure of the JSON — each
// line's unit list price, list amount and net, each waterfall step per
// line and per quote, the totals — formatted by the currency's minor unit,
// and as HTML. The API and the console scope it like the quote itself: a
// partner of another organization gets 404; a bad ?waterfall= is 422.
func TestQuoteDocumentFiguresMatchTheAPI(t *testing.T) {
	sfx := strings.ToUpper(strings.ReplaceAll(uniqueName(), " ", ""))[:6]
	seat, console, svc := "DSEAT-"+sfx, "DCONSOLE-"+sfx, "DSVC-"+sfx
	products := "sku,name,product_line,unit,discountable,active,min_qty,max_qty,requires,excludes\n" +
		seat + ",Analytics seat,analytics,seat,true,true,1,1000," + console + ",\n" +
		console + ",Analytics console,analytics,instance,true,true,1,1,,\n" +
		svc + ",Onboarding services — Zürich,services,day,false,true,1,0,,\n"
	if st, body := postQuoteCSV(t, "/v1/quote-catalog/import?kind=products", "admin", products); st != 201 {
		t.Fatalf("products: %d %s", st, body)
	}
	prices := "sku,currency,effective_from,list_price\n" +
		seat + ",EUR,2020-01-01,12345\n" + console + ",EUR,2020-01-01,100000\n" + svc + ",EUR,2020-01-01,150000\n" +
		seat + ",JPY,2020-01-01,16789\n" + console + ",JPY,2020-01-01,135000\n" + svc + ",JPY,2020-01-01,200000\n"
	if st, body := postQuoteCSV(t, "/v1/quote-catalog/import?kind=prices", "admin", prices); st != 201 {
		t.Fatalf("prices: %d %s", st, body)
	}
	post(t, "/v1/quote-catalog/schedules", "admin", map[string]any{"sku": seat, "kind": "slab",
		"tiers": []map[string]int{{"from": 1, "bp": 0}, {"from": 10, "bp": 500}}}).must(t, http.StatusCreated)
	post(t, "/v1/quote-catalog/policy", "admin", map[string]any{"registration_bp": 500, "manager_up_to_bp": 1000,
		"vendor": "Fabrikam Analytics", "terms": "Payment within 30 days of invoice.",
		"partner_discounts": []map[string]any{{"partner_type": "reseller", "tier": "Gold", "product_line": "analytics", "bp": 1000}}}).
		must(t, http.StatusCreated)
	dealID := submit(t, stack.tokens["partnerA"]).str("id")
	post(t, "/v1/deals/"+dealID+"/approve", "manager", map[string]string{"reason": "go"}).must(t, http.StatusOK)
	lines := []map[string]any{{"sku": seat, "quantity": 23, "additional_bp": 333}, {"sku": console, "quantity": 1}, {"sku": svc, "quantity": 3}}
	mgr, _ := consoleClient(t, "manager")
	other, _ := consoleClient(t, "partnerB")

	for _, cur := range []string{"EUR", "JPY"} {
		id := post(t, "/v1/deals/"+dealID+"/quotes", "partnerA", map[string]any{"currency": cur, "lines": lines}).must(t, http.StatusCreated).str("id")
		js := call(t, http.MethodGet, "/v1/quotes/"+id, stack.tokens["partnerA"], nil).must(t, http.StatusOK)
		var q read.QuoteView
		if err := json.Unmarshal(js.raw, &q); err != nil || q.Pricing == nil || len(q.Pricing.Lines) != 3 {
			t.Fatalf("%s quote: %v %s", cur, err, js.raw)
		}
		for _, mode := range []quotedoc.Waterfall{quotedoc.PerLine, quotedoc.PerQuote} {
			path := "/v1/quotes/" + id + "/document.pdf?waterfall=" + string(mode)
			pdf := call(t, http.MethodGet, path, stack.tokens["partnerA"], nil).must(t, http.StatusOK)
			if ct := pdf.header.Get("Content-Type"); ct != "application/pdf" {
				t.Fatalf("%s: content type %q", path, ct)
			}
			text, err := testenv.PDFText(pdf.raw)
			if err != nil {
				t.Fatal(err)
			}
			quotedoctest.CheckPDFText(t, text, q, mode)
			for _, want := range []string{"Fabrikam Analytics", "Northwind Resellers", "Payment within 30 days of invoice.", "Onboarding services — Zürich"} {
				if !strings.Contains(text, want) {
					t.Errorf("%s lacks %q:\n%s", path, want, text)
				}
			}
			// The console's document is the API's, byte for byte.
			if got := get(t, mgr, "/console/quotes/"+id+"/document.pdf?waterfall="+string(mode), http.StatusOK); got != string(pdf.raw) {
				t.Errorf("the console's %s PDF differs from the API's", mode)
			}
		}
		page := call(t, http.MethodGet, "/v1/quotes/"+id+"/document.html", stack.tokens["partnerA"], nil).must(t, http.StatusOK)
		html := string(page.raw)
		if !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") || page.header.Get("Content-Security-Policy") != quotedoc.ContentSecurityPolicy {
			t.Errorf("HTML headers %v", page.header)
		}
		for _, l := range q.Pricing.Lines {
			for _, s := range l.Steps {
				if !strings.Contains(html, `<td class="n amount">`+domain.FormatMinor(s.Amount, cur)+`</td>`) {
					t.Errorf("%s HTML lacks line %s's %s amount %s", cur, l.SKU, s.Step, domain.FormatMinor(s.Amount, cur))
				}
			}
			if !strings.Contains(html, `<td class="n net">`+domain.FormatMinor(l.Net, cur)+`</td>`) {
				t.Errorf("%s HTML lacks line %s's net", cur, l.SKU)
			}
		}
		if !strings.Contains(html, domain.FormatMinor(q.NetTotal, cur)+" "+cur) {
			t.Errorf("%s HTML lacks the net total", cur)
		}
		if cur == "JPY" && strings.Contains(html, domain.FormatMinor(q.NetTotal, "EUR")) {
			t.Errorf("JPY figures with decimals")
		}
		if got := get(t, mgr, "/console/quotes/"+id+"/document.html", http.StatusOK); got != html {
			t.Errorf("the console's HTML differs from the API's")
		}

		// Scoped like the quote: another organization's partner, no.
		for _, p := range []string{"/document.pdf", "/document.html", ""} {
			call(t, http.MethodGet, "/v1/quotes/"+id+p, stack.tokens["partnerB"], nil).must(t, http.StatusNotFound)
		}
		get(t, other, "/console/quotes/"+id+"/document.pdf", http.StatusNotFound)
		get(t, other, "/console/quotes/"+id+"/document.html", http.StatusNotFound)
		if fe := call(t, http.MethodGet, "/v1/quotes/"+id+"/document.pdf?waterfall=both", stack.tokens["partnerA"], nil).
			problem(t, 422, "urn:dealflow:problem:validation").fieldErrors(); fe["waterfall"] == "" {
			t.Errorf("bad waterfall: %v", fe)
		}
	}
}
