package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// formAllowanceBack gives the public form's per-address allowance back
// after a test that used n of it: the form takes 5 a minute per address,
// one more every 12 s, and every e2e test posts from 127.0.0.1, so the
// next test that counts on a full allowance (the sixth refused) would see
// this test's submissions.
func formAllowanceBack(t *testing.T, n int) {
	t.Cleanup(func() { time.Sleep(time.Duration(n)*12*time.Second + time.Second) })
}

// The lead chain through the real binary, for a partner of its own:
//
//   - a visitor clicks the partner's referral link and sends the public
//     form: the lead is the partner's (its code, first touch), queued for
//     the vendor, and the partner sees it among its referrals;
//   - the vendor creates a lead that a routing rule sends to the partner
//     (the rule takes the lead's tag and admits only partners with it); the
//     partner accepts — a vendor_sourced registration, approved at once —
//     records first contact and reports the deal won;
//   - the partner's own referral (a referral-kind deal) is won too, and a
//     referral incentive cycle pays its commission: 10 % of the won amount
//     on the referral deal, nothing on the vendor-sourced one (the
//     referral commission pays on referral-kind deals; vendor-sourced
//     deals earn none).
//
// A cycle covers only a period that has ended, and a deal cannot close
// before it was registered, so the two won deals are moved to last month
// in the database, as if they had closed then (wonEarlier does the same).
func TestLeadChainEndToEnd(t *testing.T) {
	mark := "chain" + tag()
	partner, err := cliLine("partner", "create", "--name", "Chain Partner "+mark, "--type", "reseller", "--tier", "gold")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cliLine("token", "create", "--role", "partner_user", "--partner", partner, "--name", "Cara Chain",
		"--email", mark+"@chain.example")
	if err != nil {
		t.Fatal(err)
	}
	mgr := stack.tokens["manager"]

	// 1. Referral click → public form → a lead attributed to the code.
	code := call(t, http.MethodPost, "/v1/referral-codes", tok, nil).must(t, http.StatusCreated).str("code")
	resp := click(t, "/r/"+code)
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "dealflow_ref" {
			cookie = c
		}
	}
	if resp.StatusCode != http.StatusFound || cookie == nil {
		t.Fatalf("click: %d, cookie %v", resp.StatusCode, cookie)
	}
	formCo := "Formed " + mark
	formAllowanceBack(t, 1)
	r := sendForm(t, url.Values{"company": {formCo}, "country": {"US"}, "name": {"Vi Visitor"}, "email": {"vi@" + mark + ".example"},
		"interest": {"firewall"}, "consent": {"yes"}, "consent_version": {"lead-form-consent-v1"}}, cookie)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("form: %d", r.StatusCode)
	}
	formLead := call(t, http.MethodGet, "/v1/leads/"+r.Header.Get("X-Lead-Id"), mgr, nil).must(t, http.StatusOK)
	if formLead.str("referral_code") != code || formLead.str("attributed_partner_id") != partner || formLead.str("status") != "queued" ||
		formLead.str("source") != "form" {
		t.Fatalf("form lead: %s", formLead.raw)
	}
	if mine := call(t, http.MethodGet, "/v1/leads", tok, nil).must(t, http.StatusOK); !strings.Contains(string(mine.raw), formCo) {
		t.Fatalf("the partner does not see its referral: %s", mine.raw)
	}
	codes := call(t, http.MethodGet, "/v1/referral-codes", tok, nil).must(t, http.StatusOK)
	if !strings.Contains(string(codes.raw), `"code":"`+code+`"`) || !strings.Contains(string(codes.raw), `"clicks":1,"leads":1`) {
		t.Fatalf("code counts: %s", codes.raw)
	}

	// 2. A vendor lead routed by a rule to the partner, accepted, won.
	prog := defaultProgram(t)
	call(t, http.MethodPut, "/v1/programs/"+prog+"/lead-routing", mgr, map[string]any{"rules": []any{
		map[string]any{"name": "chain", "lead_tags": []string{mark}, "partner_tags": []string{mark}},
		map[string]any{"name": "everyone"},
	}}).must(t, http.StatusOK)
	call(t, http.MethodPut, "/v1/partners/"+partner+"/lead-profile", mgr, map[string]any{"tags": []string{mark}, "capacity": 5}).must(t, http.StatusOK)
	body := leadBody(mark + ".example.com")
	body["tags"], body["currency"], body["amount"] = []string{mark}, "USD", 5_000_00
	routed := call(t, http.MethodPost, "/v1/leads", mgr, body).must(t, http.StatusCreated)
	offers, _ := routed.body["offers"].([]any)
	if routed.str("status") != "offered" || len(offers) != 1 || offers[0].(map[string]any)["partner_id"] != partner {
		t.Fatalf("routed: %s", routed.raw)
	}
	lid := routed.str("id")
	call(t, http.MethodPost, "/v1/leads/"+lid+"/accept", tok, nil).must(t, http.StatusOK)
	sourced := call(t, http.MethodGet, "/v1/leads/"+lid, tok, nil).must(t, http.StatusOK).str("deal_id")
	if d := call(t, http.MethodGet, "/v1/deals/"+sourced, tok, nil).must(t, http.StatusOK); d.str("kind") != "vendor_sourced" || d.str("status") != "approved" {
		t.Fatalf("vendor-sourced registration: %s", d.raw)
	}
	call(t, http.MethodPost, "/v1/leads/"+lid+"/contacted", tok, map[string]any{"reason": "demo booked"}).must(t, http.StatusOK)
	today := time.Now().UTC().Format(time.DateOnly)
	won := func(id string, amount int64) {
		t.Helper()
		d := call(t, http.MethodPost, "/v1/deals/"+id+"/close-won", tok, map[string]any{"amount": amount, "currency": "USD",
			"product_lines": []string{"firewall"}, "close_date": today}).must(t, http.StatusOK)
		if d.str("status") != "closed_won" {
			t.Fatalf("won: %s", d.raw)
		}
	}
	won(sourced, 5_000_00)

	// 3. The partner's referral (a referral-kind deal), approved and won.
	ref := dealBody()
	ref["kind"] = "referral"
	referral := call(t, http.MethodPost, "/v1/deals", tok, ref).must(t, http.StatusCreated).str("id")
	call(t, http.MethodPost, "/v1/deals/"+referral+"/approve", mgr, map[string]string{"reason": "referred by the partner"}).must(t, http.StatusOK)
	won(referral, 3_000_00)

	// 4. Last month's referral cycle pays 10 % on the referral deal only.
	lastMonth := time.Date(time.Now().UTC().Year(), time.Now().UTC().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	closed := lastMonth.AddDate(0, 0, 9).Format(time.DateOnly)
	if _, err := stack.pool.Exec(t.Context(), `UPDATE deals SET closed_on = $1 WHERE id = ANY($2::uuid[])`, closed, []string{sourced, referral}); err != nil {
		t.Fatal(err)
	}
	pcode := "referral-" + mark
	programID := post(t, "/v1/incentive-programs", "finance", map[string]any{"code": pcode, "name": "Referral commission " + mark,
		"kind": "referral", "currency": "USD", "period": "month", "grace_days": 5, "starts_on": lastMonth.Format(time.DateOnly),
		"rules": map[string]any{"rate_bp": 1000}}).must(t, http.StatusCreated).str("id")
	cycleID := post(t, "/v1/cycles", "finance", map[string]any{"program_id": programID, "period_start": closed}).must(t, http.StatusAccepted).str("id")
	c := "/v1/cycles/" + cycleID
	var lines []any
	waitFor(t, 30*time.Second, func() bool {
		if !cycleReady(t, c, "manager") {
			return false
		}
		r := call(t, http.MethodGet, c+"/lines?partner_id="+partner, mgr, nil)
		lines, _ = r.body["lines"].([]any)
		return r.status == http.StatusOK && len(lines) > 0
	})
	if len(lines) != 1 {
		t.Fatalf("lines: %v", lines)
	}
	line := lines[0].(map[string]any)
	if line["amount"] != float64(300_00) {
		t.Fatalf("referral commission line: %v", line)
	}
	post(t, c+"/approve", "finance", map[string]any{"reason": "referral commission checked"}).must(t, http.StatusOK)
	waitFor(t, 30*time.Second, func() bool {
		return call(t, http.MethodGet, c, mgr, nil).must(t, http.StatusOK).str("status") == "paid"
	})
	ex := call(t, http.MethodGet, "/v1/statement-lines/"+line["id"].(string)+"/explain", tok, nil).must(t, http.StatusOK)
	deals, _ := ex.body["deals"].([]any)
	if len(deals) != 1 || !strings.Contains(string(ex.raw), referral) || strings.Contains(string(ex.raw), sourced) {
		t.Fatalf("explanation: the referral deal alone: %s", ex.raw)
	}
	leadAttributionExplained(t, ex, formLead)
}

// leadAttributionExplained is where the statement line's explanation is
// checked for the lead attribution behind a referral commission (the
// lead's referral code, partner and touch). Today the referral-kind deal
// the commission pays on is registered by the partner itself, not
// converted from the form lead, so there is no attribution to explain
// yet; the check asserts what holds now — the explanation names the
// program's kind and the form lead carries its attribution — and is the
// one place to extend once a queued lead converts into the registration
// the commission pays on.
func leadAttributionExplained(t *testing.T, explanation, lead response) {
	t.Helper()
	if !strings.Contains(string(explanation.raw), "referral") {
		t.Fatalf("the explanation does not name the referral commission: %s", explanation.raw)
	}
	if lead.str("touched_at") == "" || lead.str("referral_code") == "" {
		t.Fatalf("the lead carries no attribution: %s", lead.raw)
	}
}
