package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/incentive"
	"go.temporal.io/sdk/client"
)

// postCSV sends a CSV body.
func postQuoteCSV(t *testing.T, path, who, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, stack.baseURL+path, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+stack.tokens[who])
	req.Header.Set("Content-Type", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The quote vertical slice through the real binary: the catalog imported
// from CSV (a bad file rejected by line, nothing half-imported), the
// channel policy, a registration approved, a quote on it priced by the
// waterfall with the registration discount, a manager's approval of its
// additional discount, the customer's acceptance closing the deal as won
// with the quote's net amount and units, linked to the quote.
func TestQuoteRegistrationToWon(t *testing.T) {
	sfx := strings.ToUpper(strings.ReplaceAll(uniqueName(), " ", ""))[:6]
	seat, console := "SEAT-"+sfx, "CONSOLE-"+sfx
	// The quote's product line is this test's own, so that the per-unit
	// SPIFF below pays on this deal alone.
	line := "analytics-" + strings.ToLower(sfx)

	// A bad file: line 3's quantity limits are wrong; line 2 is fine but is
	// not imported either.
	bad := "sku,name,product_line,unit,discountable,active,min_qty,max_qty,requires,excludes\n" +
		"GOOD-" + sfx + ",Good,analytics,seat,true,true,1,0,,\n" +
		"BAD-" + sfx + ",Bad,analytics,seat,true,true,5,2,,\n"
	if st, body := postQuoteCSV(t, "/v1/quote-catalog/import?kind=products", "admin", bad); st != 422 || !strings.Contains(body, `"line 3: max_qty"`) {
		t.Fatalf("bad import: %d %s", st, body)
	}
	if r := call(t, http.MethodGet, "/v1/quote-catalog/products?q=GOOD-"+sfx, stack.tokens["partnerA"], nil).must(t, 200); strings.Contains(string(r.raw), "GOOD-"+sfx) {
		t.Fatalf("half imported: %s", r.raw)
	}
	products := "sku,name,product_line,unit,discountable,active,min_qty,max_qty,requires,excludes\n" +
		seat + ",Analytics seat," + strings.ToUpper(line) + ",seat,true,true,1,1000," + console + ",\n" +
		console + ",Analytics console," + line + ",instance,true,true,1,1,,\n"
	if st, body := postQuoteCSV(t, "/v1/quote-catalog/import?kind=products", "admin", products); st != 201 {
		t.Fatalf("products: %d %s", st, body)
	}
	prices := "sku,currency,effective_from,list_price\n" + seat + ",USD,2020-01-01,12345\n" + console + ",USD,2020-01-01,100000\n"
	if st, body := postQuoteCSV(t, "/v1/quote-catalog/import?kind=prices", "admin", prices); st != 201 {
		t.Fatalf("prices: %d %s", st, body)
	}
	post(t, "/v1/quote-catalog/schedules", "partnerA", map[string]any{}).must(t, http.StatusForbidden)
	post(t, "/v1/quote-catalog/schedules", "admin", map[string]any{"sku": seat, "kind": "range",
		"tiers": []map[string]int{{"from": 1, "bp": 0}, {"from": 10, "bp": 500}, {"from": 50, "bp": 1000}}}).must(t, http.StatusCreated)
	post(t, "/v1/quote-catalog/policy", "admin", map[string]any{"registration_bp": 500, "manager_up_to_bp": 1000,
		"partner_discounts": []map[string]any{{"partner_type": "reseller", "tier": "Gold", "product_line": line, "bp": 1000}}}).must(t, http.StatusCreated)

	dealID := submit(t, stack.tokens["partnerA"]).str("id")
	post(t, "/v1/deals/"+dealID+"/approve", "manager", map[string]string{"reason": "go"}).must(t, http.StatusOK)

	// Bad input: unknown SKU, another organization's deal.
	r := post(t, "/v1/deals/"+dealID+"/quotes", "partnerA", map[string]any{"currency": "USD",
		"lines": []map[string]any{{"sku": "NOPE-" + sfx, "quantity": 1}}}).problem(t, 422, "urn:dealflow:problem:validation")
	if r.fieldErrors()["lines[0].sku"] == "" {
		t.Fatalf("unknown SKU: %s", r.raw)
	}
	lines := []map[string]any{{"sku": seat, "quantity": 20, "additional_bp": 250}, {"sku": console, "quantity": 1}}
	post(t, "/v1/deals/"+dealID+"/quotes", "partnerB", map[string]any{"currency": "USD", "lines": lines}).must(t, http.StatusNotFound)

	q := post(t, "/v1/deals/"+dealID+"/quotes", "partnerA", map[string]any{"currency": "USD", "lines": lines}).must(t, http.StatusCreated)
	id := q.str("id")
	// SEAT: 20 × 123.45 = 2469.00 → range 5 % 2345.55 → partner 10 % 2111.00
	// (2110.995, tie to even) → registration 5 % 2005.45 → additional
	// 2.5 % 1955.31. CONSOLE: 1000.00 → 900.00 → 855.00. Total 2810.31.
	pricing := q.body["pricing"].(map[string]any)
	var got []string
	for _, l := range pricing["lines"].([]any) {
		var amounts []string
		for _, s := range l.(map[string]any)["steps"].([]any) {
			amounts = append(amounts, fmt.Sprint(s.(map[string]any)["amount"]))
		}
		got = append(got, strings.Join(amounts, " "))
	}
	if want := "246900 234555 211100 200545 195531|100000 100000 90000 85500 85500"; strings.Join(got, "|") != want {
		t.Fatalf("waterfall %v, want %s\n%s", got, want, q.raw)
	}
	if q.body["net_total"] != float64(281031) || q.str("status") != "draft" || pricing["registration"] != true {
		t.Fatalf("quote = %s", q.raw)
	}
	call(t, http.MethodGet, "/v1/quotes/"+id, stack.tokens["partnerB"], nil).must(t, http.StatusNotFound)
	if l := call(t, http.MethodGet, "/v1/quotes", stack.tokens["partnerB"], nil).must(t, 200); strings.Contains(string(l.raw), id) {
		t.Fatalf("partner B lists A's quote")
	}

	sub := post(t, "/v1/quotes/"+id+"/submit", "partnerA", nil).must(t, http.StatusOK)
	if sub.str("status") != "pending_approval" {
		t.Fatalf("submitted: %s", sub.raw)
	}
	post(t, "/v1/quotes/"+id+"/approve", "partnerA", nil).must(t, http.StatusForbidden)
	post(t, "/v1/quotes/"+id+"/accept", "partnerA", map[string]any{"po_number": "PO-1", "accepted_on": todayDate()}).
		problem(t, http.StatusConflict, "urn:dealflow:problem:invalid-transition")
	post(t, "/v1/quotes/"+id+"/approve", "manager", map[string]string{"reason": "competitive"}).must(t, http.StatusOK)
	autoApproved(t, dealID, seat, console)
	acc := post(t, "/v1/quotes/"+id+"/accept", "partnerA", map[string]any{"po_number": "PO-4711", "accepted_on": todayDate()}).must(t, http.StatusOK)
	if acc.str("status") != "accepted" || acc.str("po_number") != "PO-4711" {
		t.Fatalf("accepted: %s", acc.raw)
	}
	var evs []string
	for _, e := range acc.body["events"].([]any) {
		evs = append(evs, e.(map[string]any)["type"].(string))
	}
	if strings.Join(evs, " ") != "created submitted approved accepted" {
		t.Fatalf("quote events %v", evs)
	}
	d := call(t, http.MethodGet, "/v1/deals/"+dealID, stack.tokens["partnerA"], nil).must(t, http.StatusOK)
	o := d.body["outcome"].(map[string]any)
	if d.str("status") != "closed_won" || o["amount"] != float64(281031) {
		t.Fatalf("deal after acceptance: %s", d.raw)
	}
	// One event on the deal's timeline, linked to the quote, with its units.
	tl := d.timeline(t)
	won := tl[len(tl)-1]
	payload := won["payload"].(map[string]any)
	if won["type"] != "closed_won" || payload["quote_id"] != id || payload["quote_version"] != float64(1) || payload["units"] != float64(21) {
		t.Fatalf("closed_won event = %v", won)
	}
	// The deal's view names the quote and version it was won by, and its units.
	if q, _ := o["quote"].(map[string]any); q["id"] != id || q["version"] != float64(1) || o["units"] != float64(21) {
		t.Fatalf("deal outcome = %v", o)
	}
	// v1-quote-approved-accepted.json was recorded before events were
	// recorded by a local activity (GetVersion record-local); it stays.
	recordHistory(t, "quote/"+id, "v2-quote-record-local-approved-accepted.json")
	perUnitSpiffPaid(t, line, 21)
}

// perUnitSpiffPaid runs a per-unit SPIFF (2.50 USD a unit on product line
// line) over this month and checks partner A's statement line pays it on
// the units the accepted quote won its deal with, then that the cycle is
// paid. The API starts cycles only for periods that have ended; the win
// is today's, so the cycle is started through its typed client.
func perUnitSpiffPaid(t *testing.T, line string, units int64) {
	t.Helper()
	now := time.Now().UTC()
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	prog := post(t, "/v1/incentive-programs", "finance", map[string]any{"code": "units-" + tag(), "name": "Per-seat SPIFF",
		"kind": "spiff", "currency": "USD", "period": "month", "grace_days": 3, "starts_on": first.Format(time.DateOnly),
		"rules": map[string]any{"amount": 250, "per": "unit", "product_lines": []string{line}}}).must(t, http.StatusCreated)
	tc, err := client.Dial(client.Options{HostPort: stack.temporal, Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	cycleID, err := incentive.NewClient(tc, time.Minute).Start(context.Background(), incentive.CycleInput{ProgramID: prog.str("id"),
		PeriodStart: first.Format(time.DateOnly), PeriodEnd: first.AddDate(0, 1, 0).Format(time.DateOnly),
		StartedBy: domain.Actor{ID: "e2e", Name: "e2e", Role: domain.RoleAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	c := "/v1/cycles/" + cycleID
	var lines []any
	waitFor(t, 60*time.Second, func() bool {
		if !cycleReady(t, c, "manager") {
			return false
		}
		r := call(t, http.MethodGet, c+"/lines?partner_id="+stack.partnerA, stack.tokens["manager"], nil)
		lines, _ = r.body["lines"].([]any)
		return r.status == http.StatusOK && len(lines) == 1
	})
	if l := lines[0].(map[string]any); l["amount"] != float64(250*units) {
		t.Fatalf("SPIFF line %v, want %d (250 × %d units)", l, 250*units, units)
	}
	post(t, c+"/approve", "finance2", map[string]any{"reason": "units match the quote"}).must(t, http.StatusOK)
	waitFor(t, 60*time.Second, func() bool {
		return call(t, http.MethodGet, c, stack.tokens["manager"], nil).must(t, http.StatusOK).str("status") == "paid"
	})
}

// autoApproved submits a second quote on the deal within the partner's
// standard discounts: it is approved on submission, with no manager.
func autoApproved(t *testing.T, dealID, seat, console string) {
	t.Helper()
	lines := []map[string]any{{"sku": seat, "quantity": 2}, {"sku": console, "quantity": 1}}
	id := post(t, "/v1/deals/"+dealID+"/quotes", "partnerA", map[string]any{"currency": "USD", "lines": lines}).must(t, http.StatusCreated).str("id")
	if sub := post(t, "/v1/quotes/"+id+"/submit", "partnerA", nil).must(t, http.StatusOK); sub.str("status") != "approved" {
		t.Fatalf("within the standard discounts, submitted: %s", sub.raw)
	}
	recordHistory(t, "quote/"+id, "v2-quote-record-local-auto-approved.json")
}
