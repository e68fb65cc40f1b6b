package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Attribution into incentives end to end: a partner registers two deals,
// both approved; on one it asks for co-selling, the seller accepts and a
// milestone is planned; both are won through their workflows, which
// record each deal's attribution. A SPIFF paying co-sold wins only runs a
// cycle: it pays the co-sold deal and not the control, and the statement
// line's explanation shows the engagement and who accepted it.
//
// A cycle runs only on a period that has ended, and a deal cannot close
// before it was registered: once won (today, through the API), the two
// deals' close dates are moved into last month by hand, the attribution
// staying as the wins recorded it.
func TestCoSellAttributionSpiff(t *testing.T) {
	manager, seller := stack.tokens["manager"], stack.tokens["seller"]
	name := "Attribution Partner " + tag()
	partner, err := cliLine("partner", "create", "--name", name, "--type", "reseller", "--tier", "gold")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cliLine("token", "create", "--role", "partner_user", "--partner", partner, "--name", "Ava Attrib",
		"--email", "ava."+tag()+"@attrib.example")
	if err != nil {
		t.Fatal(err)
	}
	line := "attrib-" + tag()
	call(t, http.MethodPost, "/v1/cosell/territories", manager,
		map[string]any{"seller_email": "sam@vendor.example", "country": "US", "product_line": line}).must(t, http.StatusCreated)

	register := func() string {
		body := dealBody()
		body["product_lines"] = []string{line}
		id := call(t, http.MethodPost, "/v1/deals", tok, body).must(t, http.StatusCreated).str("id")
		call(t, http.MethodPost, "/v1/deals/"+id+"/approve", manager, map[string]string{"reason": "ok"}).must(t, http.StatusOK)
		return id
	}
	cosold, control := register(), register()

	needBy := time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly)
	eng := call(t, http.MethodPost, "/v1/deals/"+cosold+"/cosell", tok,
		map[string]any{"type": "proof_of_concept", "need_by": needBy, "message": "POC on site"}).must(t, http.StatusCreated)
	eid := eng.str("id")
	if eng.str("assignee_email") != "sam@vendor.example" {
		t.Fatalf("engagement: %s", eng.raw)
	}
	call(t, http.MethodPost, "/v1/cosell/engagements/"+eid+"/accept", seller, map[string]any{"reason": "happy to help"}).must(t, http.StatusOK)
	call(t, http.MethodPost, "/v1/cosell/engagements/"+eid+"/milestones", tok,
		map[string]any{"title": "POC environment ready", "side": "partner", "owner": "Ava", "due": needBy}).must(t, http.StatusOK)

	today := time.Now().UTC().Format(time.DateOnly)
	for _, id := range []string{cosold, control} {
		call(t, http.MethodPost, "/v1/deals/"+id+"/close-won", tok, map[string]any{"amount": 1000000, "currency": "USD",
			"product_lines": []string{line}, "close_date": today}).must(t, http.StatusOK)
	}
	var recorded []string
	waitFor(t, 20*time.Second, func() bool {
		recorded = recorded[:0]
		rows, err := stack.pool.Query(t.Context(), `SELECT deal_id::text || ':' || sourced_by || ':' || array_to_string(influenced_by, ',')
			FROM deal_attributions WHERE deal_id = ANY($1::uuid[]) ORDER BY deal_id = $2::uuid DESC`, []string{cosold, control}, cosold)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			recorded = append(recorded, s)
		}
		return len(recorded) == 2
	})
	if recorded[0] != cosold+":partner:cosell_engagement" || recorded[1] != control+":partner:" {
		t.Fatalf("recorded attributions: %v", recorded)
	}

	lastMonth := time.Date(time.Now().UTC().Year(), time.Now().UTC().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	closed := lastMonth.AddDate(0, 0, 9)
	if _, err := stack.pool.Exec(t.Context(), `UPDATE deals SET closed_on = $2 WHERE id = ANY($1::uuid[])`,
		[]string{cosold, control}, closed); err != nil {
		t.Fatal(err)
	}

	code := "cosold-spiff-" + tag()
	rules := map[string]any{"amount": 500_00, "per": "deal", "product_lines": []string{line},
		"attribution": map[string]any{"influenced_by": []string{"cosell_engagement", "shared_opportunity"}}}
	prog := map[string]any{"code": code, "name": "Co-sold SPIFF", "kind": "spiff", "currency": "USD", "period": "month",
		"grace_days": 5, "starts_on": lastMonth.Format(time.DateOnly), "rules": rules}
	bad := map[string]any{}
	for k, v := range prog {
		bad[k] = v
	}
	bad["code"] = code + "-bad"
	bad["rules"] = map[string]any{"amount": 500_00, "per": "deal", "attribution": map[string]any{"influenced_by": []string{"a_handshake"}}}
	if fe := post(t, "/v1/incentive-programs", "finance", bad).problem(t, 422, "urn:dealflow:problem:validation").fieldErrors(); fe["rules.attribution.influenced_by[0]"] == "" {
		t.Fatalf("field errors %v", fe)
	}
	programID := post(t, "/v1/incentive-programs", "finance", prog).must(t, http.StatusCreated).str("id")
	cycleID := post(t, "/v1/cycles", "finance", map[string]any{"program_id": programID, "period_start": closed.Format(time.DateOnly)}).
		must(t, http.StatusAccepted).str("id")
	c := "/v1/cycles/" + cycleID

	var lines []any
	waitFor(t, 60*time.Second, func() bool {
		if !cycleReady(t, c, "manager") {
			return false
		}
		r := call(t, http.MethodGet, c+"/lines?partner_id="+partner, manager, nil)
		lines, _ = r.body["lines"].([]any)
		return r.status == http.StatusOK && len(lines) == 1
	})
	l := lines[0].(map[string]any)
	if l["amount"] != float64(500_00) || l["deals"] != float64(1) {
		t.Fatalf("the co-sold SPIFF line: %v", l)
	}
	ex := call(t, http.MethodGet, "/v1/statement-lines/"+l["id"].(string)+"/explain", manager, nil).must(t, http.StatusOK)
	deals, _ := ex.body["deals"].([]any)
	if len(deals) != 1 || deals[0].(map[string]any)["deal_id"] != cosold {
		t.Fatalf("paid deals (the control deal %s must not be): %s", control, ex.raw)
	}
	attr, _ := deals[0].(map[string]any)["attribution"].(map[string]any)
	influences, _ := attr["influences"].([]any)
	if attr["sourced_by"] != "partner" || attr["recorded_at"] == nil || len(influences) != 1 {
		t.Fatalf("attribution: %s", ex.raw)
	}
	in := influences[0].(map[string]any)
	text, _ := attr["text"].(string)
	if in["kind"] != "cosell_engagement" || in["ref_id"] != eid ||
		!strings.Contains(text, "co-sell engagement "+eid+" (proof_of_concept) accepted by Sam Seller (sam@vendor.example)") {
		t.Fatalf("influence %v; text %q", in, text)
	}
	if ev, _ := in["evidence"].(map[string]any); ev["accepted_by"] != "Sam Seller" || ev["seller_email"] != "sam@vendor.example" {
		t.Fatalf("evidence %v", in["evidence"])
	}
	// The console's explanation page shows the same.
	cl, _ := consoleClient(t, "manager")
	if page := get(t, cl, "/console/statement-lines/"+l["id"].(string), http.StatusOK); !strings.Contains(page, "Sourced by partner") ||
		!strings.Contains(page, "co-sell engagement "+eid+" (proof_of_concept) accepted by Sam Seller (sam@vendor.example)") {
		t.Fatalf("the console's explanation:\n%s", page)
	}
}
