package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/read"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// QueryReport is the read side's main queries at the seeded size.
type QueryReport struct {
	Deals   int64     `json:"deals"`
	Figures []Figures `json:"figures"`
}

// Queries times the manager inbox (first page and a deep page), the
// partner's deal list and the pipeline dashboard's queries (in full and
// from the rollups; the top partners over the default period, from the
// kept window, and over others and of one program, from the running sums;
// by tier and by month of one program) beside two floors: a bare count(*) of the deals table
// and a SELECT 1 round trip. The count and the full aggregations run reps
// times, the others 10×reps times.
func Queries(ctx context.Context, pool *pgxpool.Pool, reps int) (QueryReport, error) {
	var rep QueryReport
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM deals").Scan(&rep.Deals); err != nil {
		return rep, err
	}
	var partner uuid.UUID
	if err := pool.QueryRow(ctx, "SELECT partner_id FROM deals LIMIT 1").Scan(&partner); err != nil {
		return rep, err
	}
	// The program with the most deals (the synthetic partners' programs,
	// SyntheticPrograms), for the dashboard filtered to one program.
	var program uuid.UUID
	if err := pool.QueryRow(ctx, `SELECT key::uuid FROM deal_rollups WHERE dim = 'program' AND key <> ''
		GROUP BY key ORDER BY sum(deals) DESC, key LIMIT 1`).Scan(&program); err != nil {
		return rep, fmt.Errorf("no deal has a program (a database seeded before the synthetic programs: seed it again): %w", err)
	}
	one := uuid.NullUUID{UUID: program, Valid: true}
	q := dbq.New(pool)
	since := time.Now().AddDate(-1, 0, 0)
	month := read.MonthOf(since)
	until := read.MonthOf(time.Now())
	// The dashboard's default period (the twelve months up to now's), whose
	// top partners come from the kept window; the dashboard keeps it on
	// this period before reading (read.KeepDashboardWindow).
	rd := read.New(pool, nil)
	year := read.LastYear(time.Now())
	if _, err := rd.KeepDashboardWindow(ctx, time.Now()); err != nil {
		return rep, err
	}
	// Other periods the dashboard offers: the last whole quarter, this
	// year to date and the longest (120 months).
	quarter := time.Date(until.Year(), until.Month()-(until.Month()-1)%3, 1, 0, 0, 0, 0, time.UTC).AddDate(0, -3, 0)
	thisYear := time.Date(until.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	topPartners := func(from, to time.Time, program uuid.NullUUID) func() error {
		return func() error {
			_, err := q.PipelineByPartner(ctx, dbq.PipelineByPartnerParams{Currency: "USD", ProgramID: program, SinceMonth: from, UntilMonth: to})
			return err
		}
	}
	run := func(name string, f func() error) error {
		n := reps
		if !strings.HasPrefix(name, "floor: SELECT count") && !strings.Contains(name, "(full)") {
			// The millisecond queries run ten times as often: over 50
			// runs the p99 is the slowest run, one preemption of the
			// process on a loaded machine.
			n = 10 * reps
		}
		var ds []time.Duration
		for i := 0; i < n+2; i++ {
			t0 := time.Now()
			if err := f(); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if i >= 2 { // two warm-up runs
				ds = append(ds, time.Since(t0))
			}
		}
		rep.Figures = append(rep.Figures, figures(name, ds))
		return nil
	}
	steps := []struct {
		name string
		f    func() error
	}{
		{"floor: SELECT count(*) FROM deals", func() error { var n int64; return pool.QueryRow(ctx, "SELECT count(*) FROM deals").Scan(&n) }},
		// The round trip of a query that reads nothing: its tail is the
		// machine's (scheduling, the connection), not any query's.
		{"floor: SELECT 1", func() error { var n int; return pool.QueryRow(ctx, "SELECT 1").Scan(&n) }},
		{"manager inbox, first 50", func() error { _, err := q.DealInbox(ctx, dbq.DealInboxParams{PageSize: 50}); return err }},
		{"manager inbox, page at 5,000", func() error {
			_, err := q.DealInbox(ctx, dbq.DealInboxParams{PageSize: 50, PageOffset: 5000})
			return err
		}},
		{"partner's deals, first 50", func() error {
			_, err := q.DealList(ctx, dbq.DealListParams{ScopePartnerID: uuid.NullUUID{UUID: partner, Valid: true}, Statuses: []string{}, PageSize: 50})
			return err
		}},
		{"dashboard (full): by month", func() error {
			_, err := q.PipelineFullByMonth(ctx, dbq.PipelineFullByMonthParams{Currency: "USD", Since: since})
			return err
		}},
		{"dashboard (full): top partners", func() error {
			_, err := q.PipelineFullByPartner(ctx, dbq.PipelineFullByPartnerParams{Currency: "USD", Since: since})
			return err
		}},
		{"dashboard (full): by tier", func() error {
			_, err := q.PipelineFullByTier(ctx, dbq.PipelineFullByTierParams{Currency: "USD", Since: since})
			return err
		}},
		{"dashboard (rollups): by month", func() error {
			_, err := q.PipelineByMonth(ctx, dbq.PipelineByMonthParams{Currency: "USD", SinceMonth: month, UntilMonth: until})
			return err
		}},
		{"dashboard (rollups): top partners", func() error {
			_, err := q.PipelineByPartner(ctx, dbq.PipelineByPartnerParams{Currency: "USD", SinceMonth: year.From, UntilMonth: year.To})
			return err
		}},
		// Any other period, or one program, adds up the running sums
		// (migration 00047): thirteen months, the last quarter, this year,
		// 120 months, and one program over the default period.
		{"dashboard (rollups): top partners, other period", topPartners(month, until, uuid.NullUUID{})},
		{"dashboard (rollups): top partners, last quarter", topPartners(quarter, quarter.AddDate(0, 2, 0), uuid.NullUUID{})},
		{"dashboard (rollups): top partners, this year", topPartners(thisYear, until, uuid.NullUUID{})},
		{"dashboard (rollups): top partners, 120 months", topPartners(until.AddDate(0, -119, 0), until, uuid.NullUUID{})},
		{"dashboard (rollups): top partners, one program", topPartners(year.From, year.To, one)},
		// What every dashboard view adds: the check that the kept window is
		// the default period's.
		{"dashboard: kept window check", func() error {
			_, err := rd.KeepDashboardWindow(ctx, time.Now())
			return err
		}},
		{"dashboard (rollups): by tier", func() error {
			_, err := q.PipelineByTier(ctx, dbq.PipelineByTierParams{Currency: "USD", SinceMonth: month, UntilMonth: until})
			return err
		}},
		{"dashboard (rollups): by tier, one program", func() error {
			_, err := q.PipelineByTier(ctx, dbq.PipelineByTierParams{Currency: "USD", ProgramID: one, SinceMonth: year.From, UntilMonth: year.To})
			return err
		}},
		{"dashboard (rollups): by month, one program", func() error {
			_, err := q.PipelineByMonth(ctx, dbq.PipelineByMonthParams{Currency: "USD", ProgramID: one, SinceMonth: year.From, UntilMonth: year.To})
			return err
		}},
		{"dashboard (rollups): by product line", func() error {
			_, err := q.PipelineByDimension(ctx, dbq.PipelineByDimensionParams{Currency: "USD", SinceMonth: month, Dim: "product_line"})
			return err
		}},
		{"dashboard (rollups): by country", func() error {
			_, err := q.PipelineByDimension(ctx, dbq.PipelineByDimensionParams{Currency: "USD", SinceMonth: month, Dim: "country"})
			return err
		}},
	}
	for _, s := range steps {
		if err := run(s.name, s.f); err != nil {
			return rep, err
		}
		if s.name == "manager inbox, first 50" {
			f, err := serverTime(ctx, pool, "manager inbox, first 50: server only", inboxFirstPage, 10*reps)
			if err != nil {
				return rep, err
			}
			rep.Figures = append(rep.Figures, f)
		}
	}
	return rep, nil
}

// Table renders the report.
func (r QueryReport) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "read-side queries over %d deals\n%-50s %10s %10s %10s\n", r.Deals, "", "p50 ms", "p99 ms", "mean ms")
	for _, f := range r.Figures {
		fmt.Fprintf(&b, "%-50s %10.2f %10.2f %10.2f\n", f.Name, f.P50, f.P99, f.Mean)
	}
	return b.String()
}
