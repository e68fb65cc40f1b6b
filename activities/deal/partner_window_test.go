package deal_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/read"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// topPartnersBefore is the top partners query of every program as it was
// before the kept window (migration 00045): partner_rollups summed over the
// window's months. It is the oracle the kept window must equal.
const topPartnersBefore = `
WITH totals AS (
    SELECT r.partner_id, sum(r.registered) AS registered, sum(r.approved) AS approved,
           coalesce(sum(r.won_amount) FILTER (WHERE r.currency = $1), 0) AS won
    FROM partner_rollups r
    WHERE r.month >= $2::date AND r.month <= $3::date
    GROUP BY r.partner_id
), leaders AS (
    SELECT * FROM totals ORDER BY won DESC, registered DESC FETCH FIRST 10 ROWS WITH TIES
)
SELECT p.id, p.name, p.tier, l.registered::int, l.approved::int, l.won::bigint
FROM leaders l JOIN partners p ON p.id = l.partner_id
ORDER BY l.won DESC, l.registered DESC, p.name, p.id
LIMIT 10`

// checkTopPartners compares the top partners of the window p (which must be
// the kept one) with the oracle in each currency, and the kept totals with
// partner_rollups summed over p.
// It says in how many currencies all ten had won value (the index alone).
func checkTopPartners(ctx context.Context, t *testing.T, label string, p read.Period) int {
	t.Helper()
	indexed := 0
	q := dbq.New(testDB.Pool)
	var since, until time.Time
	if err := testDB.Pool.QueryRow(ctx, `SELECT since, until FROM partner_window`).Scan(&since, &until); err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	if !since.Equal(p.From) || !until.Equal(p.To) {
		t.Fatalf("%s: kept window %s to %s, want %s to %s", label, since, until, p.From, p.To)
	}
	for _, cur := range []string{"USD", "EUR", "SEK", "NOK"} {
		got, err := q.PipelineByPartner(ctx, dbq.PipelineByPartnerParams{Currency: cur, SinceMonth: p.From, UntilMonth: p.To})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := testDB.Pool.Query(ctx, topPartnersBefore, cur, p.From, p.To)
		if err != nil {
			t.Fatal(err)
		}
		want, err := pgx.CollectRows(rows, pgx.RowToStructByPos[dbq.PipelineByPartnerRow])
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s %s top partners over %s to %s:\nkept window %+v\naggregated  %+v", label, cur, p.FromText(), p.ToText(), got, want)
		}
		if len(got) == 10 && got[9].Won > 0 {
			indexed++
		}
	}
	var diff int
	if err := testDB.Pool.QueryRow(ctx, `
		WITH want AS (
		    SELECT partner_id, sum(registered) AS registered, sum(approved) AS approved FROM partner_rollups
		    WHERE month BETWEEN $1 AND $2 GROUP BY 1 HAVING (sum(registered), sum(approved)) <> (0, 0)
		), want_won AS (
		    SELECT currency, partner_id, sum(won_amount) AS won_amount FROM partner_rollups
		    WHERE month BETWEEN $1 AND $2 GROUP BY 1, 2 HAVING sum(won_amount) <> 0
		)
		SELECT (SELECT count(*) FROM ((SELECT * FROM want EXCEPT SELECT * FROM partner_window_totals)
		                              UNION ALL (SELECT * FROM partner_window_totals EXCEPT SELECT * FROM want)) x)
		     + (SELECT count(*) FROM ((SELECT * FROM want_won EXCEPT SELECT * FROM partner_window_won)
		                              UNION ALL (SELECT * FROM partner_window_won EXCEPT SELECT * FROM want_won)) y)`,
		p.From, p.To).Scan(&diff); err != nil {
		t.Fatal(err)
	}
	if diff != 0 {
		t.Fatalf("%s: %d kept rows differ from partner_rollups summed over %s to %s", label, diff, p.FromText(), p.ToText())
	}
	return indexed
}

// firsts is a random source whose every IntN and Int64N draw is 0 (2³²:
// a power of two masks it to 0, any other n below 2³² scales it to 0
// without a retry): step then takes each status's first way on, submitted
// to screening, pending approval, approved and closed-won.
type firsts struct{}

func (firsts) Uint64() uint64 { return 1 << 32 }

// settle corrects closed-won deal d's value to amount in cur, as a
// manager's correction would: a few amounts make partners tie.
func (d *simDeal) settle(ctx context.Context, t *testing.T, a *deal.Activities, actor domain.Actor, amount int64, cur string) {
	t.Helper()
	o := *d.snap.Outcome
	o.Amount, o.Currency = amount, cur
	d.snap.Outcome = &o
	d.seq++
	d.at = d.at.Add(time.Minute)
	snap := d.snap
	e := deal.Event{DealID: d.sub.DealID, Seq: d.seq, Type: "outcome_corrected", From: d.status, To: d.status, Actor: actor, OccurredAt: d.at, Snapshot: &snap}
	if err := a.RecordEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
}

// TestTopPartnersKeptWindowEqualsAggregation moves a clock over month and
// year ends (backwards too), keeping the top partners' window on the
// dashboard's default period at each date as the dashboard does, and
// records randomized deals registered on the window's edges (the first and
// last instants of its months and of the months either side) through
// their lifecycles, wins and their corrections (many to the same amounts,
// so that partners tie), reversals and currency changes, with tiers
// changing between: after each batch the top partners from the kept window
// must equal partner_rollups aggregated over the same months, in a currency
// with more than ten partners winning (the index), one with fewer (the
// partners without won value fill in) and one with none.
func TestTopPartnersKeptWindowEqualsAggregation(t *testing.T) {
	ctx := context.Background()
	q := dbq.New(testDB.Pool)
	a := deal.New(testDB.Pool)
	rd := read.New(testDB.Pool, nil)
	var programs []string
	if err := testDB.Pool.QueryRow(ctx, `INSERT INTO programs (name) VALUES ('Window program') RETURNING id::text`).Scan(new(string)); err != nil {
		t.Fatal(err)
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
	for i := range 16 {
		p, err := q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: fmt.Sprintf("Window partner %02d", i%13), Type: "reseller", Tier: tiers[i%len(tiers)]})
		if err != nil {
			t.Fatal(err)
		}
		u, err := q.UserEnsure(ctx, dbq.UserEnsureParams{Name: fmt.Sprintf("Window rep %d", i), Role: "partner_user", PartnerID: uuid.NullUUID{UUID: p.ID, Valid: true}})
		if err != nil {
			t.Fatal(err)
		}
		orgs = append(orgs, org{p.ID, domain.Actor{ID: u.ID.String(), Name: u.Name, Role: domain.RolePartnerUser}})
	}
	clocks := []time.Time{
		time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 2, 28, 23, 59, 59, 0, time.UTC),
		time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC),
		time.Date(2025, 6, 30, 23, 59, 59, 0, time.UTC), // back by nine months
		time.Date(2024, 2, 29, 8, 0, 0, 0, time.UTC),    // a leap day, back by more than a window
		time.Date(2027, 1, 1, 0, 0, 1, 0, time.UTC),     // forward by more than a window
		time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC),
	}
	r := rand.New(rand.NewPCG(45, 18))
	indexed := 0
	for step, now := range clocks {
		p := read.LastYear(now)
		moved, err := rd.KeepDashboardWindow(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := rd.KeepDashboardWindow(ctx, now); err != nil || again {
			t.Fatalf("clock %s: keeping the same window again moved %v, %v", now, again, err)
		}
		label := fmt.Sprintf("clock %s (moved %v)", now.Format(time.RFC3339), moved)
		indexed += checkTopPartners(ctx, t, label+", before its deals", p)
		// Registrations on the window's edges: the first and the last
		// instant of its first and last months and of the months either
		// side, and some in between.
		var live, won []*simDeal
		for range 40 {
			o := orgs[r.IntN(len(orgs))]
			var at time.Time
			switch m := []time.Time{p.From.AddDate(0, -1, 0), p.From, p.To, p.End(), p.From.AddDate(0, r.IntN(12), 0)}[r.IntN(5)]; r.IntN(3) {
			case 0:
				at = m
			case 1:
				at = m.AddDate(0, 1, 0).Add(-time.Second)
			default:
				at = m.Add(time.Duration(r.IntN(28*24)) * time.Hour)
			}
			s := submission(o.id, o.actor, at)
			s.Registration.Currency = []string{"USD", "EUR"}[r.IntN(2)]
			s.Event.Snapshot = snapshot(s.Registration, domain.StatusSubmitted)
			if err := a.RecordSubmission(ctx, s); err != nil {
				t.Fatal(err)
			}
			d := &simDeal{sub: s, status: domain.StatusSubmitted, seq: 1, snap: *s.Event.Snapshot, at: at}
			if r.IntN(2) == 0 {
				// Half are won outright, so that more than ten partners win.
				for range 4 {
					d.step(ctx, t, a, rand.New(firsts{}), orgs[0].actor, programs)
				}
				won = append(won, d)
				continue
			}
			live = append(live, d)
		}
		for len(live) > 0 {
			if r.IntN(20) == 0 {
				retier(ctx, t, orgs[r.IntN(len(orgs))].id, tiers[r.IntN(len(tiers))])
			}
			i := r.IntN(len(live))
			if !live[i].step(ctx, t, a, r, orgs[0].actor, programs) || r.IntN(10) == 0 {
				if live[i].status == domain.StatusClosedWon {
					won = append(won, live[i])
				}
				live = append(live[:i], live[i+1:]...)
			}
		}
		for _, d := range won {
			if d.snap.Outcome.Amount > 0 && r.IntN(4) > 0 {
				d.settle(ctx, t, a, orgs[0].actor, []int64{100_000, 200_000}[r.IntN(2)], []string{"USD", "USD", "EUR"}[r.IntN(3)])
			}
		}
		indexed += checkTopPartners(ctx, t, label+fmt.Sprintf(", after %d deals (%d won)", 40, len(won)), p)
		if step == 4 {
			// The rebuild keeps the window and recomputes it.
			if _, err := q.DealRollupsRebuild(ctx); err != nil {
				t.Fatal(err)
			}
			checkTopPartners(ctx, t, label+", rebuilt", p)
		}
	}
	if indexed == 0 {
		t.Fatal("no currency had ten partners with won value: the index alone was never compared")
	}
	t.Logf("%d comparisons with ten partners winning", indexed)
}

// TestTopPartnersKeptWindowBelowZero ranks a partner whose won value in
// the window is below zero (which deals do not produce today) after one
// without any, as partner_rollups' aggregation does.
func TestTopPartnersKeptWindowBelowZero(t *testing.T) {
	ctx := context.Background()
	q := dbq.New(testDB.Pool)
	now := time.Date(2011, 3, 31, 23, 59, 59, 0, time.UTC) // a window no other test writes in
	p := read.LastYear(now)
	if _, err := read.New(testDB.Pool, nil).KeepDashboardWindow(ctx, now); err != nil {
		t.Fatal(err)
	}
	var ids []uuid.UUID
	for _, name := range []string{"Window partner at zero", "Window partner below zero"} {
		partner, err := q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: name, Type: "reseller", Tier: "gold"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, partner.ID)
	}
	add := func(sign int64) {
		t.Helper()
		for _, row := range []struct {
			partner  uuid.UUID
			cur      string
			reg, won int64
		}{{ids[0], "USD", 1, 0}, {ids[1], "USD", 1, 0}, {ids[1], "NOK", 0, -500}} {
			if _, err := testDB.Pool.Exec(ctx, `SELECT rollup_pivot_add($1, NULL, $2, $3, $4, 0, 0, 0, 0, $5)`,
				row.partner, p.To, row.cur, sign*row.reg, sign*row.won); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(1)
	checkTopPartners(ctx, t, "below zero", p)
	got, err := q.PipelineByPartner(ctx, dbq.PipelineByPartnerParams{Currency: "NOK", SinceMonth: p.From, UntilMonth: p.To})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != ids[0] || got[0].Won != 0 || got[1].ID != ids[1] || got[1].Won != -500 {
		t.Fatalf("NOK top partners %+v: want the partner at zero, then the one below", got)
	}
	add(-1) // as it was: the rollups equal their rebuild again
	checkTopPartners(ctx, t, "below zero undone", p)
}

// TestKeepDashboardWindowReadOnly: on a read-only connection (a replica)
// keeping the window moves nothing and is no error; the dashboard then
// sums partner_rollups.
func TestKeepDashboardWindowReadOnly(t *testing.T) {
	ctx := context.Background()
	cfg := testDB.Pool.Config().Copy()
	cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var before string
	if err := testDB.Pool.QueryRow(ctx, `SELECT w::text FROM partner_window w`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	moved, err := read.New(pool, nil).KeepDashboardWindow(ctx, time.Date(2009, 12, 31, 23, 59, 59, 0, time.UTC))
	if err != nil || moved {
		t.Fatalf("read-only: moved %v, %v", moved, err)
	}
	var after string
	if err := testDB.Pool.QueryRow(ctx, `SELECT w::text FROM partner_window w`).Scan(&after); err != nil || after != before {
		t.Fatalf("read-only: window %s, was %s (%v)", after, before, err)
	}
}
