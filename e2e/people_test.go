package e2e

import (
	"crypto/sha256"
	"net/http"
	"strings"
	"testing"
	"time"
)

// personToken mints a token with the CLI and remembers it under key.
func personToken(t *testing.T, key string, args ...string) {
	t.Helper()
	tok, err := cliLine(append([]string{"token", "create"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	stack.tokens[key] = tok
}

// personOf is the person id behind a token, as stored.
func personOf(t *testing.T, token string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(token))
	var person *string
	if err := stack.pool.QueryRow(t.Context(), `SELECT u.person_id::text FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1`, sum[:]).Scan(&person); err != nil {
		t.Fatal(err)
	}
	if person == nil {
		return ""
	}
	return *person
}

// `dealflow token create` needs --email for a person (or --service for an
// integration); tokens of one e-mail, in any case and any role, are one
// person; a service token has none.
func TestTokensOfOneEmailAreOnePerson(t *testing.T) {
	email := "dana." + tag() + "@vendor.example"
	personToken(t, "danaManager", "--role", "channel_manager", "--email", email, "--name", "Dana Dual")
	personToken(t, "danaAdmin", "--role", "admin", "--email", strings.ToUpper(email))
	manager, admin := personOf(t, stack.tokens["danaManager"]), personOf(t, stack.tokens["danaAdmin"])
	if manager == "" || manager != admin {
		t.Fatalf("Dana's manager token is person %q, her admin token %q: want one person", manager, admin)
	}
	if other := personOf(t, stack.tokens["managerB2"]); other == manager {
		t.Fatal("another e-mail resolved to Dana")
	}
	personToken(t, "crmService", "--role", "partner_user", "--partner", stack.partnerA, "--service", "--name", "crm "+tag())
	if p := personOf(t, stack.tokens["crmService"]); p != "" {
		t.Fatalf("service token has person %q", p)
	}
	for _, args := range [][]string{
		{"token", "create", "--role", "finance", "--name", "No Mail"},
		{"token", "create", "--role", "finance", "--email", "not-an-address"},
		{"token", "create", "--role", "finance", "--service", "--email", "svc@vendor.example", "--name", "svc"},
		{"token", "create", "--role", "finance", "--service"},
	} {
		out, stderr, err := dealflow(args...)
		if code := exitCode(err); code != 2 || out != "" || stderr == "" {
			t.Errorf("dealflow %v: exit %d, stdout %q, stderr %q; want a usage error", args, code, out, stderr)
		}
	}
	// One person acts for one organization: Dana cannot become a partner's user.
	if out, _, err := dealflow("token", "create", "--role", "partner_user", "--partner", stack.partnerA, "--email", email); err == nil || out != "" {
		t.Fatalf("a vendor person got a partner token: %q %v", out, err)
	}
}

// One person holding a channel manager's token and an admin's counts once:
// the second approval of a deal that needs two is refused with 409
// four-eyes when it comes from the same person's other token, and given
// by another person.
func TestFourEyesByPersonThroughTheAPI(t *testing.T) {
	email := "drew." + tag() + "@vendor.example"
	personToken(t, "drewManager", "--role", "channel_manager", "--email", email, "--name", "Drew Dual")
	personToken(t, "drewAdmin", "--role", "admin", "--email", email)
	body := dealBody()
	body["amount"] = 250_000_00 // at or above the default 100,000.00 USD: two approvals
	created := call(t, http.MethodPost, "/v1/deals", stack.tokens["partnerA"], body).must(t, http.StatusCreated)
	d := "/v1/deals/" + created.str("id")
	first := post(t, d+"/approve", "drewManager", map[string]string{"reason": "fits"}).must(t, http.StatusOK)
	if first.str("status") != "pending_approval" {
		t.Fatalf("after one approval: %s", first.raw)
	}
	post(t, d+"/approve", "drewAdmin", map[string]string{"reason": "my other hat"}).problem(t, http.StatusConflict, "urn:dealflow:problem:four-eyes")
	if got := call(t, http.MethodGet, d, stack.tokens["manager"], nil).must(t, http.StatusOK); got.str("status") != "pending_approval" {
		t.Fatalf("after the refused approval: %s", got.raw)
	}
	post(t, d+"/approve", "managerB2", map[string]string{"reason": "agreed"}).must(t, http.StatusOK)
	final := call(t, http.MethodGet, d, stack.tokens["manager"], nil).must(t, http.StatusOK)
	if final.str("status") != "approved" {
		t.Fatalf("after a second person's approval: %s", final.raw)
	}
	people := map[string]bool{}
	for _, e := range final.timeline(t) {
		if e["type"] == "approval_recorded" || e["type"] == "approved" {
			a, _ := e["actor"].(map[string]any)
			p, _ := a["person_id"].(string)
			people[p] = true
		}
	}
	if len(people) != 2 || people[""] || !people[personOf(t, stack.tokens["drewAdmin"])] {
		t.Fatalf("approvals by people %v, want Drew's and Mia's", people)
	}
	recordHistory(t, "deal/"+created.str("id"), "v2-four-eyes-by-person.json")
}

// A cycle paying out at or above its program's second_approval_at needs
// two finance people: the same person's second approval is refused with
// 409 four-eyes; the cycle's view shows the approvals given and required.
func TestPayoutFourEyesThroughTheAPI(t *testing.T) {
	partner, err := cliLine("partner", "create", "--name", "Payout Partner "+tag(), "--type", "reseller", "--tier", "gold")
	if err != nil {
		t.Fatal(err)
	}
	personToken(t, "payoutPartner", "--role", "partner_user", "--partner", partner, "--name", "Paula Payout",
		"--email", "paula."+tag()+"@payout.example")
	personToken(t, "fernFinance", "--role", "finance", "--name", "Fern Finance", "--email", "fern."+tag()+"@vendor.example")
	lastMonth := time.Date(time.Now().UTC().Year(), time.Now().UTC().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	// Won last month: carried over (a close date never precedes submission).
	wonEarlier(t, partner, 5000_00, []string{"edr"}, lastMonth.AddDate(0, 0, 4).Format(time.DateOnly))
	prog := post(t, "/v1/incentive-programs", "finance", map[string]any{"code": "edr-spiff-" + tag(), "name": "EDR SPIFF",
		"kind": "spiff", "currency": "USD", "period": "month", "grace_days": 3, "starts_on": lastMonth.Format(time.DateOnly),
		"rules": map[string]any{"amount": 300_00, "per": "deal", "product_lines": []string{"edr"}, "second_approval_at": 100_00}}).
		must(t, http.StatusCreated)
	started := post(t, "/v1/cycles", "finance", map[string]any{"program_id": prog.str("id"),
		"period_start": lastMonth.Format(time.DateOnly)}).must(t, http.StatusAccepted)
	c := "/v1/cycles/" + started.str("id")
	approvals := func() map[string]any {
		v := call(t, http.MethodGet, c, stack.tokens["finance"], nil).must(t, http.StatusOK)
		a, _ := v.body["approvals"].(map[string]any)
		return a
	}
	waitFor(t, 30*time.Second, func() bool { // until the workflow is in review
		v := call(t, http.MethodGet, c, stack.tokens["finance"], nil)
		a, _ := v.body["approvals"].(map[string]any)
		return v.status == http.StatusOK && a["required"] != float64(0)
	})
	if a := approvals(); a["required"] != float64(2) || a["second_approval_at"] != float64(100_00) || len(a["given"].([]any)) != 0 {
		t.Fatalf("approvals before review %v", a)
	}
	post(t, c+"/approve", "fernFinance", map[string]string{"reason": "checked"}).must(t, http.StatusOK)
	personToken(t, "fernAgain", "--role", "finance", "--email", strings.ToUpper(personEmail(t, stack.tokens["fernFinance"])))
	post(t, c+"/approve", "fernAgain", map[string]string{"reason": "again"}).problem(t, http.StatusConflict, "urn:dealflow:problem:four-eyes")
	if a := approvals(); a["required"] != float64(2) || len(a["given"].([]any)) != 1 {
		t.Fatalf("approvals after one %v", a)
	}
	post(t, c+"/approve", "finance2", map[string]string{"reason": "agreed"}).must(t, http.StatusOK)
	waitFor(t, 30*time.Second, func() bool {
		return call(t, http.MethodGet, c, stack.tokens["finance"], nil).str("status") == "paid"
	})
	if a := approvals(); len(a["given"].([]any)) != 2 {
		t.Fatalf("approvals when paid %v", a)
	}
	recordHistory(t, "cycle/"+started.str("id"), "v2-cycle-two-finance-people-paid.json")
}

// personEmail is the e-mail of the person behind a token.
func personEmail(t *testing.T, token string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(token))
	var email string
	if err := stack.pool.QueryRow(t.Context(), `SELECT p.email FROM api_tokens t JOIN users u ON u.id = t.user_id
		JOIN people p ON p.id = u.person_id WHERE t.token_hash = $1`, sum[:]).Scan(&email); err != nil {
		t.Fatal(err)
	}
	return email
}
