package e2e

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/dealflow/dealflow/workflows/incentive"
	"go.temporal.io/sdk/client"
)

// A rebate cycle through the API on deals won through their workflows:
// finance creates the program (and its schedule), starts last month's
// cycle, adjusts a line; the adjuster cannot approve (four-eyes), a
// manager cannot act, another finance user approves; the partner then sees
// its statement and the explanation of its line, with the ledger entries
// behind it, but not another partner's; CSV exports and the ledger verify.
func TestRebateCycleThroughTheAPI(t *testing.T) {
	name := "Rebate Partner " + tag()
	partner, err := cliLine("partner", "create", "--name", name, "--type", "reseller", "--tier", "gold")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cliLine("token", "create", "--role", "partner_user", "--partner", partner, "--name", "Rita Rebate",
		"--email", "rita."+tag()+"@rebate.example")
	if err != nil {
		t.Fatal(err)
	}
	stack.tokens["rebatePartner"] = tok
	lastMonth := time.Date(time.Now().UTC().Year(), time.Now().UTC().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	closeDate := lastMonth.AddDate(0, 0, 9).Format(time.DateOnly)
	// Won last month: registered before then (a close date cannot precede
	// the registration's submission, so not through today's API).
	for _, amount := range []int64{120_00, 80_00} {
		wonEarlier(t, partner, amount, []string{"firewall"}, closeDate)
	}

	code := "rebate-" + tag()
	rules := map[string]any{"mode": "marginal", "tiers": []map[string]any{{"above": 0, "rate_bp": 500}, {"above": 100_00, "rate_bp": 1000}}}
	prog := map[string]any{"code": code, "name": "Partner rebate", "kind": "rebate", "currency": "USD", "period": "month",
		"grace_days": 5, "starts_on": lastMonth.Format(time.DateOnly), "rules": rules}
	post(t, "/v1/incentive-programs", "manager", prog).must(t, http.StatusForbidden)
	bad := map[string]any{}
	for k, v := range prog {
		bad[k] = v
	}
	bad["rules"] = map[string]any{"mode": "sideways", "tiers": []any{}, "rate_bp": 5}
	if fe := post(t, "/v1/incentive-programs", "finance", bad).problem(t, 422, "urn:dealflow:problem:validation").fieldErrors(); fe["rules.mode"] == "" {
		t.Fatalf("field errors %v", fe)
	}
	created := post(t, "/v1/incentive-programs", "finance", prog).must(t, http.StatusCreated)
	post(t, "/v1/incentive-programs", "finance", prog).problem(t, http.StatusConflict, "urn:dealflow:problem:duplicate")
	programID := created.str("id")

	tc, err := client.Dial(client.Options{HostPort: stack.temporal, Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	desc, err := tc.ScheduleClient().GetHandle(context.Background(), incentive.CycleScheduleID(code)).Describe(context.Background())
	if err != nil || len(desc.Schedule.Spec.Calendars) != 1 || desc.Schedule.Spec.Calendars[0].DayOfMonth[0].Start != 6 {
		t.Fatalf("schedule: %+v %v", desc, err)
	}

	future := post(t, "/v1/cycles", "finance", map[string]any{"program_id": programID, "period_start": time.Now().UTC().Format(time.DateOnly)})
	future.problem(t, 422, "urn:dealflow:problem:validation")
	post(t, "/v1/cycles", "manager", map[string]any{"program_id": programID}).must(t, http.StatusForbidden)
	started := post(t, "/v1/cycles", "finance", map[string]any{"program_id": programID, "period_start": closeDate}).must(t, http.StatusAccepted)
	cycleID := started.str("id")
	post(t, "/v1/cycles", "finance", map[string]any{"program_id": programID, "period_start": closeDate}).
		problem(t, http.StatusConflict, "urn:dealflow:problem:duplicate")
	c := "/v1/cycles/" + cycleID

	var lines []any
	// Lines show once accrued, a moment before the cycle is in review and
	// takes review steps: wait for both.
	waitFor(t, 30*time.Second, func() bool {
		if !cycleReady(t, c, "manager") {
			return false
		}
		r := call(t, http.MethodGet, c+"/lines?partner_id="+partner, stack.tokens["manager"], nil)
		if r.status != http.StatusOK {
			return false
		}
		lines, _ = r.body["lines"].([]any)
		return len(lines) == 1
	})
	line := lines[0].(map[string]any)
	if line["amount"] != float64(15_00) || line["tier"] != float64(2) || line["basis"] != float64(200_00) {
		t.Fatalf("line %v", line)
	}
	lineID := line["id"].(string)
	adjust := c + "/lines/" + lineID + "/adjust"
	post(t, adjust, "manager", map[string]any{"amount": 1, "reason": "x"}).must(t, http.StatusForbidden)
	post(t, adjust, "finance", map[string]any{"amount": 14_00}).problem(t, 422, "urn:dealflow:problem:validation")
	post(t, c+"/lines/"+cycleID+"/adjust", "finance", map[string]any{"amount": 1, "reason": "x"}).must(t, http.StatusNotFound)
	post(t, adjust, "finance", map[string]any{"amount": 14_00, "reason": "one unit returned"}).must(t, http.StatusOK)
	post(t, c+"/approve", "finance", map[string]any{"reason": "mine"}).problem(t, http.StatusConflict, "urn:dealflow:problem:four-eyes")
	post(t, c+"/approve", "finance2", map[string]any{"reason": "checked against CRM"}).must(t, http.StatusOK)
	waitFor(t, 30*time.Second, func() bool {
		return call(t, http.MethodGet, c, stack.tokens["manager"], nil).must(t, http.StatusOK).str("status") == "paid"
	})
	post(t, adjust, "finance", map[string]any{"amount": 1, "reason": "late"}).must(t, http.StatusConflict)
	recordHistory(t, incentive.CycleWorkflowID(cycleID), "v1-cycle-adjusted-four-eyes-paid.json")

	sts := call(t, http.MethodGet, "/v1/statements", stack.tokens["rebatePartner"], nil).must(t, http.StatusOK)
	list := sts.body["statements"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["total"] != float64(14_00) {
		t.Fatalf("statements %s", sts.raw)
	}
	if other := call(t, http.MethodGet, "/v1/statements", stack.tokens["partnerB"], nil).must(t, http.StatusOK); strings.Contains(string(other.raw), partner) {
		t.Fatalf("partner B sees %s", other.raw)
	}
	ex := call(t, http.MethodGet, "/v1/statement-lines/"+lineID+"/explain", stack.tokens["rebatePartner"], nil).must(t, http.StatusOK)
	deals, _ := ex.body["deals"].([]any)
	review, _ := ex.body["review"].([]any)
	ledger, _ := ex.body["ledger"].([]any)
	if len(deals) != 2 || len(ledger) != 2 || len(review) != 2 || ex.body["rules_version"] != float64(1) ||
		!strings.Contains(ex.str("summary"), "200.00 USD closed-won revenue over 2 deal(s)") || !strings.Contains(ex.str("summary"), "adjusted by finance to 14.00 USD") {
		t.Fatalf("explanation %s", ex.raw)
	}
	if r := review[0].(map[string]any); r["type"] != "adjusted" || r["reason"] != "one unit returned" || r["actor"].(map[string]any)["name"] != "Fin Ance" {
		t.Fatalf("review %v", review)
	}
	if ex.body["deals_total"] != float64(2) || ex.body["deals_truncated"] != false {
		t.Fatalf("explanation's deal count %v / %v", ex.body["deals_total"], ex.body["deals_truncated"])
	}
	csvDeals := call(t, http.MethodGet, "/v1/statement-lines/"+lineID+"/deals.csv", stack.tokens["rebatePartner"], nil).must(t, http.StatusOK)
	if rows := strings.Split(strings.TrimSpace(string(csvDeals.raw)), "\n"); len(rows) != 3 || !strings.HasPrefix(rows[0], "line_id,deal_id,customer") ||
		!strings.Contains(rows[1], ",won,") {
		t.Fatalf("deals.csv %s", csvDeals.raw)
	}
	call(t, http.MethodGet, "/v1/statement-lines/"+lineID+"/deals.csv", stack.tokens["partnerB"], nil).must(t, http.StatusNotFound)
	call(t, http.MethodGet, "/v1/statement-lines/"+lineID+"/explain", stack.tokens["partnerB"], nil).must(t, http.StatusNotFound)
	call(t, http.MethodGet, "/v1/ledger.csv", stack.tokens["partnerA"], nil).must(t, http.StatusForbidden)

	payouts := call(t, http.MethodGet, c+"/payouts.csv", stack.tokens["finance"], nil).must(t, http.StatusOK)
	if !strings.Contains(string(payouts.raw), partner+","+name+",1400,14.00,USD,payable,1,") {
		t.Fatalf("payouts.csv:\n%s", payouts.raw)
	}
	files, _ := filepath.Glob(filepath.Join(stack.payoutDir, code+"-*.csv"))
	if len(files) != 1 {
		t.Fatalf("payout files %v", files)
	}
	if b, _ := os.ReadFile(files[0]); string(b) != string(payouts.raw) {
		t.Fatalf("payout file differs from the download:\n%s", b)
	}
	statements := call(t, http.MethodGet, c+"/statements.csv", stack.tokens["manager"], nil).must(t, http.StatusOK)
	if !strings.Contains(string(statements.raw), lineID+","+cycleID+","+partner+",1,rebate,,20000,2,,2,1500,1400,USD,") {
		t.Fatalf("statements.csv:\n%s", statements.raw)
	}
	ledgerCSV := call(t, http.MethodGet, "/v1/ledger.csv", stack.tokens["finance"], nil).must(t, http.StatusOK)
	if n := strings.Count(string(ledgerCSV.raw), "\n"); n < 5 {
		t.Fatalf("ledger.csv has %d lines", n)
	}
	v := call(t, http.MethodGet, "/v1/ledger/verification", stack.tokens["manager"], nil).must(t, http.StatusOK)
	if v.body["ok"] != true {
		t.Fatalf("verification %s", v.raw)
	}
	if out, stderr, err := dealflow("ledger", "verify"); err != nil || !strings.Contains(out, `"ok": true`) || !strings.Contains(stderr, "ledger verified") {
		t.Fatalf("ledger verify: %v\n%s\n%s", err, out, stderr)
	}
}

func waitFor(t *testing.T, within time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not reached within %s", within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// recordHistory saves a workflow's history for the replay tests when
// DEALFLOW_RECORD_REPLAY names the directory (workflows/testdata/replay).
func recordHistory(t *testing.T, workflowID, name string) {
	t.Helper()
	dir := os.Getenv("DEALFLOW_RECORD_REPLAY")
	if dir == "" {
		return
	}
	cli, err := testenv.TemporalCLI()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(cli, "workflow", "show", "--address", stack.temporal, "-w", workflowID, "-o", "json").Output()
	if err != nil {
		t.Fatalf("record %s: %v", workflowID, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), out, 0o644); err != nil {
		t.Fatal(err)
	}
}
