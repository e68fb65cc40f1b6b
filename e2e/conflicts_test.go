package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func tag() string { return fmt.Sprintf("%d", time.Now().UnixNano()) }

func countRows(t *testing.T, table, where string, args ...any) int {
	t.Helper()
	var n int
	if err := stack.pool.QueryRow(t.Context(), "SELECT count(*) FROM "+table+" WHERE "+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Accounts arrive in bulk over the API, upserted by external id; a batch
// with a bad row is refused whole with every bad row named.
func TestImportAccountsAPI(t *testing.T) {
	id := tag()
	rows := []map[string]any{
		{"external_id": "A-" + id + "-1", "name": "Initech " + id + " LLC", "domain": "initech" + id + ".com", "country": "us", "owner_type": "direct"},
		{"external_id": "A-" + id + "-2", "name": "Hooli " + id, "domain": "https://www.hooli" + id + ".xyz", "owner_type": "partner", "owner_partner_id": stack.partnerB},
	}
	r := post(t, "/v1/accounts/import", "manager", map[string]any{"accounts": rows}).must(t, http.StatusOK)
	if r.body["inserted"] != float64(2) || r.body["updated"] != float64(0) {
		t.Fatalf("first import = %s", r.raw)
	}
	rows[0]["name"] = "Initech " + id + " Inc"
	if r := post(t, "/v1/accounts/import", "admin", map[string]any{"accounts": rows}).must(t, http.StatusOK); r.body["updated"] != float64(2) {
		t.Fatalf("second import = %s", r.raw)
	}
	bad := append(rows, map[string]any{"external_id": "A-" + id + "-3", "name": "", "country": "USA", "owner_type": "nobody"},
		map[string]any{"external_id": "A-" + id + "-4", "name": "X", "owner_type": "partner", "owner_partner_id": "00000000-0000-4000-8000-000000000000"})
	before := countRows(t, "accounts", "external_id LIKE $1", "A-"+id+"-%")
	p := post(t, "/v1/accounts/import", "manager", map[string]any{"accounts": bad}).problem(t, 422, "urn:dealflow:problem:validation")
	errs := p.fieldErrors()
	for _, f := range []string{"accounts[2].name", "accounts[2].country", "accounts[2].owner_type"} {
		if errs[f] == "" {
			t.Errorf("no error for %s: %s", f, p.raw)
		}
	}
	if after := countRows(t, "accounts", "external_id LIKE $1", "A-"+id+"-%"); after != before {
		t.Fatalf("a refused batch wrote %d rows", after-before)
	}
	post(t, "/v1/accounts/import", "partnerA", map[string]any{"accounts": rows}).must(t, http.StatusForbidden)
}

// The CLI imports CSV the same way: a summary on stdout, or every bad row
// on stderr and nothing written.
func TestImportCSVFromCLI(t *testing.T) {
	id := tag()
	dir := t.TempDir()
	good := filepath.Join(dir, "opps.csv")
	os.WriteFile(good, []byte("external_id,account_name,domain,country,owner,stage,status,amount,currency,product_lines,close_date\n"+
		"O-"+id+"-1,Vandelay "+id+" Industries,vandelay"+id+".com,US,Sam Direct,proposal,open,5000000,usd,firewall;vpn,2027-02-01\n"+
		"O-"+id+"-2,Kramerica "+id+",,US,Sam Direct,won,won,,,,\n"), 0o600)
	out, stderr, err := dealflow("import", "opportunities", good)
	if err != nil || out != "opportunities: 2 inserted, 0 updated\n" {
		t.Fatalf("import: %v %q %s", err, out, stderr)
	}
	badFile := filepath.Join(dir, "accounts.csv")
	os.WriteFile(badFile, []byte("external_id,name,domain,country,owner_type,reserved_for_direct\n"+
		"C-"+id+"-1,Good Co "+id+",good"+id+".com,US,direct,true\n"+
		"C-"+id+"-2,,not a domain,XX,direct,maybe\n"), 0o600)
	out, stderr, err = dealflow("import", "accounts", badFile)
	if err == nil || out != "" || !strings.Contains(stderr, "row 2") || !strings.Contains(stderr, "reserved_for_direct") {
		t.Fatalf("bad file: err=%v out=%q stderr=%s", err, out, stderr)
	}
	if n := countRows(t, "accounts", "external_id LIKE $1", "C-"+id+"-%"); n != 0 {
		t.Fatalf("a refused file wrote %d rows", n)
	}
	if _, _, err := dealflow("import", "accounts"); exitCode(err) != 2 {
		t.Fatalf("usage error exit %d", exitCode(err))
	}
}

// The pre-check finds matches without registering anything: "Acme Corp."
// collides with "ACME Corporation", "Delta Air Lines" does not with "Delta
// Dental"; partners learn only that a conflict exists and why in general
// terms, managers see every detail.
func TestConflictPreCheck(t *testing.T) {
	id := tag()
	post(t, "/v1/accounts/import", "manager", map[string]any{"accounts": []map[string]any{
		{"external_id": "P-" + id + "-1", "name": "Acme" + id + " Corp.", "domain": "acme" + id + ".com", "country": "US", "owner_type": "direct"},
		{"external_id": "P-" + id + "-2", "name": "Delta" + id + " Air Lines", "domain": "delta" + id + ".com", "country": "US", "owner_type": "direct"},
	}}).must(t, http.StatusOK)
	registered := dealBody()
	registered["customer"] = map[string]any{"name": "Globex" + id + " Inc", "domain": "globex" + id + ".com", "country": "US"}
	post(t, "/v1/deals", "partnerA", registered).must(t, http.StatusCreated)
	before := countRows(t, "deals", "true")

	check := func(who, name, domain string) response {
		return post(t, "/v1/conflict-checks", who, map[string]any{
			"customer": map[string]any{"name": name, "domain": domain, "country": "US"}, "product_lines": []string{"firewall"},
		}).must(t, http.StatusOK)
	}
	acme := check("partnerB", "ACME"+id+" Corporation", "www.acme"+id+".com")
	if acme.body["conflict"] != true {
		t.Fatalf("acme = %s", acme.raw)
	}
	if delta := check("partnerB", "Delta"+id+" Dental", "deltadental"+id+".com"); delta.body["conflict"] != false {
		t.Fatalf("delta = %s", delta.raw)
	}
	globex := check("partnerB", "Globex"+id+" Incorporated", "globex"+id+".com")
	raw := string(globex.raw)
	if globex.body["conflict"] != true || !strings.Contains(raw, "another partner has an open registration") {
		t.Fatalf("globex for partner B = %s", raw)
	}
	for _, secret := range []string{stack.partnerA, "Globex" + id + " Inc", "deal_id", "partner_id", "explanation"} {
		if strings.Contains(raw, secret) {
			t.Fatalf("the partner's pre-check leaks %q: %s", secret, raw)
		}
	}
	if own := check("partnerA", "Globex"+id+" Incorporated", "globex"+id+".com"); own.body["conflict"] != false {
		t.Fatalf("a partner conflicts with itself: %s", own.raw)
	}
	mgr := check("manager", "Globex"+id+" Incorporated", "globex"+id+".com")
	if !strings.Contains(string(mgr.raw), stack.partnerA) || !strings.Contains(string(mgr.raw), "same registrable domain") {
		t.Fatalf("manager pre-check = %s", mgr.raw)
	}
	if after := countRows(t, "deals", "true"); after != before {
		t.Fatal("a pre-check registered something")
	}
	post(t, "/v1/conflict-checks", "partnerA", map[string]any{"customer": map[string]any{"name": ""}}).problem(t, 422, "urn:dealflow:problem:validation")
	post(t, "/v1/conflict-checks", "finance", map[string]any{"customer": map[string]any{"name": "x"}}).must(t, http.StatusForbidden)
}

// Registering a customer reserved for direct sales is rejected by rule; a
// customer direct sales is working goes to conflict review, where the
// manager's award is an event and the other partner involved is notified.
func TestConflictSourcesInScreening(t *testing.T) {
	id := tag()
	post(t, "/v1/accounts/import", "manager", map[string]any{"accounts": []map[string]any{
		{"external_id": "R-" + id, "name": "Reserved" + id + " Holdings Ltd", "domain": "reserved" + id + ".com",
			"country": "US", "owner_type": "direct", "reserved_for_direct": true},
	}}).must(t, http.StatusOK)
	b := dealBody()
	b["customer"] = map[string]any{"name": "Reserved" + id + " Holdings", "domain": "sales.reserved" + id + ".com", "country": "US"}
	r := post(t, "/v1/deals", "partnerA", b).must(t, http.StatusCreated)
	tl := r.timeline(t)
	if r.str("status") != "rejected" || tl[len(tl)-1]["payload"].(map[string]any)["rule"] != "auto_reject.reserved_account" {
		t.Fatalf("reserved = %s", r.raw)
	}

	post(t, "/v1/opportunities/import", "manager", map[string]any{"opportunities": []map[string]any{
		{"external_id": "D-" + id, "account_name": "Wayne" + id + " Enterprises", "domain": "wayne" + id + ".com", "country": "US", "status": "open"},
	}}).must(t, http.StatusOK)
	first := dealBody()
	first["customer"] = map[string]any{"name": "Wayne" + id + " Enterprises Inc", "domain": "wayne" + id + ".com", "country": "US"}
	one := post(t, "/v1/deals", "partnerB", first).must(t, http.StatusCreated)
	two := post(t, "/v1/deals", "partnerA", first).must(t, http.StatusCreated)
	if one.str("status") != "conflict_review" || two.str("status") != "conflict_review" {
		t.Fatalf("statuses %s, %s", one.str("status"), two.str("status"))
	}
	// The manager sees the deal beside its matches, oldest first; the
	// partner's own view of its deal never names the other partner.
	side := call(t, http.MethodGet, "/v1/deals/"+two.str("id")+"/conflicts", stack.tokens["manager"], nil).must(t, http.StatusOK)
	matches := side.body["matches"].([]any)
	if len(matches) != 2 || matches[0].(map[string]any)["source"] != "opportunity" ||
		matches[1].(map[string]any)["partner_id"] != stack.partnerB {
		t.Fatalf("side by side = %s", side.raw)
	}
	call(t, http.MethodGet, "/v1/deals/"+two.str("id")+"/conflicts", stack.tokens["partnerA"], nil).must(t, http.StatusForbidden)
	for _, path := range []string{"/v1/deals/" + two.str("id"), "/v1/deals/" + two.str("id") + "/timeline"} {
		mine := call(t, http.MethodGet, path, stack.tokens["partnerA"], nil).must(t, http.StatusOK)
		if strings.Contains(string(mine.raw), stack.partnerB) || strings.Contains(string(mine.raw), one.str("id")) ||
			!strings.Contains(string(mine.raw), `"conflicts_count":2`) {
			t.Fatalf("partner A's view of %s leaks or lacks the count: %s", path, mine.raw)
		}
	}
	award := post(t, "/v1/deals/"+two.str("id")+"/resolve-conflict", "manager",
		map[string]string{"outcome": "award", "reason": "partner A brought the customer to the table"}).must(t, http.StatusOK)
	if award.str("status") != "pending_approval" {
		t.Fatalf("award = %s", award.raw)
	}
	if n := countRows(t, "notifications", "deal_id = $1 AND audience = $2 AND kind = 'conflict_resolved'", two.str("id"), "partner:"+stack.partnerB); n != 1 {
		t.Fatalf("the other partner got %d notifications", n)
	}
	direct := post(t, "/v1/deals/"+one.str("id")+"/resolve-conflict", "manager",
		map[string]string{"outcome": "direct_sales", "reason": "the account team owns it"}).must(t, http.StatusOK)
	if direct.str("status") != "rejected" || types(t, direct) != "submitted screening_started conflict_detected handed_to_direct_sales" {
		t.Fatalf("direct = %s", direct.raw)
	}
}

// The pre-check answers odd input properly: too long or empty is 422;
// non-Latin and injection-like names are checked like any other.
func TestConflictPreCheckOddInput(t *testing.T) {
	for _, name := range []string{"株式会社トヨタ自動車", "'; DROP TABLE accounts; --", "Ωmega ΑΒΓ", "\u202eevil"} {
		r := post(t, "/v1/conflict-checks", "partnerA", map[string]any{"customer": map[string]any{"name": name, "country": "JP"}})
		if r.status != http.StatusOK && !(r.status == 422 && strings.Contains(name, "\u202e")) {
			t.Errorf("%q: %d %s", name, r.status, r.raw)
		}
	}
	post(t, "/v1/conflict-checks", "partnerA", map[string]any{"customer": map[string]any{"name": strings.Repeat("a", 201)}}).
		problem(t, 422, "urn:dealflow:problem:validation")
	post(t, "/v1/conflict-checks", "partnerA", map[string]any{"customer": map[string]any{"name": "   "}}).
		problem(t, 422, "urn:dealflow:problem:validation")
	post(t, "/v1/conflict-checks", "partnerA", map[string]any{"customer": map[string]any{"name": "Acme", "domain": "http://"}}).
		problem(t, 422, "urn:dealflow:problem:validation")
}
