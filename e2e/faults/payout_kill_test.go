// Package faults injects failures into a running dealflow and proves what
// survives them. Each test starts its own Temporal dev server, database
// and dealflow processes (loopback only), and fails, never skips, when
// they cannot start.
package faults

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/incentive"
	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
)

const (
	partners = 600
	batch    = 4
)

// The worker is killed (SIGKILL) twice while it pays a cycle of 600
// partners in batches of 4, and restarted each time. Afterwards every
// partner has exactly one payout, every line exactly its two ledger
// entries, every positive payout its two, the cash paid equals the
// rebates computed independently here, and `dealflow ledger verify` passes.
func TestWorkerKilledDuringPayouts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	fs := newFaultStack(ctx, t, "")
	dbURL, env, bin, temporal := fs.dbURL, fs.env, fs.bin, fs.temporal
	run := func(args ...string) (string, string, error) { return fs.try(ctx, args...) }
	pool, err := db.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	// Last month's closed-won deals, two per partner, and a marginal rebate.
	start := time.Date(time.Now().UTC().Year(), time.Now().UTC().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	tiers := []domain.RebateTier{{Above: 0, RateBP: 300}, {Above: 500_00, RateBP: 700}}
	r := rand.New(rand.NewPCG(7, 7))
	want := map[uuid.UUID]int64{}
	var wantTotal int64
	user := uuid.New()
	if _, err := pool.Exec(ctx, `INSERT INTO users (id, name, role) VALUES ($1, 'Loader', 'admin')`, user); err != nil {
		t.Fatal(err)
	}
	for i := range partners {
		pid := uuid.New()
		if _, err := pool.Exec(ctx, `INSERT INTO partners (id, name, type, tier) VALUES ($1, $2, 'reseller', 'gold')`, pid, fmt.Sprintf("Partner %04d", i)); err != nil {
			t.Fatal(err)
		}
		var revenue int64
		for j := range 2 {
			amount := int64(r.IntN(600_00) + 1)
			revenue += amount
			id := uuid.New()
			if _, err := pool.Exec(ctx, `INSERT INTO deals (id, partner_id, status, kind, customer_name, customer_domain,
				customer_registrable_domain, customer_country, contact_name, contact_email, product_lines, amount, currency,
				expected_close_date, submitted_by, workflow_id, last_event_seq, created_at, updated_at,
				won_amount, won_currency, won_product_lines, won_units, closed_on)
				VALUES ($1, $2, 'closed_won', 'resale', 'C', 'c.example', 'c.example', 'US', 'C', 'c@c.example', '{firewall}', $3, 'USD',
				$4, $5, $6, 5, now(), now(), $3, 'USD', '{firewall}', 1, $4)`,
				id, pid, amount, start.AddDate(0, 0, j+i%20), user, "deal/"+id.String()); err != nil {
				t.Fatal(err)
			}
		}
		rebate, _, err := domain.RebateMarginal(revenue, tiers)
		if err != nil {
			t.Fatal(err)
		}
		want[pid] = rebate
		wantTotal += rebate
	}
	programID := uuid.New()
	if _, err := pool.Exec(ctx, `INSERT INTO incentive_programs (id, code, name, kind, currency, period, grace_days, starts_on, created_by)
		VALUES ($1, 'fault-rebate', 'Rebate', 'rebate', 'USD', 'month', 5, $2, 'test')`, programID, start); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO incentive_program_versions (program_id, version, rules, created_by)
		VALUES ($1, 1, '{"mode":"marginal","tiers":[{"above":0,"rate_bp":300},{"above":50000,"rate_bp":700}]}', 'test')`, programID); err != nil {
		t.Fatal(err)
	}

	var workerLog bytes.Buffer
	var worker *exec.Cmd
	startWorker := func() {
		worker = exec.Command(bin, "worker")
		worker.Env, worker.Stdout, worker.Stderr = env, &workerLog, &workerLog
		worker.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := worker.Start(); err != nil {
			t.Fatal(err)
		}
	}
	startWorker()
	defer func() { _ = worker.Process.Kill(); _ = worker.Wait() }()

	tc, err := client.Dial(client.Options{HostPort: temporal.Address, Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	periodStart := start.Format(time.DateOnly)
	cycleID := incentive.CycleID(programID.String(), periodStart)
	run1, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: incentive.CycleWorkflowID(cycleID), TaskQueue: workflows.TaskQueue},
		incentive.WorkflowType, incentive.CycleInput{ProgramID: programID.String(), PeriodStart: periodStart,
			PeriodEnd: start.AddDate(0, 1, 0).Format(time.DateOnly), PayBatch: batch,
			StartedBy: domain.Actor{ID: "fin-1", Name: "Fin", Role: domain.RoleFinance}})
	if err != nil {
		t.Fatal(err)
	}
	// Approve once the review is open.
	deadline := time.Now().Add(time.Minute)
	for {
		h, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: run1.GetID(), UpdateName: incentive.UpdateCycleApprove,
			WaitForStage: client.WorkflowUpdateStageCompleted,
			Args:         []any{incentive.CycleApproval{Actor: domain.Actor{ID: "fin-2", Name: "Fay", Role: domain.RoleFinance}, Reason: "ok"}}})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("approve: %v\n%s", err, workerLog.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	payouts := func() int {
		var n int
		_ = pool.QueryRow(ctx, "SELECT count(*) FROM payouts").Scan(&n)
		return n
	}
	kills := 0
	for _, at := range []int{partners / 5, partners / 2} {
		for payouts() < at {
			if time.Now().After(deadline.Add(2 * time.Minute)) {
				t.Fatalf("payouts stuck at %d\n%s", payouts(), workerLog.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
		_ = worker.Process.Signal(syscall.SIGKILL)
		_ = worker.Wait()
		kills++
		killedAt := payouts()
		time.Sleep(500 * time.Millisecond)
		if killedAt >= partners {
			t.Fatalf("the worker was killed after it had paid everyone (%d); the test proves nothing", killedAt)
		}
		t.Logf("kill %d: worker killed with %d of %d partners paid", kills, killedAt, partners)
		startWorker()
	}
	var st incentive.CycleState
	if err := run1.Get(ctx, &st); err != nil {
		t.Fatalf("cycle: %v\n%s", err, workerLog.String())
	}

	var nPayouts, nPartners, lines, lineEntries, payEntries, positive int
	var cash, debits, credits int64
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM payouts), (SELECT count(DISTINCT partner_id) FROM payouts),
		(SELECT count(*) FROM statement_lines WHERE amount <> 0),
		(SELECT count(*) FROM ledger_entries WHERE line_id IS NOT NULL), (SELECT count(*) FROM ledger_entries WHERE line_id IS NULL),
		(SELECT count(*) FROM payouts WHERE amount > 0),
		(SELECT coalesce(sum(credit), 0) FROM ledger_entries WHERE account = 'cash'),
		(SELECT sum(debit) FROM ledger_entries), (SELECT sum(credit) FROM ledger_entries)`).
		Scan(&nPayouts, &nPartners, &lines, &lineEntries, &payEntries, &positive, &cash, &debits, &credits); err != nil {
		t.Fatal(err)
	}
	if nPayouts != partners || nPartners != partners || lineEntries != 2*lines || payEntries != 2*positive || cash != wantTotal ||
		debits != credits {
		t.Fatalf("payouts %d (partners %d), lines %d with %d entries, %d positive payouts with %d entries, cash %d (want %d), debits %d credits %d",
			nPayouts, nPartners, lines, lineEntries, positive, payEntries, cash, wantTotal, debits, credits)
	}
	rows, err := pool.Query(ctx, "SELECT partner_id, amount FROM payouts")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var pid uuid.UUID
		var amount int64
		if err := rows.Scan(&pid, &amount); err != nil {
			t.Fatal(err)
		}
		if amount != want[pid] {
			t.Errorf("partner %s paid %d, want %d", pid, amount, want[pid])
		}
	}
	out, stderr, err := run("ledger", "verify")
	if err != nil || !strings.Contains(out, `"ok": true`) {
		t.Fatalf("ledger verify: %v\n%s\n%s", err, out, stderr)
	}
	t.Logf("after %d kills: %d payouts, %d ledger entries, cash %s USD; %s", kills, nPayouts, lineEntries+payEntries,
		domain.FormatMinor(cash, "USD"), strings.TrimSpace(stderr))
}
