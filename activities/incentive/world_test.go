package incentive_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities/incentive"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/testenv"
	contract "github.com/dealflow/dealflow/workflows/incentive"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// wonDeal is a closed-won deal written straight into the projection.
type wonDeal struct {
	partner  int // index into the test's partners
	kind     domain.Kind
	amount   int64
	currency string
	closed   string
	lines    []string
	units    int64
}

type incentiveWorld struct {
	t        *testing.T
	pool     *pgxpool.Pool
	partners []uuid.UUID
	deals    []uuid.UUID
	user     uuid.UUID
}

func newWorld(t *testing.T, pool *pgxpool.Pool, partners int) *incentiveWorld {
	t.Helper()
	ctx := context.Background()
	q := dbq.New(pool)
	w := &incentiveWorld{t: t, pool: pool}
	for i := range partners {
		p, err := q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: fmt.Sprintf("%s partner %d", t.Name(), i), Type: "reseller", Tier: "gold"})
		if err != nil {
			t.Fatal(err)
		}
		w.partners = append(w.partners, p.ID)
	}
	// Named columns only (not the generated UserEnsure's RETURNING *), so
	// that a test of an earlier schema (migration12_test) can use the world.
	if err := pool.QueryRow(ctx, `INSERT INTO users (name, role, partner_id) VALUES ($1, 'partner_user', $2)
		ON CONFLICT DO NOTHING RETURNING id`, "Pat "+t.Name(), w.partners[0]).Scan(&w.user); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *incentiveWorld) win(ds ...wonDeal) {
	w.t.Helper()
	for _, d := range ds {
		id := uuid.Must(uuid.NewV7())
		kind := d.kind
		if kind == "" {
			kind = domain.KindResale
		}
		lines := d.lines
		if lines == nil {
			lines = []string{"firewall"}
		}
		if d.currency == "" {
			d.currency = "USD"
		}
		_, err := w.pool.Exec(context.Background(), `INSERT INTO deals (id, partner_id, status, kind, customer_name, customer_domain,
			customer_registrable_domain, customer_country, contact_name, contact_email, product_lines, amount, currency,
			expected_close_date, submitted_by, workflow_id, last_event_seq, created_at, updated_at,
			won_amount, won_currency, won_product_lines, won_units, closed_on)
			VALUES ($1, $2, 'closed_won', $3, 'Customer', 'customer.example', 'customer.example', 'US', 'C', 'c@customer.example',
			$4, $5, $6, $7, $8, $10, 5, now(), now(), $5, $6, $4, $9, $7)`,
			id, w.partners[d.partner], kind, lines, d.amount, d.currency, d.closed, w.user, max(d.units, 1), "deal/"+id.String())
		if err != nil {
			w.t.Fatal(err)
		}
		w.deals = append(w.deals, id)
	}
}

// reverse reverses a win the way the deal workflow records it: the amount
// goes to 0 and an outcome_reversed event is appended.
func (w *incentiveWorld) reverse(deal uuid.UUID) {
	w.t.Helper()
	ctx := context.Background()
	if _, err := w.pool.Exec(ctx, `UPDATE deals SET won_amount = 0, last_event_seq = 6 WHERE id = $1`, deal); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.pool.Exec(ctx, `INSERT INTO deal_events (deal_id, seq, type, from_status, to_status, actor_id, actor_name,
		actor_role, reason, occurred_at) VALUES ($1, 6, 'outcome_reversed', 'closed_won', 'closed_won', 'f', 'Fin', 'finance',
		'refunded', now())`, deal); err != nil {
		w.t.Fatal(err)
	}
}

func (w *incentiveWorld) program(kind domain.IncentiveKind, rules, startsOn string) uuid.UUID {
	w.t.Helper()
	ctx := context.Background()
	q := dbq.New(w.pool)
	if _, err := domain.ParseIncentiveRules(kind, []byte(rules)); err != nil {
		w.t.Fatal(err)
	}
	start, _ := time.Parse(time.DateOnly, startsOn)
	p, err := q.IncentiveProgramCreate(ctx, dbq.IncentiveProgramCreateParams{Code: "p-" + uuid.NewString()[:8], Name: w.t.Name(),
		Kind: string(kind), Currency: "USD", Period: domain.PeriodMonth, GraceDays: 7, StartsOn: start, CreatedBy: "test"})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := q.IncentiveProgramVersionCreate(ctx, dbq.IncentiveProgramVersionCreateParams{ProgramID: p.ID, Rules: []byte(rules),
		CreatedBy: "test"}); err != nil {
		w.t.Fatal(err)
	}
	return p.ID
}

var (
	fin1 = domain.Actor{ID: "fin-1", Name: "Fin One", Role: domain.RoleFinance}
)

// ownWorld is a world in a database of its own (dropped when the test
// ends), for tests that read the whole ledger or lineage.
func ownWorld(t *testing.T, prefix string, partners int) (*testenv.Database, *incentive.Activities, *incentiveWorld) {
	t.Helper()
	own, err := testenv.NewDatabase(context.Background(), prefix)
	if err != nil {
		t.Fatalf("needs PostgreSQL: %v", err)
	}
	t.Cleanup(own.Close)
	return own, incentive.New(own.Pool), newWorld(t, own.Pool, partners)
}

// open opens a cycle of program for [start, end) and returns its id.
func (w *incentiveWorld) open(a *incentive.Activities, program uuid.UUID, start, end string) string {
	w.t.Helper()
	id := contract.CycleID(program.String(), start)
	if _, err := a.OpenCycle(context.Background(), incentive.OpenCycleInput{CycleID: id, ProgramID: program.String(),
		PeriodStart: start, PeriodEnd: end, WorkflowID: contract.CycleWorkflowID(id), StartedBy: "test"}); err != nil {
		w.t.Fatal(err)
	}
	return id
}

// cycle runs a cycle's freeze and accrual as the workflow would, each
// twice (the second a retry that changes nothing), and returns its id.
func (w *incentiveWorld) cycle(a *incentive.Activities, program uuid.UUID, start, end string) string {
	w.t.Helper()
	ctx := context.Background()
	id := w.open(a, program, start, end)
	for range 2 { // the second run of each step is a retry: nothing changes
		if _, err := a.FreezeCycle(ctx, id); err != nil {
			w.t.Fatal(err)
		}
		if _, err := a.AccrueCycle(ctx, id); err != nil {
			w.t.Fatal(err)
		}
	}
	return id
}

func (w *incentiveWorld) pay(a *incentive.Activities, cycleID string) {
	w.t.Helper()
	ctx := context.Background()
	if _, err := a.RecordCycleEvent(ctx, incentive.CycleEvent{CycleID: cycleID, Seq: 1, Type: domain.CycleEventApproved,
		Actor: fin1, OccurredAt: time.Now()}); err != nil {
		w.t.Fatal(err)
	}
	after := ""
	for {
		res, err := a.PayBatch(ctx, incentive.PayBatchInput{CycleID: cycleID, After: after, Max: 2})
		if err != nil {
			w.t.Fatal(err)
		}
		if res.Partners == 0 {
			break
		}
		after = res.Last
	}
	if _, err := a.FinishPayouts(ctx, cycleID); err != nil {
		w.t.Fatal(err)
	}
}

// lines returns "partner:kind:amount:detail" for each line of the cycle.
func (w *incentiveWorld) lines(cycleID string) []string {
	w.t.Helper()
	rows, err := dbq.New(w.pool).CycleLines(context.Background(), dbq.CycleLinesParams{CycleID: uuid.MustParse(cycleID), MaxRows: 1000})
	if err != nil {
		w.t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		idx := -1
		for i, p := range w.partners {
			if p == r.PartnerID {
				idx = i
			}
		}
		out = append(out, fmt.Sprintf("%d:%s:%d:%s", idx, r.Kind, r.EffectiveAmount, r.Detail))
	}
	sort.Strings(out)
	return out
}

// lineage returns "amount:earned:note" for each counted won input of the
// cycle, sorted.
func (w *incentiveWorld) lineage(cycleID string) []string {
	w.t.Helper()
	rows, err := w.pool.Query(context.Background(), `SELECT amount, coalesce(earned::text, ''), coalesce(note, '')
		FROM cycle_inputs WHERE cycle_id = $1 AND kind = 'won' AND excluded IS NULL`, cycleID)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var amount int64
		var earned, note string
		if err := rows.Scan(&amount, &earned, &note); err != nil {
			w.t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d:%s:%s", amount, earned, note))
	}
	sort.Strings(out)
	return out
}

// Every worked example of the incentive rules, computed by the set-based
// accruals in PostgreSQL.
func TestAccrualWorkedExamples(t *testing.T) {
	a := incentive.New(testDB.Pool)
	for i, tc := range []struct {
		name     string
		kind     domain.IncentiveKind
		rules    string
		deals    []wonDeal
		want     []string
		excluded string
		// lineage: "amount:earned:note" of each counted won input, sorted
		// (what a per-deal program's deals earned).
		lineage []string
	}{
		{name: "rebate marginal: 100×5% + 100×10% = 15", kind: domain.IncentiveRebate,
			rules: `{"mode":"marginal","tiers":[{"above":0,"rate_bp":500},{"above":100,"rate_bp":1000}]}`,
			deals: []wonDeal{{amount: 120}, {amount: 80}},
			want:  []string{"0:rebate:15:marginal rebate, tier 2 of 2 reached"}},
		{name: "rebate retroactive: 200×10% = 20", kind: domain.IncentiveRebate,
			rules: `{"mode":"retroactive","tiers":[{"above":0,"rate_bp":500},{"above":100,"rate_bp":1000}]}`,
			deals: []wonDeal{{amount: 120}, {amount: 80}},
			want:  []string{"0:rebate:20:retroactive rebate, tier 2 of 2 reached"}},
		{name: "rounding half to even: 12.5 → 12, 17.5 → 18", kind: domain.IncentiveRebate,
			rules: `{"mode":"retroactive","tiers":[{"above":0,"rate_bp":500}]}`,
			deals: []wonDeal{{partner: 0, amount: 250}, {partner: 1, amount: 350}},
			want:  []string{"0:rebate:12:retroactive rebate, tier 1 of 1 reached", "1:rebate:18:retroactive rebate, tier 1 of 1 reached"}},
		{name: "product-line filter and currency mismatch", kind: domain.IncentiveRebate,
			rules: `{"mode":"retroactive","product_lines":["vpn"],"tiers":[{"above":0,"rate_bp":1000}]}`,
			deals: []wonDeal{{amount: 1000, lines: []string{"vpn", "firewall"}}, {amount: 5000, lines: []string{"firewall"}},
				{amount: 700, lines: []string{"vpn"}, currency: "EUR"}},
			want:     []string{"0:rebate:100:retroactive rebate, tier 1 of 1 reached"},
			excluded: "currency EUR:1:700"},
		{name: "referral: rate, per-deal cap, hold period", kind: domain.IncentiveReferral,
			rules: `{"rate_bp":1000,"cap_per_deal":500,"hold_days":30}`,
			deals: []wonDeal{{kind: domain.KindReferral, amount: 3000, closed: "-40"}, {kind: domain.KindReferral, amount: 8000, closed: "-35"},
				{kind: domain.KindReferral, amount: 9000, closed: "-10"}, {kind: domain.KindResale, amount: 9000, closed: "-40"}},
			want:    []string{"0:referral:800:commission on 2 deals, 1 capped at 500"},
			lineage: []string{"3000:300:", "8000:500:capped at 500"}},
		{name: "SPIFF per deal: the budget runs out, earlier close dates win", kind: domain.IncentiveSpiff,
			rules:   `{"amount":100,"per":"deal","budget":250}`,
			deals:   []wonDeal{{partner: 1, amount: 10, closed: "-3"}, {partner: 0, amount: 10, closed: "-20"}, {partner: 1, amount: 10, closed: "-9"}},
			want:    []string{"0:spiff:100:SPIFF per deal on 1 deal", "1:spiff:100:SPIFF per deal on 2 deals, budget exhausted for 1"},
			lineage: []string{"10:0:budget exhausted", "10:100:", "10:100:"}},
		{name: "SPIFF per unit inside its date window", kind: domain.IncentiveSpiff,
			rules:   `{"amount":10,"per":"unit","from":"%from","product_lines":["vpn"]}`,
			deals:   []wonDeal{{amount: 10, units: 5, lines: []string{"vpn"}, closed: "-5"}, {amount: 10, units: 7, lines: []string{"vpn"}, closed: "-25"}},
			want:    []string{"0:spiff:50:SPIFF for 5 units on 1 deal"},
			lineage: []string{"10:50:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, testDB.Pool, 2)
			year := 2031 + i // each case in a year of its own: programs see only their deals
			start := time.Date(year, 3, 1, 0, 0, 0, 0, time.UTC)
			end := start.AddDate(0, 1, 0)
			for j := range tc.deals {
				d := &tc.deals[j]
				closed := end.AddDate(0, 0, -1)
				if strings.HasPrefix(d.closed, "-") {
					var days int
					fmt.Sscanf(d.closed, "-%d", &days)
					closed = end.AddDate(0, 0, -days)
				}
				d.closed = closed.Format(time.DateOnly)
			}
			w.win(tc.deals...)
			rules := strings.ReplaceAll(tc.rules, "%from", end.AddDate(0, 0, -15).Format(time.DateOnly))
			prog := w.program(tc.kind, rules, start.AddDate(0, -2, 0).Format(time.DateOnly))
			id := w.cycle(a, prog, start.Format(time.DateOnly), end.Format(time.DateOnly))
			if got := w.lines(id); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("lines:\n got %q\nwant %q", got, tc.want)
			}
			if tc.lineage != nil {
				if got := w.lineage(id); strings.Join(got, ",") != strings.Join(tc.lineage, ",") {
					t.Fatalf("lineage %q, want %q", got, tc.lineage)
				}
			}
			ex, err := dbq.New(testDB.Pool).CycleExcludedInputs(context.Background(), uuid.MustParse(id))
			if err != nil {
				t.Fatal(err)
			}
			var gotEx []string
			for _, e := range ex {
				gotEx = append(gotEx, fmt.Sprintf("%s:%d:%d", e.Reason, e.Deals, e.Amount))
			}
			if strings.Join(gotEx, ",") != tc.excluded {
				t.Fatalf("excluded %q, want %q", gotEx, tc.excluded)
			}
		})
	}
}

// The SQL rounding function agrees with the domain's exact banker's
// rounding over awkward values, negative ones included.
func TestDivHalfEvenAgreesWithDomain(t *testing.T) {
	for _, amount := range []int64{0, 1, 5, 15, 25, 35, 125, 250, 350, -250, -350, -1, 999_999_999_999, -123_456_789} {
		for _, rate := range []int64{1, 333, 500, 1000, 2500, 9999} {
			want, err := domain.MulRateHalfEven(amount, rate)
			if err != nil {
				t.Fatal(err)
			}
			var got int64
			if err := testDB.Pool.QueryRow(context.Background(), "SELECT div_half_even($1::numeric * $2, 10000)", amount, rate).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%d × %d bp: SQL %d, domain %d", amount, rate, got, want)
			}
		}
	}
}

// A deal paid in one cycle and reversed afterwards is clawed back in the
// next: a negative line referencing the original, posted as entries that
// reverse the original's; a deal reported late counts in the next cycle;
// paying again pays no one twice; the ledger verifies.
func TestClawbackLateDealAndExactlyOncePayouts(t *testing.T) {
	ctx := context.Background()
	a := incentive.New(testDB.Pool)
	w := newWorld(t, testDB.Pool, 3)
	w.win(wonDeal{partner: 0, amount: 100_00, closed: "2030-01-10"}, wonDeal{partner: 0, amount: 300_00, closed: "2030-01-20"},
		wonDeal{partner: 1, amount: 50_00, closed: "2030-01-05"})
	prog := w.program(domain.IncentiveRebate, `{"mode":"retroactive","tiers":[{"above":0,"rate_bp":500},{"above":20000,"rate_bp":1000}]}`, "2030-01-01")
	jan := w.cycle(a, prog, "2030-01-01", "2030-02-01")
	if got, want := strings.Join(w.lines(jan), " "), "0:rebate:4000:retroactive rebate, tier 2 of 2 reached 1:rebate:250:retroactive rebate, tier 1 of 2 reached"; got != want {
		t.Fatalf("january lines %q, want %q", got, want)
	}
	w.pay(a, jan)
	w.pay(a, jan) // a retried payout run: nobody is paid twice

	w.reverse(w.deals[1])                                           // the 300.00 deal is refunded
	w.win(wonDeal{partner: 2, amount: 40_00, closed: "2030-01-28"}) // reported late, closed in January
	w.win(wonDeal{partner: 1, amount: 10_00, closed: "2030-02-14"}) // February's own
	feb := w.cycle(a, prog, "2030-02-01", "2030-03-01")
	got := w.lines(feb)
	want := []string{
		// a true-up: January's rebate on its corrected revenue (100.00, tier
		// 1 at 5 %: 5.00) less what January paid on 400.00 (tier 2: 40.00)
		"0:clawback:-3500:true-up of 2030-01-01..2030-01-31: revenue 40000 → 10000, rebate 4000 → 500 (rules version 1)",
		"1:rebate:50:retroactive rebate, tier 1 of 2 reached",
		"2:rebate:200:retroactive rebate, tier 1 of 2 reached",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("february lines:\n got %q\nwant %q", got, want)
	}
	w.pay(a, feb)

	q := dbq.New(testDB.Pool)
	var entries, janEntries int
	if err := testDB.Pool.QueryRow(ctx, "SELECT count(*) FILTER (WHERE cycle_id = ANY($1)), count(*) FILTER (WHERE cycle_id = $2) FROM ledger_entries",
		[]uuid.UUID{uuid.MustParse(jan), uuid.MustParse(feb)}, uuid.MustParse(jan)).Scan(&entries, &janEntries); err != nil {
		t.Fatal(err)
	}
	// January: 2 lines × 2 legs + 2 payments × 2 legs; February: 3 lines × 2
	// + 2 payments (partner 0's net is negative: nothing due).
	if janEntries != 8 || entries != 8+10 {
		t.Fatalf("entries: january %d, both %d", janEntries, entries)
	}
	var reverses, original int64
	if err := testDB.Pool.QueryRow(ctx, `SELECT c.reverses_seq, o.seq FROM ledger_entries c
		JOIN statement_lines l ON l.id = c.line_id AND l.kind = 'clawback'
		JOIN ledger_entries o ON o.line_id = l.reverses_line_id AND o.account = 'incentive_expense'
		WHERE c.account = 'incentive_expense'`).Scan(&reverses, &original); err != nil {
		t.Fatal(err)
	}
	if reverses != original || reverses == 0 {
		t.Fatalf("clawback reverses entry %d, original expense is %d", reverses, original)
	}
	p0, err := q.PayoutForPartner(ctx, dbq.PayoutForPartnerParams{CycleID: uuid.MustParse(feb), PartnerID: w.partners[0]})
	if err != nil || p0.Amount != -3500 || p0.Status != "nothing_due" {
		t.Fatalf("partner 0's february payout %+v %v", p0, err)
	}
	rep, err := db.VerifyLedger(ctx, q)
	if err != nil || !rep.OK {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	// A third cycle finds nothing new to claw back.
	mar := w.cycle(a, prog, "2030-03-01", "2030-04-01")
	if got := w.lines(mar); len(got) != 0 {
		t.Fatalf("march lines %q", got)
	}
}

// The ledger refuses edits (trigger), and an edit made anyway by a
// superuser with the trigger disabled is caught by verify, which names the
// entry.
func TestLedgerTamperingIsCaught(t *testing.T) {
	ctx := context.Background()
	own, a, w := ownWorld(t, "ledger", 2)
	w.win(wonDeal{partner: 0, amount: 100_00, closed: "2030-05-10"}, wonDeal{partner: 1, amount: 70_00, closed: "2030-05-11"})
	prog := w.program(domain.IncentiveRebate, `{"mode":"retroactive","tiers":[{"above":0,"rate_bp":500}]}`, "2030-05-01")
	id := w.cycle(a, prog, "2030-05-01", "2030-06-01")
	w.pay(a, id)
	q := dbq.New(own.Pool)
	if rep, err := db.VerifyLedger(ctx, q); err != nil || !rep.OK || rep.Entries != 8 || rep.Totals["USD"] != 500+350+500+350 {
		t.Fatalf("before: %+v %v", rep, err)
	}
	var watch db.LedgerWatch // the console's: new entries on every view, the whole ledger now and then
	watch.FullEvery = time.Hour
	if rep, _, err := watch.Verify(ctx, q); err != nil || !rep.OK || rep.Entries != 8 {
		t.Fatalf("watch, first pass: %+v %v", rep, err)
	}
	for _, stmt := range []string{"UPDATE ledger_entries SET debit = debit + 1 WHERE seq = 3", "DELETE FROM ledger_entries WHERE seq = 8",
		"TRUNCATE ledger_entries CASCADE", "UPDATE payouts SET amount = 1", "DELETE FROM statement_lines"} {
		if _, err := own.Pool.Exec(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if _, err := own.Pool.Exec(ctx, `ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only;
		UPDATE ledger_entries SET debit = debit + 100 WHERE seq = 3 AND debit > 0;
		UPDATE ledger_entries SET credit = credit + 100 WHERE seq = 3 AND credit > 0;
		ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only`); err != nil {
		t.Fatal(err)
	}
	rep, err := db.VerifyLedger(ctx, q)
	if err != nil || rep.OK || rep.Problem == nil || rep.Problem.Seq != 3 || !strings.Contains(rep.Problem.Reason, "altered") {
		t.Fatalf("after tampering: %+v %v", rep, err)
	}
	// The watch checks what was added since (nothing): an old entry edited
	// in place is found by its next full pass.
	if rep, _, err := watch.Verify(ctx, q); err != nil || !rep.OK || rep.Entries != 8 {
		t.Fatalf("watch, incremental: %+v %v", rep, err)
	}
	watch.Reset()
	if rep, _, err := watch.Verify(ctx, q); err != nil || rep.OK || rep.Problem == nil || rep.Problem.Seq != 3 {
		t.Fatalf("watch, full pass after tampering: %+v %v", rep, err)
	}
}

// The watch verifies a growing ledger incrementally: a second cycle's
// entries are checked on the next view, continuing the chain and the sums.
func TestLedgerWatchFollowsTheLedger(t *testing.T) {
	ctx := context.Background()
	own, a, w := ownWorld(t, "watch", 1)
	w.win(wonDeal{amount: 100_00, closed: "2030-05-10"}, wonDeal{amount: 40_00, closed: "2030-06-10"})
	prog := w.program(domain.IncentiveRebate, `{"mode":"retroactive","tiers":[{"above":0,"rate_bp":500}]}`, "2030-05-01")
	var watch db.LedgerWatch
	q := dbq.New(own.Pool)
	w.pay(a, w.cycle(a, prog, "2030-05-01", "2030-06-01"))
	if rep, _, err := watch.Verify(ctx, q); err != nil || !rep.OK || rep.Entries != 4 || rep.Totals["USD"] != 1000 {
		t.Fatalf("after may: %+v %v", rep, err)
	}
	w.pay(a, w.cycle(a, prog, "2030-06-01", "2030-07-01"))
	rep, _, err := watch.Verify(ctx, q)
	if err != nil || !rep.OK || rep.Entries != 8 || rep.Totals["USD"] != 1000+400 {
		t.Fatalf("after june: %+v %v", rep, err)
	}
	if full, err := db.VerifyLedger(ctx, q); err != nil || full.HeadHash != rep.HeadHash || full.Entries != rep.Entries {
		t.Fatalf("incremental %+v, full %+v (%v)", rep, full, err)
	}
}
