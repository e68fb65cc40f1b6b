package deal_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/read"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// simDeal is one deal of the randomized run, as its workflow would hold it.
type simDeal struct {
	sub    deal.Submission
	status domain.Status
	seq    int32
	snap   deal.Snapshot
	at     time.Time
}

// next is the transitions a deal may take from its status: the lifecycle's
// paths, corrections and reversals of a win included.
var next = map[domain.Status][]domain.Status{
	domain.StatusSubmitted:       {domain.StatusScreening},
	domain.StatusScreening:       {domain.StatusPendingApproval, domain.StatusConflictReview},
	domain.StatusConflictReview:  {domain.StatusPendingApproval, domain.StatusRejected, domain.StatusWithdrawn},
	domain.StatusPendingApproval: {domain.StatusApproved, domain.StatusApproved, domain.StatusRejected, domain.StatusInfoRequested, domain.StatusPendingApproval, domain.StatusWithdrawn},
	domain.StatusInfoRequested:   {domain.StatusPendingApproval, domain.StatusWithdrawn},
	domain.StatusApproved:        {domain.StatusClosedWon, domain.StatusClosedWon, domain.StatusClosedLost, domain.StatusExpired, domain.StatusWithdrawn, domain.StatusApproved},
	domain.StatusClosedWon:       {domain.StatusClosedWon, domain.StatusClosedWon, domain.StatusClosedWon},
}

// step records the deal's next event (a random transition; a closed-won
// deal's amount corrected, reversed or its currency changed), sometimes
// twice as a retried activity would.
func (d *simDeal) step(ctx context.Context, t *testing.T, a *deal.Activities, r *rand.Rand, actor domain.Actor, programs []string) bool {
	choices := next[d.status]
	if len(choices) == 0 {
		return false
	}
	to := choices[r.IntN(len(choices))]
	d.seq++
	d.at = d.at.Add(time.Duration(1+r.IntN(72*60)) * time.Minute)
	typ := string(to)
	switch {
	case to == domain.StatusScreening:
		d.snap.SLADueAt = d.at.Add(48 * time.Hour)
		d.snap.ProgramID = programs[r.IntN(len(programs))]
	case to == domain.StatusPendingApproval && d.status == domain.StatusPendingApproval:
		typ, d.snap.Escalated = "escalated", true
	case to == domain.StatusApproved && d.status == domain.StatusApproved:
		typ = "extended"
		d.snap.ExpiresAt = d.snap.ExpiresAt.Add(30 * 24 * time.Hour)
	case to == domain.StatusApproved:
		d.snap.ExpiresAt = d.at.Add(90 * 24 * time.Hour)
	case to == domain.StatusClosedWon && d.status == domain.StatusClosedWon:
		o := *d.snap.Outcome
		switch r.IntN(3) {
		case 0:
			typ, o.Amount = "outcome_reversed", 0
		case 1:
			typ, o.Amount = "outcome_corrected", 1+r.Int64N(5_000_000)
		default:
			typ, o.Currency, o.Amount = "outcome_corrected", []string{"USD", "EUR"}[r.IntN(2)], 1+r.Int64N(5_000_000)
		}
		d.snap.Outcome = &o
	case to == domain.StatusClosedWon:
		d.snap.Outcome = &domain.Outcome{Won: true, Amount: 1 + r.Int64N(5_000_000), Currency: []string{"USD", "USD", "EUR"}[r.IntN(3)],
			ProductLines: d.snap.Registration.ProductLines, CloseDate: d.at.Format(time.DateOnly)}
	case to == domain.StatusClosedLost:
		d.snap.Outcome = &domain.Outcome{CloseDate: d.at.Format(time.DateOnly), Reason: "lost"}
	}
	d.snap.Status = to
	snap := d.snap
	e := deal.Event{DealID: d.sub.DealID, Seq: d.seq, Type: typ, From: d.status, To: to, Actor: actor, OccurredAt: d.at, Snapshot: &snap}
	d.status = to
	for i := 0; i < 1+r.IntN(2); i++ {
		if err := a.RecordEvent(ctx, e); err != nil {
			t.Fatalf("deal %s event %d (%s): %v", d.sub.DealID, e.Seq, typ, err)
		}
	}
	return true
}

// anyDeal is some deal's id.
func anyDeal(ctx context.Context, t *testing.T) string {
	var id string
	if err := testDB.Pool.QueryRow(ctx, `SELECT deal_id::text FROM deal_rollup_facts LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// rollupRows reads the rollup tables (the top partners' kept window's
// too) in a stable order, as text.
func rollupRows(ctx context.Context, t *testing.T) []string {
	t.Helper()
	var out []string
	for _, sql := range []string{
		`SELECT f::text FROM deal_rollup_facts f ORDER BY deal_id`,
		`SELECT r::text FROM deal_rollups r ORDER BY dim, month, key, status, currency`,
		`SELECT r::text FROM partner_rollups r ORDER BY month, partner_id, currency`,
		`SELECT r::text FROM tier_rollups r ORDER BY month, tier, currency`,
		`SELECT w::text FROM partner_window w`,
		`SELECT r::text FROM partner_window_totals r ORDER BY partner_id`,
		`SELECT r::text FROM partner_window_won r ORDER BY currency, partner_id`,
		`SELECT r::text FROM partner_running r ORDER BY program, span, at, partner_id, currency`,
	} {
		rows, err := testDB.Pool.Query(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got...)
	}
	return out
}

// topPartnersFromDeals is the top partners aggregated from the deals (the
// ones the rollups count: with a recorded event) registered from $2 to $3
// (firsts of months, UTC, both included), of program $4 or of every
// program when it is null, with won value in $1: the oracle of
// PipelineByPartner over any period and program.
const topPartnersFromDeals = `
SELECT p.id, p.name, p.tier, count(*)::int,
       count(*) FILTER (WHERE d.status IN ('approved', 'closed_won', 'closed_lost', 'expired'))::int,
       coalesce(sum(d.won_amount) FILTER (WHERE d.status = 'closed_won' AND d.won_currency = $1), 0)::bigint AS won
FROM deals d JOIN partners p ON p.id = d.partner_id
WHERE d.last_event_seq > 0
  AND d.created_at AT TIME ZONE 'UTC' >= $2::date AND d.created_at AT TIME ZONE 'UTC' < $3::date + interval '1 month'
  AND ($4::uuid IS NULL OR d.program_id = $4::uuid)
GROUP BY p.id, p.name, p.tier
ORDER BY won DESC, 4 DESC, p.name, p.id
LIMIT 10`

// tiersFromDeals is the pipeline by tier (the partners' tiers now)
// aggregated from the deals, with topPartnersFromDeals' parameters: the
// oracle of PipelineByTier over any period and program.
const tiersFromDeals = `
SELECT lower(p.tier) AS tier, count(*)::int AS registered,
       count(*) FILTER (WHERE d.status IN ('approved', 'closed_won', 'closed_lost', 'expired'))::int,
       coalesce(sum(d.won_amount) FILTER (WHERE d.status = 'closed_won' AND d.won_currency = $1), 0)::bigint AS won
FROM deals d JOIN partners p ON p.id = d.partner_id
WHERE d.last_event_seq > 0
  AND d.created_at AT TIME ZONE 'UTC' >= $2::date AND d.created_at AT TIME ZONE 'UTC' < $3::date + interval '1 month'
  AND ($4::uuid IS NULL OR d.program_id = $4::uuid)
GROUP BY 1
ORDER BY won DESC, registered DESC, tier`

// checkTopPartnersOverPeriods compares PipelineByPartner with the
// aggregation from the deals over the dashboard's periods (calendar
// quarters and years, years to date, 13 months, one month, 120 months
// across a decade's end, a period before any deal, a reversed one) and
// random ones of 1 to 120 months, of every program and of each, in two
// currencies: the running sums (migration 00047) answer all but the kept
// window. PipelineByTier too, which reads them for one program.
func checkTopPartnersOverPeriods(ctx context.Context, t *testing.T, r *rand.Rand, label string, programs []string) {
	t.Helper()
	q := dbq.New(testDB.Pool)
	month := func(y, m int) time.Time { return time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC) }
	periods := [][2]time.Time{
		{month(2025, 1), month(2025, 12)}, {month(2025, 7), month(2025, 9)}, {month(2025, 10), month(2025, 12)},
		{month(2025, 1), month(2025, 8)}, {month(2024, 8), month(2025, 8)}, {month(2025, 3), month(2025, 3)},
		{month(2019, 1), month(2020, 12)}, {month(2019, 11), month(2020, 2)}, {month(2020, 1), month(2020, 1)},
		{month(2016, 3), month(2026, 2)}, {month(2019, 12), month(2029, 11)}, {month(2010, 1), month(2018, 12)},
		{month(2025, 9), month(2025, 8)},
	}
	for range 12 {
		from := month(2015+r.IntN(13), 1+r.IntN(12))
		periods = append(periods, [2]time.Time{from, from.AddDate(0, r.IntN(120), 0)})
	}
	filters := []uuid.NullUUID{{}}
	for _, p := range programs {
		filters = append(filters, uuid.NullUUID{UUID: uuid.MustParse(p), Valid: true})
	}
	for _, p := range periods {
		for _, prog := range filters {
			for _, cur := range []string{"USD", "EUR"} {
				got, err := q.PipelineByPartner(ctx, dbq.PipelineByPartnerParams{Currency: cur, ProgramID: prog, SinceMonth: p[0], UntilMonth: p[1]})
				if err != nil {
					t.Fatal(err)
				}
				rows, err := testDB.Pool.Query(ctx, topPartnersFromDeals, cur, p[0], p[1], prog)
				if err != nil {
					t.Fatal(err)
				}
				want, err := pgx.CollectRows(rows, pgx.RowToStructByPos[dbq.PipelineByPartnerRow])
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("%s %s program %v top partners %s to %s:\nrollups %+v\ndeals   %+v", label, cur, prog.UUID,
						p[0].Format("2006-01"), p[1].Format("2006-01"), got, want)
				}
				gotT, err := q.PipelineByTier(ctx, dbq.PipelineByTierParams{Currency: cur, ProgramID: prog, SinceMonth: p[0], UntilMonth: p[1]})
				if err != nil {
					t.Fatal(err)
				}
				rows, err = testDB.Pool.Query(ctx, tiersFromDeals, cur, p[0], p[1], prog)
				if err != nil {
					t.Fatal(err)
				}
				wantT, err := pgx.CollectRows(rows, pgx.RowToStructByPos[dbq.PipelineByTierRow])
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(gotT) != fmt.Sprint(wantT) {
					t.Fatalf("%s %s program %v by tier %s to %s:\nrollups %+v\ndeals   %+v", label, cur, prog.UUID,
						p[0].Format("2006-01"), p[1].Format("2006-01"), gotT, wantT)
				}
			}
		}
	}
}

// tiers are the tiers the run moves partners between: a change of case
// alone ("gold" to "GOLD") moves nothing.
var tiers = []string{"gold", "silver", "Platinum", "GOLD"}

// retier changes a partner's tier as an administrator would.
func retier(ctx context.Context, t *testing.T, partner uuid.UUID, tier string) {
	t.Helper()
	if _, err := db.UpdatePartner(ctx, testDB.Pool, partner, db.PartnerChange{Tier: &tier, Reason: "rollup test", ActorName: "test", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

// TestRollupsEqualTheirRebuild applies randomized sequences of deal events
// (submissions, screening, conflict review, escalations, approvals,
// extensions, information requests, rejections, withdrawals, expiries,
// losses, wins and their corrections, reversals and currency changes, each
// sometimes recorded twice) across interleaved deals, with partners'
// tiers changing in between, then rebuilds the
// rollups from scratch: the incremental ones (the top partners' kept window
// included) must equal the rebuild row for row, and the dashboard read from them must equal today's aggregation of
// the deals.
func TestRollupsEqualTheirRebuild(t *testing.T) {
	ctx := context.Background()
	q := dbq.New(testDB.Pool)
	a := deal.New(testDB.Pool)
	var programs []string
	for i := range 2 {
		p, err := testDB.Pool.Exec(ctx, `INSERT INTO programs (name) VALUES ($1)`, fmt.Sprintf("Rollup program %d", i))
		if err != nil || p.RowsAffected() != 1 {
			t.Fatal(err)
		}
	}
	rows, _ := testDB.Pool.Query(ctx, `SELECT id::text FROM programs ORDER BY name`)
	programs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	type org struct {
		id    uuid.UUID
		actor domain.Actor
	}
	var orgs []org
	for i := range 3 {
		p, err := q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: fmt.Sprintf("Rollup partner %d", i), Type: "reseller", Tier: []string{"gold", "silver"}[i%2]})
		if err != nil {
			t.Fatal(err)
		}
		u, err := q.UserEnsure(ctx, dbq.UserEnsureParams{Name: fmt.Sprintf("Rollup rep %d", i), Role: "partner_user", PartnerID: uuid.NullUUID{UUID: p.ID, Valid: true}})
		if err != nil {
			t.Fatal(err)
		}
		orgs = append(orgs, org{p.ID, domain.Actor{ID: u.ID.String(), Name: u.Name, Role: domain.RolePartnerUser}})
	}
	lines := []string{"firewall", "vpn", "edr", "siem"}
	// The top partners' kept window (migration 00045) holds part of the
	// run's months, so the moves add some deltas to it and not others.
	if _, err := read.New(testDB.Pool, nil).KeepDashboardWindow(ctx, time.Date(2025, 8, 31, 23, 59, 59, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(4) {
		r := rand.New(rand.NewPCG(seed, 18))
		var live []*simDeal
		for range 30 {
			o := orgs[r.IntN(len(orgs))]
			// Most in 2025; some on either side of a decade's end, so that
			// the running sums (migration 00047) carry across years and
			// decades.
			at := time.Date([]int{2025, 2025, 2019, 2020}[r.IntN(4)], time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), 0, 0, 0, time.UTC)
			s := submission(o.id, o.actor, at)
			s.Registration.ProductLines = []string{lines[r.IntN(4)], lines[r.IntN(4)]}
			s.Registration.Currency = []string{"USD", "EUR"}[r.IntN(2)]
			s.Registration.Customer.Country = []string{"US", "DE", "FR"}[r.IntN(3)]
			s.Event.Snapshot = snapshot(s.Registration, domain.StatusSubmitted)
			if err := a.RecordSubmission(ctx, s); err != nil {
				t.Fatal(err)
			}
			live = append(live, &simDeal{sub: s, status: domain.StatusSubmitted, seq: 1, snap: *s.Event.Snapshot, at: at})
		}
		for len(live) > 0 {
			if r.IntN(25) == 0 {
				retier(ctx, t, orgs[r.IntN(len(orgs))].id, tiers[r.IntN(len(tiers))])
			}
			i := r.IntN(len(live))
			if !live[i].step(ctx, t, a, r, orgs[0].actor, programs) || r.IntN(12) == 0 {
				live = append(live[:i], live[i+1:]...)
			}
		}
		incremental := rollupRows(ctx, t)
		// Moving again for an event already counted (a retry reaching the
		// rollups directly) changes nothing.
		moved, err := q.DealRollupMove(ctx, dbq.DealRollupMoveParams{DealID: uuid.MustParse(anyDeal(ctx, t)), Seq: 1})
		if err != nil || moved {
			t.Fatalf("move of a counted event: moved %v, %v", moved, err)
		}
		if again := rollupRows(ctx, t); !reflect.DeepEqual(again, incremental) {
			t.Fatal("a repeated move changed the rollups")
		}
		if _, err := q.DealRollupsRebuild(ctx); err != nil {
			t.Fatal(err)
		}
		rebuilt := rollupRows(ctx, t)
		if !reflect.DeepEqual(incremental, rebuilt) {
			for i := range max(len(incremental), len(rebuilt)) {
				var x, y string
				if i < len(incremental) {
					x = incremental[i]
				}
				if i < len(rebuilt) {
					y = rebuilt[i]
				}
				if x != y {
					t.Errorf("seed %d row %d:\nincremental %s\nrebuilt     %s", seed, i, x, y)
				}
			}
			t.Fatalf("seed %d: %d incremental rows, %d rebuilt", seed, len(incremental), len(rebuilt))
		}
		checkTopPartnersOverPeriods(ctx, t, r, fmt.Sprintf("seed %d", seed), programs)
		var tc int
		_ = testDB.Pool.QueryRow(ctx, `SELECT count(*) FROM partner_events WHERE kind = 'tier'`).Scan(&tc)
		t.Logf("seed %d: %d rows equal, %d tier changes", seed, len(rebuilt), tc)
		since := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
		for _, cur := range []string{"USD", "EUR"} {
			full, err := q.PipelineFullByMonth(ctx, dbq.PipelineFullByMonthParams{Currency: cur, Since: since})
			if err != nil {
				t.Fatal(err)
			}
			roll, err := q.PipelineByMonth(ctx, dbq.PipelineByMonthParams{Currency: cur, SinceMonth: since, UntilMonth: time.Date(2999, 12, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			if len(full) != len(roll) {
				t.Fatalf("seed %d %s: %d months full, %d from rollups", seed, cur, len(full), len(roll))
			}
			for i := range full {
				f, g := full[i], roll[i]
				if !f.Month.Equal(g.Month) || f.Registered != g.Registered || f.Approved != g.Approved || f.Won != g.Won {
					t.Fatalf("seed %d %s month %d: full %+v, rollups %+v", seed, cur, i, f, g)
				}
			}
			fullP, err := q.PipelineFullByPartner(ctx, dbq.PipelineFullByPartnerParams{Currency: cur, Since: since})
			if err != nil {
				t.Fatal(err)
			}
			rollP, err := q.PipelineByPartner(ctx, dbq.PipelineByPartnerParams{Currency: cur, SinceMonth: since, UntilMonth: time.Date(2999, 12, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			var rollPs []dbq.PipelineFullByPartnerRow
			for _, r := range rollP {
				rollPs = append(rollPs, dbq.PipelineFullByPartnerRow{Name: r.Name, Tier: r.Tier, Registered: r.Registered, Approved: r.Approved, Won: r.Won})
			}
			if fmt.Sprint(fullP) != fmt.Sprint(rollPs) {
				t.Fatalf("seed %d %s top partners:\nfull    %+v\nrollups %+v", seed, cur, fullP, rollP)
			}
			fullT, err := q.PipelineFullByTier(ctx, dbq.PipelineFullByTierParams{Currency: cur, Since: since})
			if err != nil {
				t.Fatal(err)
			}
			rollT, err := q.PipelineByTier(ctx, dbq.PipelineByTierParams{Currency: cur, SinceMonth: since, UntilMonth: time.Date(2999, 12, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			if len(fullT) != len(rollT) {
				t.Fatalf("seed %d %s by tier:\nfull    %+v\nrollups %+v", seed, cur, fullT, rollT)
			}
			for i := range fullT {
				if fmt.Sprint(fullT[i]) != fmt.Sprint(rollT[i]) {
					t.Fatalf("seed %d %s by tier:\nfull    %+v\nrollups %+v", seed, cur, fullT, rollT)
				}
			}
		}
	}
}
