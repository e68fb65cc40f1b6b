package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
)

// wonDeal writes a closed-won deal of partner straight into the deals
// projection (as the deal workflow leaves it), so that a cycle of an ended
// period has deals to freeze whatever today's date.
func wonDeal(t *testing.T, partner string, amount int64, currency, line string, closed time.Time) string {
	t.Helper()
	ctx := context.Background()
	u, err := dbq.New(stack.pool).UserEnsure(ctx, dbq.UserEnsureParams{Name: "Won Deal Writer", Role: "partner_user",
		PartnerID: uuid.NullUUID{UUID: uuid.MustParse(partner), Valid: true}})
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.New()
	if _, err := stack.pool.Exec(ctx, `INSERT INTO deals (id, partner_id, status, kind, customer_name, customer_domain,
		customer_registrable_domain, customer_country, contact_name, contact_email, product_lines, amount, currency,
		expected_close_date, submitted_by, workflow_id, last_event_seq, created_at, updated_at,
		won_amount, won_currency, won_product_lines, won_units, closed_on)
		VALUES ($1, $2, 'closed_won', 'resale', $3, $4, $4, 'US', 'C', 'c@example.com', $5, $6, $7, $8, $9, $10, 5, now(), now(),
		        $6, $7, $5, 1, $8)`,
		id, partner, uniqueName(), uniqueDomain(), []string{line}, amount, currency, closed, u.ID, "deal/"+id.String()); err != nil {
		t.Fatal(err)
	}
	return id.String()
}

// reverseDeal reverses a won deal as the deal workflow records it.
func reverseDeal(t *testing.T, deal string) {
	t.Helper()
	ctx := context.Background()
	if _, err := stack.pool.Exec(ctx, `UPDATE deals SET won_amount = 0, last_event_seq = 6 WHERE id = $1`, deal); err != nil {
		t.Fatal(err)
	}
	if _, err := stack.pool.Exec(ctx, `INSERT INTO deal_events (deal_id, seq, type, from_status, to_status, actor_id, actor_name,
		actor_role, reason, occurred_at) VALUES ($1, 6, 'outcome_reversed', 'closed_won', 'closed_won', 'f', 'Fin', 'finance',
		'refunded', now())`, deal); err != nil {
		t.Fatal(err)
	}
}

// runCycle starts a program's cycle for the period holding day and waits
// until it is in review; it returns the cycle's path.
func runCycle(t *testing.T, program string, day time.Time) string {
	t.Helper()
	id := post(t, "/v1/cycles", "finance", map[string]any{"program_id": program, "period_start": day.Format(time.DateOnly)}).
		must(t, http.StatusAccepted).str("id")
	waitFor(t, 30*time.Second, func() bool {
		return cycleReady(t, "/v1/cycles/"+id, "finance")
	})
	return "/v1/cycles/" + id
}

// payCycle approves a cycle in review and waits until it is paid.
func payCycle(t *testing.T, c string) {
	t.Helper()
	post(t, c+"/approve", "finance2", map[string]any{"reason": "checked"}).must(t, http.StatusOK)
	waitFor(t, 30*time.Second, func() bool {
		return call(t, http.MethodGet, c, stack.tokens["finance"], nil).str("status") == "paid"
	})
}

// partnerLines returns partner's lines of a cycle, as finance reads them.
func partnerLines(t *testing.T, c, partner string) []map[string]any {
	t.Helper()
	r := call(t, http.MethodGet, c+"/lines?partner_id="+partner, stack.tokens["finance"], nil).must(t, http.StatusOK)
	list, _ := r.body["lines"].([]any)
	out := make([]map[string]any, len(list))
	for i, l := range list {
		out[i] = l.(map[string]any)
	}
	return out
}

// excludedList renders a list of excluded deals as "deal:currency:amount:reason".
func excludedList(v any) string {
	list, _ := v.([]any)
	var out []string
	for _, e := range list {
		m := e.(map[string]any)
		out = append(out, fmt.Sprintf("%s:%s:%.0f:%s", m["deal_id"], m["currency"], m["amount"], m["reason"]))
	}
	return strings.Join(out, "|")
}

// The payout audit's findings through the API. A rebate program is
// created with product lines as typed ("EDR-…", stored lower-cased, as
// deals' are; a product line no deal has used is warned about, a blank one
// refused). Its cycle excludes two deals won in another currency and lists
// them one by one for finance (the cycle, the excluded-deals page, the
// console) and in each partner's explanation, each partner seeing its own
// only. A reversed deal is then trued up in the next cycle: the audit's
// marginal tiers, 5,850,000.00 → 1,350,000.00 of revenue, 231,000.00 →
// 34,000.00 of rebate, and the explanation says so.
func TestExcludedDealsAndTrueUpThroughTheAPI(t *testing.T) {
	partners := map[string]string{}
	for _, who := range []string{"payX", "payY"} {
		p, err := cliLine("partner", "create", "--name", "Payout "+who+" "+tag(), "--type", "reseller", "--tier", "gold")
		if err != nil {
			t.Fatal(err)
		}
		tok, err := cliLine("token", "create", "--role", "partner_user", "--partner", p, "--name", "Pay "+who, "--email", "pay."+who+"."+tag()+"@payouts.example")
		if err != nil {
			t.Fatal(err)
		}
		partners[who], stack.tokens[who] = p, tok
	}
	x, y := partners["payX"], partners["payY"]
	now := time.Now().UTC()
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -2, 0) // two months ago
	second := first.AddDate(0, 1, 0)
	line := "edr-" + tag()
	big := wonDeal(t, x, 4_500_000_00, "USD", line, first.AddDate(0, 0, 4))
	wonDeal(t, x, 1_000_000_00, "USD", line, first.AddDate(0, 0, 9))
	wonDeal(t, x, 350_000_00, "USD", line, first.AddDate(0, 0, 19))
	xEUR := wonDeal(t, x, 7_000_00, "EUR", line, first.AddDate(0, 0, 20))
	wonDeal(t, y, 200_000_00, "USD", line, first.AddDate(0, 0, 5))
	yGBP := wonDeal(t, y, 3_000_00, "GBP", line, first.AddDate(0, 0, 6))

	tiers := []map[string]any{{"above": 0, "rate_bp": 200}, {"above": 1_000_000_00, "rate_bp": 400}, {"above": 5_000_000_00, "rate_bp": 600}}
	prog := map[string]any{"code": "trueup-" + tag(), "name": "Audit rebate", "kind": "rebate", "currency": "USD", "period": "month",
		"grace_days": 3, "starts_on": first.Format(time.DateOnly),
		"rules": map[string]any{"mode": "marginal", "tiers": tiers, "product_lines": []string{" " + strings.ToUpper(line)}}}
	created := post(t, "/v1/incentive-programs", "finance", prog).must(t, http.StatusCreated)
	if rules, _ := created.body["rules"].(map[string]any); fmt.Sprint(rules["product_lines"]) != "["+line+"]" || created.body["warnings"] != nil {
		t.Fatalf("program %s", created.raw)
	}
	programID := created.str("id")
	spiff := map[string]any{"code": "never-" + tag(), "name": "Nobody sells it", "kind": "spiff", "currency": "USD", "period": "month",
		"grace_days": 3, "starts_on": first.Format(time.DateOnly),
		"rules": map[string]any{"amount": 100, "per": "deal", "product_lines": []string{line, "Never-" + tag()}}}
	warned := post(t, "/v1/incentive-programs", "finance", spiff).must(t, http.StatusCreated)
	if w := fmt.Sprint(warned.body["warnings"]); !strings.Contains(w, "rules.product_lines[1]") || !strings.Contains(w, "no deal has ever") ||
		strings.Contains(w, "product_lines[0]") {
		t.Fatalf("warnings %s", warned.raw)
	}
	spiff["code"], spiff["rules"] = "blank-"+tag(), map[string]any{"amount": 100, "per": "deal", "product_lines": []string{"  "}}
	if fe := post(t, "/v1/incentive-programs", "finance", spiff).problem(t, 422, "urn:dealflow:problem:validation").fieldErrors(); fe["rules.product_lines[0]"] == "" {
		t.Fatalf("field errors %v", fe)
	}

	c1 := runCycle(t, programID, first)
	cy := call(t, http.MethodGet, c1, stack.tokens["manager"], nil).must(t, http.StatusOK)
	wantX, wantY := xEUR+":EUR:700000:currency EUR", yGBP+":GBP:300000:currency GBP"
	if got := excludedList(cy.body["excluded_deals"]); cy.body["excluded_inputs"] != float64(2) || !strings.Contains(got, wantX) || !strings.Contains(got, wantY) {
		t.Fatalf("the cycle's excluded deals: %s", cy.raw)
	}
	if got := excludedList(call(t, http.MethodGet, c1+"/excluded-deals?partner_id="+x, stack.tokens["finance"], nil).must(t, http.StatusOK).body["excluded_deals"]); got != wantX {
		t.Fatalf("partner X's excluded deals %q", got)
	}
	call(t, http.MethodGet, c1+"/excluded-deals", stack.tokens["payX"], nil).must(t, http.StatusForbidden)
	fin, _ := consoleClient(t, "finance")
	if page := get(t, fin, "/console/cycles/"+strings.TrimPrefix(c1, "/v1/cycles/"), http.StatusOK); !strings.Contains(page, "Excluded deals") ||
		!strings.Contains(page, xEUR) || !strings.Contains(page, yGBP) {
		t.Fatal("the console's cycle page does not list the excluded deals")
	}
	xLine, yLine := partnerLines(t, c1, x)[0], partnerLines(t, c1, y)[0]
	if xLine["amount"] != float64(231_000_00) || yLine["amount"] != float64(4_000_00) {
		t.Fatalf("lines %v %v", xLine, yLine)
	}
	payCycle(t, c1)
	for _, tc := range []struct{ who, line, want string }{{"payX", xLine["id"].(string), wantX}, {"payY", yLine["id"].(string), wantY}} {
		ex := call(t, http.MethodGet, "/v1/statement-lines/"+tc.line+"/explain", stack.tokens[tc.who], nil).must(t, http.StatusOK)
		if got := excludedList(ex.body["excluded_deals"]); got != tc.want {
			t.Fatalf("%s's explanation lists excluded deals %q, want %q", tc.who, got, tc.want)
		}
	}
	call(t, http.MethodGet, "/v1/statement-lines/"+yLine["id"].(string)+"/explain", stack.tokens["payX"], nil).must(t, http.StatusNotFound)
	px, _ := consoleClient(t, "payX")
	if page := get(t, px, "/console/statement-lines/"+xLine["id"].(string), http.StatusOK); !strings.Contains(page, xEUR) || strings.Contains(page, yGBP) {
		t.Fatal("partner X's console explanation does not list its excluded deal alone")
	}

	reverseDeal(t, big)
	c2 := runCycle(t, programID, second)
	lines := partnerLines(t, c2, x)
	if len(lines) != 1 || lines[0]["kind"] != "clawback" || lines[0]["amount"] != float64(-197_000_00) {
		t.Fatalf("the second cycle's lines for partner X: %v", lines)
	}
	payCycle(t, c2)
	ex := call(t, http.MethodGet, "/v1/statement-lines/"+lines[0]["id"].(string)+"/explain", stack.tokens["payX"], nil).must(t, http.StatusOK)
	tu, _ := ex.body["true_up"].(map[string]any)
	last := second.AddDate(0, 0, -1).Format(time.DateOnly)
	if tu == nil || tu["basis_before"] != float64(5_850_000_00) || tu["basis_after"] != float64(1_350_000_00) ||
		tu["figure_before"] != float64(231_000_00) || tu["figure_after"] != float64(34_000_00) || tu["difference"] != float64(-197_000_00) ||
		tu["rules_version"] != float64(1) || tu["period_start"] != first.Format(time.DateOnly) || tu["period_end"] != last {
		t.Fatalf("true-up %s", ex.raw)
	}
	want := "true-up of period " + first.Format(time.DateOnly) + " – " + last + ": revenue was 5850000.00 USD, now 1350000.00 USD; " +
		"marginal rebate was 231000.00 USD, now 34000.00 USD; difference -197000.00 USD clawed back; rules version 1"
	if !strings.HasPrefix(ex.str("summary"), want) {
		t.Fatalf("summary %q, want %q…", ex.str("summary"), want)
	}
	if deals, _ := ex.body["deals"].([]any); len(deals) != 1 || deals[0].(map[string]any)["deal_id"] != big {
		t.Fatalf("the true-up's deals %v", deals)
	}
}
