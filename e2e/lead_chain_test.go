package e2e

import (
	"fmt"
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
//   - a channel manager converts the queued form lead into a
//     referral-kind registration credited to the referring partner; it
//     awaits review, a manager approves it and the partner reports it won;
//   - the vendor creates a lead that a routing rule sends to the partner
//     (the rule takes the lead's tag and admits only partners with it); the
//     partner accepts — a vendor_sourced registration, approved at once —
//     records first contact and reports the deal won;
//   - the partner's own referral (a referral-kind deal registered by the
//     partner, no lead behind it) is won too;
//   - a referral incentive program paying on leads partners brought
//     (`"attribution": {"sourced_by": ["partner"], "influenced_by":
//     ["lead"]}`) runs its cycle: 10 % of the converted lead's won amount,
//     and nothing on the other two — the routed lead's deal was sourced by
//     the vendor (with `influenced_by: ["lead"]` alone it would be paid
//     too: it is a lead that became a won deal), the partner's own referral
//     has no lead; the statement line's explanation (API and console)
//     shows the lead, its referral code, touch and the click behind it, and
//     the code's counts are one click, one lead, one won.
//
// A cycle covers only a period that has ended, and a deal cannot close
// before it was registered, so the won deals are moved to last month in
// the database, as if they had closed then (wonEarlier does the same).
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
	formID := r.Header.Get("X-Lead-Id")
	formLead := call(t, http.MethodGet, "/v1/leads/"+formID, mgr, nil).must(t, http.StatusOK)
	if formLead.str("referral_code") != code || formLead.str("attributed_partner_id") != partner || formLead.str("status") != "queued" ||
		formLead.str("source") != "form" || formLead.str("touched_at") == "" {
		t.Fatalf("form lead: %s", formLead.raw)
	}
	if mine := call(t, http.MethodGet, "/v1/leads", tok, nil).must(t, http.StatusOK); !strings.Contains(string(mine.raw), formCo) {
		t.Fatalf("the partner does not see its referral: %s", mine.raw)
	}
	codeCounts(t, tok, code, `"clicks":1,"leads":1,"won":0`)

	// 2. The manager converts the form lead: a referral-kind registration
	// credited to the referring partner, approved, won.
	today := time.Now().UTC().Format(time.DateOnly)
	won := func(id string, amount int64) {
		t.Helper()
		d := call(t, http.MethodPost, "/v1/deals/"+id+"/close-won", tok, map[string]any{"amount": amount, "currency": "USD",
			"product_lines": []string{"firewall"}, "close_date": today}).must(t, http.StatusOK)
		if d.str("status") != "closed_won" {
			t.Fatalf("won: %s", d.raw)
		}
	}
	conv := call(t, http.MethodPost, "/v1/leads/"+formID+"/convert", mgr, map[string]any{"kind": "referral",
		"amount": 3_000_00, "currency": "USD", "reason": "qualified by phone"}).must(t, http.StatusOK)
	converted := conv.str("deal_id")
	if conv.str("status") != "converted" || converted == "" {
		t.Fatalf("converted: %s", conv.raw)
	}
	d := call(t, http.MethodGet, "/v1/deals/"+converted, tok, nil).must(t, http.StatusOK)
	if d.str("kind") != "referral" || d.str("partner_id") != partner || d.str("status") != "pending_approval" {
		t.Fatalf("the converted registration (the referring partner's, kind referral, awaiting review): %s", d.raw)
	}
	call(t, http.MethodPost, "/v1/deals/"+converted+"/approve", mgr, map[string]string{"reason": "the form lead checks out"}).must(t, http.StatusOK)
	won(converted, 3_000_00)
	codeCounts(t, tok, code, `"clicks":1,"leads":1,"won":1`)

	// 3. A vendor lead routed by a rule to the partner, accepted, won.
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
	won(sourced, 5_000_00)

	// 4. The partner's own referral (a referral-kind deal, no lead), won.
	ref := dealBody()
	ref["kind"] = "referral"
	own := call(t, http.MethodPost, "/v1/deals", tok, ref).must(t, http.StatusCreated).str("id")
	call(t, http.MethodPost, "/v1/deals/"+own+"/approve", mgr, map[string]string{"reason": "referred by the partner"}).must(t, http.StatusOK)
	won(own, 2_000_00)

	// 5. Last month's cycle of the lead-attributed referral program pays
	// 10 % on the converted lead's deal alone.
	lastMonth := time.Date(time.Now().UTC().Year(), time.Now().UTC().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	closed := lastMonth.AddDate(0, 0, 9).Format(time.DateOnly)
	if _, err := stack.pool.Exec(t.Context(), `UPDATE deals SET closed_on = $1 WHERE id = ANY($2::uuid[])`, closed,
		[]string{converted, sourced, own}); err != nil {
		t.Fatal(err)
	}
	pcode := "referral-" + mark
	programID := post(t, "/v1/incentive-programs", "finance", map[string]any{"code": pcode, "name": "Referral commission " + mark,
		"kind": "referral", "currency": "USD", "period": "month", "grace_days": 5, "starts_on": lastMonth.Format(time.DateOnly),
		"rules": map[string]any{"rate_bp": 1000, "attribution": map[string]any{"sourced_by": []string{"partner"}, "influenced_by": []string{"lead"}}}}).
		must(t, http.StatusCreated).str("id")
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
	if line["amount"] != float64(300_00) || line["deals"] != float64(1) {
		t.Fatalf("referral commission line (10 %% of the converted lead's 3,000.00 alone): %v", line)
	}
	post(t, c+"/approve", "finance", map[string]any{"reason": "referral commission checked"}).must(t, http.StatusOK)
	waitFor(t, 30*time.Second, func() bool {
		return call(t, http.MethodGet, c, mgr, nil).must(t, http.StatusOK).str("status") == "paid"
	})
	lineID := line["id"].(string)
	ex := call(t, http.MethodGet, "/v1/statement-lines/"+lineID+"/explain", tok, nil).must(t, http.StatusOK)
	deals, _ := ex.body["deals"].([]any)
	if len(deals) != 1 || deals[0].(map[string]any)["deal_id"] != converted || strings.Contains(string(ex.raw), sourced) ||
		strings.Contains(string(ex.raw), own) {
		t.Fatalf("explanation: the converted lead's deal alone: %s", ex.raw)
	}
	leadAttributionExplained(t, deals[0].(map[string]any), formLead, partner)
	cl, _ := consoleClient(t, "manager")
	page := get(t, cl, "/console/statement-lines/"+lineID, http.StatusOK)
	for _, want := range []string{"Sourced by partner", "lead " + formID + " from referral code " + code, "on code " + code} {
		if !strings.Contains(page, want) {
			t.Fatalf("the console's explanation lacks %q:\n%s", want, page)
		}
	}
}

// codeCounts checks the partner's referral code's clicks, leads and won
// registrations (want: their JSON, e.g. `"clicks":1,"leads":1,"won":1`).
func codeCounts(t *testing.T, tok, code, want string) {
	t.Helper()
	codes := call(t, http.MethodGet, "/v1/referral-codes", tok, nil).must(t, http.StatusOK)
	if !strings.Contains(string(codes.raw), `"code":"`+code+`"`) || !strings.Contains(string(codes.raw), want) {
		t.Fatalf("code counts (want %s): %s", want, codes.raw)
	}
}

// leadAttributionExplained checks one deal of a statement line's
// explanation for the lead attribution behind its referral commission:
// sourced by the partner, recorded at the win, the lead (its id, referral
// code, the partner it is attributed to, its touch time) and the referral
// click on that code behind the touch, each with its evidence and words.
func leadAttributionExplained(t *testing.T, deal map[string]any, lead response, partner string) {
	t.Helper()
	attr, _ := deal["attribution"].(map[string]any)
	influences, _ := attr["influences"].([]any)
	if attr["sourced_by"] != "partner" || attr["recorded_at"] == nil || len(influences) != 2 {
		t.Fatalf("attribution (sourced by the partner, a lead and its click): %v", deal)
	}
	byKind := map[string]map[string]any{}
	for _, in := range influences {
		m := in.(map[string]any)
		byKind[m["kind"].(string)] = m
	}
	id, code := lead.str("id"), lead.str("referral_code")
	touched, err := time.Parse(time.RFC3339Nano, lead.str("touched_at"))
	if err != nil {
		t.Fatalf("the lead's touch: %s", lead.raw)
	}
	l, k := byKind["lead"], byKind["referral_click"]
	if l == nil || k == nil {
		t.Fatalf("influences (a lead and a referral click): %v", influences)
	}
	ev, _ := l["evidence"].(map[string]any)
	at, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(ev["touched_at"]))
	if l["ref_id"] != id || ev["lead_id"] != id || ev["referral_code"] != code || ev["attributed_partner_id"] != partner ||
		ev["source"] != "form" || !at.Equal(touched) {
		t.Fatalf("the lead influence (lead %s, code %s, touch %s): %v", id, code, touched, l)
	}
	kev, _ := k["evidence"].(map[string]any)
	clicked, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(kev["clicked_at"]))
	if kev["code"] != code || kev["lead_id"] != id || clicked.IsZero() || clicked.After(touched.Add(time.Second)) {
		t.Fatalf("the referral click influence (on code %s before the touch %s): %v", code, touched, k)
	}
	text, _ := attr["text"].(string)
	if !strings.HasPrefix(text, "sourced by partner") ||
		!strings.Contains(text, "lead "+id+" from referral code "+code+", touch "+touched.UTC().Format("2006-01-02 15:04 UTC")) ||
		!strings.Contains(text, "referral click "+fmt.Sprint(k["ref_id"])+" on code "+code+" at ") {
		t.Fatalf("the attribution in words: %q", text)
	}
}
