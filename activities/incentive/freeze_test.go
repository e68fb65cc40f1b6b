package incentive_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities/incentive"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A reversed deal of a per-deal program is clawed back in the next cycle
// by what the lineage says it earned, on a line that refers to the
// partner's line that paid it; the ledger verifies.
func TestPerDealProgramsClawBackWhatTheDealEarned(t *testing.T) {
	a := incentive.New(testDB.Pool)
	for _, tc := range []struct {
		name, kind, rules string
		dealKind          domain.Kind
		jan, feb          []string
	}{
		{name: "referral", kind: string(domain.IncentiveReferral), rules: `{"rate_bp":1000,"cap_per_deal":500,"hold_days":0}`,
			dealKind: domain.KindReferral,
			jan:      []string{"0:referral:800:commission on 2 deals, 1 capped at 500"},
			feb:      []string{"0:clawback:-500:true-up of deal amount 8000 → 0: commission 500 → 0 (rules version 1)"}},
		{name: "SPIFF", kind: string(domain.IncentiveSpiff), rules: `{"amount":100,"per":"deal"}`, dealKind: domain.KindResale,
			jan: []string{"0:spiff:200:SPIFF per deal on 2 deals"},
			feb: []string{"0:clawback:-100:true-up of deal amount 8000 → 0: SPIFF 100 → 0 (rules version 1)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, testDB.Pool, 1)
			year := map[string]string{"referral": "2041", "SPIFF": "2042"}[tc.name]
			w.win(wonDeal{kind: tc.dealKind, amount: 3000, closed: year + "-01-10"}, wonDeal{kind: tc.dealKind, amount: 8000, closed: year + "-01-20"})
			prog := w.program(domain.IncentiveKind(tc.kind), tc.rules, year+"-01-01")
			jan := w.cycle(a, prog, year+"-01-01", year+"-02-01")
			if got := w.lines(jan); strings.Join(got, "|") != strings.Join(tc.jan, "|") {
				t.Fatalf("january %q, want %q", got, tc.jan)
			}
			w.pay(a, jan)
			w.reverse(w.deals[1])
			feb := w.cycle(a, prog, year+"-02-01", year+"-03-01")
			if got := w.lines(feb); strings.Join(got, "|") != strings.Join(tc.feb, "|") {
				t.Fatalf("february %q, want %q", got, tc.feb)
			}
			var refersToJanuary bool
			if err := testDB.Pool.QueryRow(context.Background(), `SELECT o.cycle_id = $2 AND o.deal_id IS NULL AND l.deal_id = $3
				FROM statement_lines l JOIN statement_lines o ON o.id = l.reverses_line_id WHERE l.cycle_id = $1`,
				feb, jan, w.deals[1]).Scan(&refersToJanuary); err != nil || !refersToJanuary {
				t.Fatalf("the clawback does not refer to january's line for the deal (%v)", err)
			}
			w.pay(a, feb)
			if rep, err := db.VerifyLedger(context.Background(), dbq.New(testDB.Pool)); err != nil || !rep.OK {
				t.Fatalf("verify: %+v %v", rep, err)
			}
		})
	}
}

// An attempt that died after staging leaves nothing in the lineage; the
// retry drops what it staged and freezes each deal once.
func TestFreezeRetryAfterAFailedAttempt(t *testing.T) {
	ctx := context.Background()
	a := incentive.New(testDB.Pool)
	w := newWorld(t, testDB.Pool, 2)
	w.win(wonDeal{partner: 0, amount: 100_00, closed: "2043-01-10"}, wonDeal{partner: 1, amount: 50_00, closed: "2043-01-12"})
	prog := w.program(domain.IncentiveRebate, `{"mode":"retroactive","tiers":[{"above":0,"rate_bp":1000}]}`, "2043-01-01")
	id := w.open(a, prog, "2043-01-01", "2043-02-01")
	// The dead attempt: staged every won deal, never finished.
	q := dbq.New(testDB.Pool)
	if err := q.FreezeStage(ctx, uuid.MustParse(id)); err != nil {
		t.Fatal(err)
	}
	staged, err := q.FreezeWonPart(ctx, dbq.FreezeWonPartParams{CycleID: uuid.MustParse(id), ProgramID: prog, Kind: "rebate",
		Rules: []byte(`{}`), Currency: "USD", ClosedFrom: time.Date(2043, 1, 1, 0, 0, 0, 0, time.UTC),
		ClosedBefore: time.Date(2043, 2, 1, 0, 0, 0, 0, time.UTC), DealKind: "resale", ProductLines: []string{},
		FirstBlock: 0, EndBlock: 1 << 32})
	if err != nil || staged != 2 {
		t.Fatalf("staged %d (%v)", staged, err)
	}
	if n := w.lineage(id); len(n) != 0 {
		t.Fatalf("a staged attempt is in the lineage: %q", n)
	}
	res, err := a.FreezeCycle(ctx, id)
	if err != nil || res.Inputs != 2 {
		t.Fatalf("freeze %+v %v", res, err)
	}
	if _, err := a.AccrueCycle(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(w.lines(id), "|"); got != "0:rebate:1000:retroactive rebate, tier 1 of 1 reached|1:rebate:500:retroactive rebate, tier 1 of 1 reached" {
		t.Fatalf("lines %q", got)
	}
	// Once frozen, the stage cannot be made again over the cycle's inputs.
	if err := q.FreezeStage(ctx, uuid.MustParse(id)); err == nil || !strings.Contains(err.Error(), "frozen") {
		t.Fatalf("restaging a frozen cycle: %v", err)
	}
}

// Two cycles of one program freezing at once (on two workers, say) take
// turns: a deal both windows cover is frozen by one of them only, and the
// lineage check agrees; a deal frozen twice anyway (written by hand) is
// named by it.
func TestConcurrentFreezesOfAProgramFreezeEachDealOnce(t *testing.T) {
	ctx := context.Background()
	own, a, w := ownWorld(t, "freeze", 3)
	workers := []*incentive.Activities{a, incentive.New(own.Pool)} // two workers' activities
	for i := range 30 {
		w.win(wonDeal{partner: i % 3, amount: int64(1000 + i), closed: "2044-01-15"})
	}
	prog := w.program(domain.IncentiveRebate, `{"mode":"retroactive","tiers":[{"above":0,"rate_bp":1000}]}`, "2044-01-01")
	var ids []string
	for _, p := range [][2]string{{"2044-01-01", "2044-02-01"}, {"2044-02-01", "2044-03-01"}} {
		ids = append(ids, w.open(a, prog, p[0], p[1]))
	}
	var wg sync.WaitGroup
	inputs := make([]int, len(ids))
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Go(func() {
			r, err := workers[i].FreezeCycle(ctx, id)
			inputs[i], errs[i] = r.Inputs, err
		})
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil || inputs[0]+inputs[1] != 30 {
		t.Fatalf("inputs %v, errors %v", inputs, errs)
	}
	q := dbq.New(own.Pool)
	rep, err := db.VerifyLineage(ctx, q)
	if err != nil || !rep.OK || rep.WonInputs != 30 {
		t.Fatalf("lineage %+v %v", rep, err)
	}
	// A superuser writes a deal one cycle froze into the other's partition.
	if _, err := own.Pool.Exec(ctx, `INSERT INTO cycle_inputs (cycle_id, deal_id, partner_id, kind, amount, currency, closed_on)
		SELECT CASE WHEN cycle_id = $1::uuid THEN $2::uuid ELSE $1::uuid END, deal_id, partner_id, kind, amount, currency, closed_on
		FROM cycle_inputs WHERE cycle_id IN ($1, $2) LIMIT 1`, ids[0], ids[1]); err != nil {
		t.Fatal(err)
	}
	rep, err = db.VerifyLineage(ctx, q)
	if err != nil || rep.OK || len(rep.FrozenTwice) != 1 || len(rep.FrozenTwice[0].Cycles) != 2 {
		t.Fatalf("after a deal was frozen twice: %+v %v", rep, err)
	}
}

// Cycles of several programs freezing at once on one worker whose pool
// holds three connections all finish: a worker runs one freeze at a time,
// and a freeze needs its own connection and one per part.
func TestManyFreezesOnASmallPool(t *testing.T) {
	ctx := context.Background()
	own, _, w := ownWorld(t, "smallpool", 2)
	cfg, err := pgxpool.ParseConfig(own.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 3
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	a := incentive.New(pool)
	w.win(wonDeal{partner: 0, amount: 100, closed: "2045-01-10"}, wonDeal{partner: 1, amount: 200, closed: "2045-01-11"})
	var ids []string
	for range 4 {
		prog := w.program(domain.IncentiveRebate, `{"mode":"retroactive","tiers":[{"above":0,"rate_bp":1000}]}`, "2045-01-01")
		ids = append(ids, w.open(a, prog, "2045-01-01", "2045-02-01"))
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Go(func() {
			r, err := a.FreezeCycle(ctx, id)
			if err == nil && r.Inputs != 2 {
				err = fmt.Errorf("%d inputs", r.Inputs)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("freeze %d: %v", i, err)
		}
	}
}
