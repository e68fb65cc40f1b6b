package incentive_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dealflow/dealflow/activities/incentive"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
)

// correct sets a won deal's amount the way the deal workflow records a
// corrected outcome (0: reversed), with its event.
func (w *incentiveWorld) correct(deal uuid.UUID, amount int64) {
	w.t.Helper()
	ctx := context.Background()
	typ := "outcome_corrected"
	if amount == 0 {
		typ = "outcome_reversed"
	}
	if _, err := w.pool.Exec(ctx, `WITH s AS (SELECT max(seq) + 1 AS seq FROM deal_events WHERE deal_id = $1)
		INSERT INTO deal_events (deal_id, seq, type, from_status, to_status, actor_id, actor_name, actor_role, reason, occurred_at)
		SELECT $1, greatest(coalesce(s.seq, 6), 6), $2, 'closed_won', 'closed_won', 'f', 'Fin', 'finance', 'credit note', now() FROM s`,
		deal, typ); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.pool.Exec(ctx, `UPDATE deals SET won_amount = $2, last_event_seq = (SELECT max(seq) FROM deal_events WHERE deal_id = $1)
		WHERE id = $1`, deal, amount); err != nil {
		w.t.Fatal(err)
	}
}

// trueUps returns "partner:kind:amount:basis_before→basis_after:figure_before→figure_after:deals" for
// the cycle's clawback and correction lines.
func (w *incentiveWorld) trueUps(cycleID string) []string {
	w.t.Helper()
	rows, err := w.pool.Query(context.Background(), `SELECT l.partner_id, l.kind, l.amount, l.basis_before, l.basis_after,
		l.figure_before, l.figure_after, l.deals FROM statement_lines l
		WHERE l.cycle_id = $1 AND l.kind IN ('clawback', 'correction') ORDER BY l.partner_id, l.line_no`, cycleID)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var partner uuid.UUID
		var kind string
		var amount, bb, ba, fb, fa int64
		var deals int
		if err := rows.Scan(&partner, &kind, &amount, &bb, &ba, &fb, &fa, &deals); err != nil {
			w.t.Fatal(err)
		}
		idx := -1
		for i, p := range w.partners {
			if p == partner {
				idx = i
			}
		}
		out = append(out, fmt.Sprintf("%d:%s:%d:%d→%d:%d→%d:%d", idx, kind, amount, bb, ba, fb, fa, deals))
	}
	if err := rows.Err(); err != nil {
		w.t.Fatal(err)
	}
	return out
}

// The audit's scenario through the freeze and the accrual in PostgreSQL: a
// partner's January revenue of 5,850,000.00 (marginal tiers 2 % to
// 1,000,000, 4 % to 5,000,000, 6 % above) loses its reversed 4,500,000.00
// deal. February trues January up on the corrected revenue under
// January's rules — 231,000.00 → 34,000.00, a clawback of 197,000.00
// (retroactive: 351,000.00 → 54,000.00, 297,000.00) — where it used to
// claw back the proportional share (177,692.31). March corrects two
// January deals at once (one true-up line for the period, two deals
// behind it) and reverses February's deal (a line of its own, for
// February); April corrects a January deal again, upwards. Every figure
// is the domain's, to the cent, and January's lines add up to its rebate
// on its final revenue.
func TestRebateClawbacksTrueUp(t *testing.T) {
	a := incentive.New(testDB.Pool)
	for i, tc := range []struct {
		mode        string
		feb, mar    []string
		apr         []string
		janFinal    int64
		janOriginal string
	}{
		{mode: domain.RebateModeMarginal,
			janOriginal: "0:rebate:23100000:marginal rebate, tier 3 of 3 reached",
			feb:         []string{"0:clawback:-19700000:585000000→135000000:23100000→3400000:1"},
			mar:         []string{"0:clawback:-1400000:135000000→100000000:3400000→2000000:2", "0:clawback:-200000:10000000→0:200000→0:1"},
			apr:         []string{"0:correction:1200000:100000000→130000000:2000000→3200000:1"},
			janFinal:    3_200_000},
		{mode: domain.RebateModeRetroactive,
			janOriginal: "0:rebate:35100000:retroactive rebate, tier 3 of 3 reached",
			feb:         []string{"0:clawback:-29700000:585000000→135000000:35100000→5400000:1"},
			mar:         []string{"0:clawback:-3400000:135000000→100000000:5400000→2000000:2", "0:clawback:-200000:10000000→0:200000→0:1"},
			apr:         []string{"0:correction:3200000:100000000→130000000:2000000→5200000:1"},
			janFinal:    5_200_000},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			y := 2051 + i
			day := func(m, d int) string { return fmt.Sprintf("%d-%02d-%02d", y, m, d) }
			w := newWorld(t, testDB.Pool, 2)
			w.win(wonDeal{partner: 0, amount: 450_000_000, closed: day(1, 5)}, wonDeal{partner: 0, amount: 100_000_000, closed: day(1, 10)},
				wonDeal{partner: 0, amount: 35_000_000, closed: day(1, 20)}, wonDeal{partner: 1, amount: 20_000_000, closed: day(1, 21)})
			a4500k, b1000k, c350k := w.deals[0], w.deals[1], w.deals[2]
			rules := `{"mode":"` + tc.mode + `","tiers":[{"above":0,"rate_bp":200},{"above":100000000,"rate_bp":400},{"above":500000000,"rate_bp":600}]}`
			prog := w.program(domain.IncentiveRebate, rules, day(1, 1))
			r, err := domain.ParseIncentiveRules(domain.IncentiveRebate, []byte(rules))
			if err != nil {
				t.Fatal(err)
			}
			jan := w.cycle(a, prog, day(1, 1), day(2, 1))
			if got := w.lines(jan); got[0] != tc.janOriginal {
				t.Fatalf("january %q", got)
			}
			w.pay(a, jan)

			w.correct(a4500k, 0)
			w.win(wonDeal{partner: 0, amount: 10_000_000, closed: day(2, 14)})
			d100k := w.deals[len(w.deals)-1]
			feb := w.cycle(a, prog, day(2, 1), day(3, 1))
			if got := w.trueUps(feb); strings.Join(got, "|") != strings.Join(tc.feb, "|") {
				t.Fatalf("february true-ups:\n got %q\nwant %q", got, tc.feb)
			}
			// The line says what happened, for finance and the partner.
			wantDetail := fmt.Sprintf("true-up of %s..%s: revenue 585000000 → 135000000, rebate ", day(1, 1), day(1, 31))
			if got := w.lines(feb); !strings.Contains(strings.Join(got, "|"), wantDetail) || !strings.Contains(strings.Join(got, "|"), "(rules version 1)") {
				t.Fatalf("february lines %q, want a detail like %q", got, wantDetail)
			}
			w.pay(a, feb)

			w.correct(b1000k, 60_000_000)
			w.correct(c350k, 40_000_000)
			w.correct(d100k, 0)
			mar := w.cycle(a, prog, day(3, 1), day(4, 1))
			if got := w.trueUps(mar); strings.Join(got, "|") != strings.Join(tc.mar, "|") {
				t.Fatalf("march true-ups:\n got %q\nwant %q", got, tc.mar)
			}
			w.pay(a, mar)

			w.correct(b1000k, 90_000_000)
			apr := w.cycle(a, prog, day(4, 1), day(5, 1))
			if got := w.trueUps(apr); strings.Join(got, "|") != strings.Join(tc.apr, "|") {
				t.Fatalf("april true-ups:\n got %q\nwant %q", got, tc.apr)
			}
			w.pay(a, apr)

			// The domain's figures, step by step, and January in the end.
			steps := [][2]int64{{585_000_000, 135_000_000}, {135_000_000, 100_000_000}, {100_000_000, 130_000_000}}
			var sum int64
			if err := testDB.Pool.QueryRow(context.Background(), `SELECT sum(l.amount) FROM statement_lines l
				WHERE l.partner_id = $1 AND (l.cycle_id = $2 AND l.kind = 'rebate'
				   OR l.reverses_line_id = (SELECT o.id FROM statement_lines o WHERE o.cycle_id = $2 AND o.partner_id = $1 AND o.kind = 'rebate'))`,
				w.partners[0], jan).Scan(&sum); err != nil {
				t.Fatal(err)
			}
			want, _, _ := r.Rebate(585_000_000)
			for _, s := range steps {
				tu, err := domain.RebateTrueUp(r, s[0], s[1])
				if err != nil {
					t.Fatal(err)
				}
				want += tu.Difference()
			}
			if final, _, _ := r.Rebate(130_000_000); sum != want || sum != final || final != tc.janFinal {
				t.Fatalf("january's lines add up to %d; the domain's true-ups to %d; the rebate on its final revenue is %d", sum, want, final)
			}
			if rep, err := db.VerifyLedger(context.Background(), dbq.New(testDB.Pool)); err != nil || !rep.OK {
				t.Fatalf("verify: %+v %v", rep, err)
			}
		})
	}
}

// Per-deal programs true up each deal's own figure under the rules of the
// cycle that paid it: a referral commission recomputed on the corrected
// amount with its cap, then again when the deal is reversed; a SPIFF given
// back when its deal is reversed and paid again when it is reinstated.
func TestPerDealTrueUpsThroughCycles(t *testing.T) {
	a := incentive.New(testDB.Pool)
	for _, tc := range []struct {
		name, kind, rules string
		dealKind          domain.Kind
		year              int
		amounts           []int64 // the second deal's amount in February, then March
		feb, mar          []string
	}{
		{name: "referral", kind: string(domain.IncentiveReferral), rules: `{"rate_bp":1000,"cap_per_deal":500,"hold_days":0}`,
			dealKind: domain.KindReferral, year: 2055, amounts: []int64{3000, 0},
			feb: []string{"0:clawback:-200:8000→3000:500→300:1"},
			mar: []string{"0:clawback:-300:3000→0:300→0:1"}},
		{name: "SPIFF", kind: string(domain.IncentiveSpiff), rules: `{"amount":100,"per":"deal"}`,
			dealKind: domain.KindResale, year: 2056, amounts: []int64{0, 5000},
			feb: []string{"0:clawback:-100:8000→0:100→0:1"},
			mar: []string{"0:correction:100:0→5000:0→100:1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y := fmt.Sprint(tc.year)
			w := newWorld(t, testDB.Pool, 1)
			w.win(wonDeal{kind: tc.dealKind, amount: 3000, closed: y + "-01-10"}, wonDeal{kind: tc.dealKind, amount: 8000, closed: y + "-01-20"})
			prog := w.program(domain.IncentiveKind(tc.kind), tc.rules, y+"-01-01")
			jan := w.cycle(a, prog, y+"-01-01", y+"-02-01")
			w.pay(a, jan)
			w.correct(w.deals[1], tc.amounts[0])
			feb := w.cycle(a, prog, y+"-02-01", y+"-03-01")
			if got := w.trueUps(feb); strings.Join(got, "|") != strings.Join(tc.feb, "|") {
				t.Fatalf("february %q, want %q", got, tc.feb)
			}
			w.pay(a, feb)
			w.correct(w.deals[1], tc.amounts[1])
			mar := w.cycle(a, prog, y+"-03-01", y+"-04-01")
			if got := w.trueUps(mar); strings.Join(got, "|") != strings.Join(tc.mar, "|") {
				t.Fatalf("march %q, want %q", got, tc.mar)
			}
			if got := w.lines(mar); !strings.Contains(got[0], "(rules version 1)") {
				t.Fatalf("march lines %q", got)
			}
		})
	}
}

// A correction lands only in a cycle of a later period than the one that
// paid the deal: February's cycle, run first, pays January's deals (late
// reports are caught up); a deal is then reversed; January's cycle, run
// afterwards by hand, neither pays those deals again nor absorbs the
// clawback; March's does.
func TestCorrectionsLandAfterThePayingCycle(t *testing.T) {
	a := incentive.New(testDB.Pool)
	w := newWorld(t, testDB.Pool, 1)
	w.win(wonDeal{amount: 100_00, closed: "2057-01-10"}, wonDeal{amount: 300_00, closed: "2057-01-20"})
	prog := w.program(domain.IncentiveRebate, `{"mode":"retroactive","tiers":[{"above":0,"rate_bp":1000}]}`, "2057-01-01")
	feb := w.cycle(a, prog, "2057-02-01", "2057-03-01")
	if got := strings.Join(w.lines(feb), "|"); got != "0:rebate:4000:retroactive rebate, tier 1 of 1 reached" {
		t.Fatalf("february %q", got)
	}
	w.pay(a, feb)
	w.correct(w.deals[1], 0)
	jan := w.cycle(a, prog, "2057-01-01", "2057-02-01")
	if got := w.lines(jan); len(got) != 0 {
		t.Fatalf("january's cycle, run after february's, took %q", got)
	}
	var changes int
	if err := testDB.Pool.QueryRow(context.Background(), `SELECT change_inputs FROM incentive_cycles WHERE id = $1`, jan).Scan(&changes); err != nil || changes != 0 {
		t.Fatalf("january froze %d changes (%v)", changes, err)
	}
	mar := w.cycle(a, prog, "2057-03-01", "2057-04-01")
	if got := w.trueUps(mar); strings.Join(got, "|") != "0:clawback:-3000:40000→10000:4000→1000:1" {
		t.Fatalf("march %q", got)
	}
}

// The cycle's open step, which a program's schedule and finance both go
// through, refuses a period that ends on or before the program's start
// and records nothing; the period holding the start is accepted.
func TestOpenCycleRefusesPeriodsBeforeTheProgramStarts(t *testing.T) {
	ctx := context.Background()
	a := incentive.New(testDB.Pool)
	w := newWorld(t, testDB.Pool, 1)
	prog := w.program(domain.IncentiveRebate, `{"mode":"retroactive","tiers":[{"above":0,"rate_bp":1000}]}`, "2058-03-15")
	id := uuid.NewString()
	_, err := a.OpenCycle(ctx, incentive.OpenCycleInput{CycleID: id, ProgramID: prog.String(), PeriodStart: "2058-02-01",
		PeriodEnd: "2058-03-01", WorkflowID: "cycle/" + id, StartedBy: "schedule"})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() || app.Type() != "InvalidArgument" || !strings.Contains(app.Message(), "before the program starts") {
		t.Fatalf("february, before a program starting on 15 March: %v", err)
	}
	var n int
	if err := testDB.Pool.QueryRow(ctx, `SELECT count(*) FROM incentive_cycles WHERE program_id = $1`, prog).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d cycles recorded (%v)", n, err)
	}
	w.open(a, prog, "2058-03-01", "2058-04-01")
}

// A program's product lines match deals' whatever case they were stored
// in (a SPIFF stored as ["EDR"] before programs were normalised froze 0
// deals won with "edr").
func TestProgramProductLinesMatchDealsWhateverTheirCase(t *testing.T) {
	a := incentive.New(testDB.Pool)
	w := newWorld(t, testDB.Pool, 1)
	w.win(wonDeal{amount: 10, lines: []string{"edr"}, closed: "2059-01-10"}, wonDeal{amount: 10, lines: []string{"firewall"}, closed: "2059-01-11"})
	prog := w.program(domain.IncentiveSpiff, `{"amount":100,"per":"deal"}`, "2059-01-01")
	if _, err := testDB.Pool.Exec(context.Background(), `INSERT INTO incentive_program_versions (program_id, version, rules, created_by)
		VALUES ($1, 2, '{"amount":100,"per":"deal","product_lines":[" EDR"]}', 'before normalisation')`, prog); err != nil {
		t.Fatal(err)
	}
	jan := w.cycle(a, prog, "2059-01-01", "2059-02-01")
	if got := strings.Join(w.lines(jan), "|"); got != "0:spiff:100:SPIFF per deal on 1 deal" {
		t.Fatalf("lines %q", got)
	}
}
