package bench

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	incentiveacts "github.com/dealflow/dealflow/activities/incentive"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/incentive"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// IncentiveOptions size the incentive benchmark.
type IncentiveOptions struct {
	// Reps is how many times each measurement runs; medians are reported.
	Reps int
	// PayBatch is how many partners one payout transaction pays.
	PayBatch int
	// FreezeParts is how many connections a freeze reads deals on
	// (DEALFLOW_FREEZE_PARTS; 0: incentiveacts.DefaultFreezeParts).
	FreezeParts int
}

// ProgramFigures is one program kind's cycle beside the floor.
type ProgramFigures struct {
	Kind string `json:"kind"`
	// Inputs is how many deals the cycle froze; Lines how many lines it wrote.
	Inputs int `json:"inputs"`
	Lines  int `json:"lines"`
	// FreezeS and AccrueS are the medians of the cycle's two steps, in
	// seconds; CycleS their sum.
	FreezeS float64 `json:"freeze_s"`
	AccrueS float64 `json:"accrue_s"`
	CycleS  float64 `json:"cycle_s"`
	// FloorInsertS and FloorGroupS are the bare floor: INSERT ... SELECT of
	// the same eligible deals into a lineage table, and a GROUP BY partner.
	FloorInsertS float64 `json:"floor_insert_s"`
	FloorGroupS  float64 `json:"floor_group_s"`
	FloorS       float64 `json:"floor_s"`
	Ratio        float64 `json:"ratio"`
}

// IncentiveReport is the incentive benchmark's result.
type IncentiveReport struct {
	Deals       int64            `json:"closed_won_deals"`
	Partners    int64            `json:"partners"`
	Reps        int              `json:"reps"`
	FreezeParts int              `json:"freeze_parts"`
	Programs    []ProgramFigures `json:"programs"`
	// Payouts: the rebate cycle's payouts, every partner, in batches.
	PayoutPartners int     `json:"payout_partners"`
	PayoutEntries  int     `json:"payout_ledger_entries"`
	PayoutS        float64 `json:"payout_s"`
	PayoutBatch    int     `json:"payout_batch"`
	LedgerVerifyS  float64 `json:"ledger_verify_s"`
}

// Incentives measures a cycle's freeze-and-accrue steps for one program of
// each kind over the closed-won deals of WonQuarter (dealflow seed --won),
// beside the bare floor over the same rows in the same run, then pays the
// rebate cycle's partners.
func Incentives(ctx context.Context, pool *pgxpool.Pool, o IncentiveOptions, log *slog.Logger) (IncentiveReport, error) {
	var rep IncentiveReport
	if o.Reps <= 0 {
		o.Reps = 3
	}
	if o.PayBatch <= 0 {
		o.PayBatch = 500
	}
	if o.FreezeParts <= 0 {
		o.FreezeParts = incentiveacts.DefaultFreezeParts
	}
	rep.Reps, rep.PayoutBatch, rep.FreezeParts = o.Reps, o.PayBatch, o.FreezeParts
	if err := pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT partner_id) FROM deals WHERE status = 'closed_won'`).
		Scan(&rep.Deals, &rep.Partners); err != nil {
		return rep, err
	}
	if rep.Deals == 0 {
		return rep, fmt.Errorf("no closed-won deals; seed them first (dealflow seed --synthetic N --won --partners 10000)")
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS bench_floor_lineage (deal_id uuid, partner_id uuid, amount bigint, closed_on date)`); err != nil {
		return rep, err
	}
	a := incentiveacts.New(pool)
	a.FreezeParts = o.FreezeParts
	start, end := WonQuarter, WonQuarter.AddDate(0, 3, 0)
	programs := []struct {
		kind     domain.IncentiveKind
		dealKind string
		rules    string
	}{
		{domain.IncentiveRebate, "resale", `{"mode":"marginal","tiers":[{"above":0,"rate_bp":200},{"above":5000000,"rate_bp":400},{"above":25000000,"rate_bp":600}]}`},
		{domain.IncentiveReferral, "referral", `{"rate_bp":1000,"cap_per_deal":500000,"hold_days":0}`},
		{domain.IncentiveSpiff, "resale", `{"amount":25000,"per":"deal","product_lines":["firewall","vpn"],"budget":5000000000}`},
	}
	var rebateCycle string
	for _, p := range programs {
		f := ProgramFigures{Kind: string(p.kind)}
		var freeze, accrue, floorIns, floorGrp []time.Duration
		lines := "'{}'::text[]"
		if p.kind == domain.IncentiveSpiff {
			lines = "'{firewall,vpn}'::text[]"
		}
		for rep := range o.Reps {
			// The floor: the same eligible rows, copied and summed.
			if _, err := pool.Exec(ctx, "TRUNCATE bench_floor_lineage"); err != nil {
				return IncentiveReport{}, err
			}
			t0 := time.Now()
			if _, err := pool.Exec(ctx, `INSERT INTO bench_floor_lineage SELECT id, partner_id, won_amount, closed_on FROM deals
				WHERE status = 'closed_won' AND won_amount > 0 AND won_currency = 'USD' AND kind = $1 AND closed_on >= $2 AND closed_on < $3
				  AND (cardinality(`+lines+`) = 0 OR won_product_lines && `+lines+`)`, p.dealKind, start, end); err != nil {
				return IncentiveReport{}, err
			}
			floorIns = append(floorIns, time.Since(t0))
			t0 = time.Now()
			rows, err := pool.Query(ctx, `SELECT partner_id, sum(amount) FROM bench_floor_lineage GROUP BY partner_id`)
			if err != nil {
				return IncentiveReport{}, err
			}
			for rows.Next() {
			}
			rows.Close()
			floorGrp = append(floorGrp, time.Since(t0))

			// The cycle: a program of its own each time, so nothing was frozen before.
			prog, err := createProgram(ctx, pool, p.kind, p.rules, start)
			if err != nil {
				return IncentiveReport{}, err
			}
			id := incentive.CycleID(prog.String(), start.Format(time.DateOnly))
			if _, err := a.OpenCycle(ctx, incentiveacts.OpenCycleInput{CycleID: id, ProgramID: prog.String(),
				PeriodStart: start.Format(time.DateOnly), PeriodEnd: end.Format(time.DateOnly), WorkflowID: "bench/" + id,
				StartedBy: "bench"}); err != nil {
				return IncentiveReport{}, err
			}
			t0 = time.Now()
			fr, err := a.FreezeCycle(ctx, id)
			if err != nil {
				return IncentiveReport{}, err
			}
			freeze = append(freeze, time.Since(t0))
			t0 = time.Now()
			ac, err := a.AccrueCycle(ctx, id)
			if err != nil {
				return IncentiveReport{}, err
			}
			accrue = append(accrue, time.Since(t0))
			f.Inputs, f.Lines = fr.Inputs, ac.Lines
			log.Info("measured", "kind", p.kind, "rep", rep+1, "inputs", fr.Inputs, "lines", ac.Lines,
				"freeze", freeze[len(freeze)-1].Round(time.Millisecond), "accrue", accrue[len(accrue)-1].Round(time.Millisecond),
				"floor", (floorIns[len(floorIns)-1] + floorGrp[len(floorGrp)-1]).Round(time.Millisecond))
			if p.kind == domain.IncentiveRebate {
				rebateCycle = id
			}
		}
		f.FreezeS, f.AccrueS = median(freeze), median(accrue)
		f.CycleS = f.FreezeS + f.AccrueS
		f.FloorInsertS, f.FloorGroupS = median(floorIns), median(floorGrp)
		f.FloorS = f.FloorInsertS + f.FloorGroupS
		f.Ratio = f.CycleS / f.FloorS
		rep.Programs = append(rep.Programs, f)
	}

	// Payouts of the last rebate cycle: every partner onto the ledger.
	if _, err := a.RecordCycleEvent(ctx, incentiveacts.CycleEvent{CycleID: rebateCycle, Seq: 1, Type: domain.CycleEventApproved,
		Actor: domain.Actor{ID: "bench", Name: "bench", Role: domain.RoleFinance}, OccurredAt: time.Now()}); err != nil {
		return rep, err
	}
	t0 := time.Now()
	after := ""
	for {
		res, err := a.PayBatch(ctx, incentiveacts.PayBatchInput{CycleID: rebateCycle, After: after, Max: o.PayBatch})
		if err != nil {
			return rep, err
		}
		if res.Partners == 0 {
			break
		}
		rep.PayoutPartners += res.Partners
		rep.PayoutEntries += res.Entries
		after = res.Last
	}
	if _, err := a.FinishPayouts(ctx, rebateCycle); err != nil {
		return rep, err
	}
	rep.PayoutS = time.Since(t0).Seconds()
	t0 = time.Now()
	v, err := db.VerifyLedger(ctx, dbq.New(pool))
	if err != nil {
		return rep, err
	}
	if !v.OK {
		return rep, fmt.Errorf("the ledger does not verify: %s", v.Problem.Error())
	}
	rep.LedgerVerifyS = time.Since(t0).Seconds()
	return rep, nil
}

func createProgram(ctx context.Context, pool *pgxpool.Pool, kind domain.IncentiveKind, rules string, start time.Time) (uuid.UUID, error) {
	q := dbq.New(pool)
	p, err := q.IncentiveProgramCreate(ctx, dbq.IncentiveProgramCreateParams{Code: "bench-" + string(kind) + "-" + uuid.NewString()[:8],
		Name: "bench " + string(kind), Kind: string(kind), Currency: "USD", Period: domain.PeriodQuarter, GraceDays: 7,
		StartsOn: start, CreatedBy: "bench"})
	if err != nil {
		return uuid.Nil, err
	}
	_, err = q.IncentiveProgramVersionCreate(ctx, dbq.IncentiveProgramVersionCreateParams{ProgramID: p.ID, Rules: []byte(rules), CreatedBy: "bench"})
	return p.ID, err
}

func median(ds []time.Duration) float64 {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2].Seconds()
}

// Table renders the report with each figure beside its floor.
func (r IncentiveReport) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "incentive cycles over %d closed-won deals of %d partners (median of %d runs; freeze on %d connections)\n",
		r.Deals, r.Partners, r.Reps, r.FreezeParts)
	fmt.Fprintf(&b, "%-9s %9s %9s %9s %9s %9s %12s %11s %9s %7s\n", "program", "inputs", "lines", "freeze s", "accrue s", "cycle s",
		"floor ins s", "floor grp s", "floor s", "ratio")
	for _, p := range r.Programs {
		fmt.Fprintf(&b, "%-9s %9d %9d %9.2f %9.2f %9.2f %12.2f %11.2f %9.2f %7.2f\n", p.Kind, p.Inputs, p.Lines, p.FreezeS, p.AccrueS,
			p.CycleS, p.FloorInsertS, p.FloorGroupS, p.FloorS, p.Ratio)
	}
	fmt.Fprintf(&b, "payouts: %d partners, %d ledger entries in %.2f s (batches of %d partners; %.2f ms per partner)\n",
		r.PayoutPartners, r.PayoutEntries, r.PayoutS, r.PayoutBatch, 1000*r.PayoutS/float64(max(r.PayoutPartners, 1)))
	fmt.Fprintf(&b, "ledger verify (whole ledger): %.2f s\n", r.LedgerVerifyS)
	return b.String()
}
