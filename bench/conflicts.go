package bench

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/conflicts"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Figures summarize one measured operation.
type Figures struct {
	Name string  `json:"name"`
	N    int     `json:"n"`
	P50  float64 `json:"p50_ms"`
	P99  float64 `json:"p99_ms"`
	Mean float64 `json:"mean_ms"`
}

func figures(name string, ds []time.Duration) Figures {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	pct := func(p float64) time.Duration { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
	return Figures{Name: name, N: len(ds), P50: ms(pct(0.50)), P99: ms(pct(0.99)), Mean: ms(sum / time.Duration(len(ds)))}
}

// ConflictOptions size the conflict-check benchmark.
type ConflictOptions struct {
	Queries int
	Warmup  int
	Seed    uint64
}

// ConflictReport is the conflict check beside the bare trigram query.
type ConflictReport struct {
	Deals     int64   `json:"deals"`
	Accounts  int64   `json:"accounts"`
	Threshold string  `json:"trigram_threshold"`
	Engine    Figures `json:"engine"`
	Baseline  Figures `json:"baseline"`
	// RatioP50 and RatioP99 are engine ÷ baseline.
	RatioP50 float64 `json:"ratio_p50"`
	RatioP99 float64 `json:"ratio_p99"`
	// Matched counts queries for which the engine found a conflict.
	Matched int `json:"matched"`
}

// Conflicts measures the full conflict check (candidates from registrations,
// accounts and opportunities by blocking keys and domains, scored and
// explained) against the bare `lower(customer_name) % $1` query on a GIN
// trigram index over the same deals (pg_trgm's default threshold), on the
// same queries, in alternating blocks.
func Conflicts(ctx context.Context, pool *pgxpool.Pool, o ConflictOptions, log *slog.Logger) (ConflictReport, error) {
	var rep ConflictReport
	if o.Queries <= 0 {
		o.Queries = 2000
	}
	if err := pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM deals), (SELECT count(*) FROM accounts), show_limit()::text").
		Scan(&rep.Deals, &rep.Accounts, &rep.Threshold); err != nil {
		return rep, err
	}
	log.Info("making sure the baseline's index exists (bench only)")
	if _, err := pool.Exec(ctx, "CREATE INDEX IF NOT EXISTS bench_deals_lower_name_trgm ON deals USING gin (lower(customer_name) gin_trgm_ops)"); err != nil {
		return rep, err
	}
	queries, err := sampleQueries(ctx, pool, o, rep.Deals)
	if err != nil {
		return rep, err
	}
	engine := conflicts.Engine{Pool: pool}
	var tEngine, tBase []time.Duration
	runEngine := func(q conflicts.Query) (time.Duration, int, error) {
		start := time.Now()
		found, err := engine.FindConflicts(ctx, q)
		return time.Since(start), len(found), err
	}
	runBase := func(q conflicts.Query) (time.Duration, error) {
		start := time.Now()
		rows, err := pool.Query(ctx, "SELECT id FROM deals WHERE lower(customer_name) % lower($1) LIMIT 50", q.Customer.Name)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
		}
		rows.Close()
		return time.Since(start), rows.Err()
	}
	// Queries run in blocks: a block through the engine, then the same
	// block through the baseline (the order alternating block by block), so
	// that both see the same machine over time, while neither's cache use
	// is undone by the other at every single query.
	const block = 50
	for lo := 0; lo < len(queries); lo += block {
		hi := min(lo+block, len(queries))
		engineBlock := func() error {
			for i := lo; i < hi; i++ {
				d, n, err := runEngine(queries[i])
				if err != nil {
					return err
				}
				if i >= o.Warmup {
					tEngine = append(tEngine, d)
					if n > 0 {
						rep.Matched++
					}
				}
			}
			return nil
		}
		baseBlock := func() error {
			for i := lo; i < hi; i++ {
				d, err := runBase(queries[i])
				if err != nil {
					return err
				}
				if i >= o.Warmup {
					tBase = append(tBase, d)
				}
			}
			return nil
		}
		first, second := engineBlock, baseBlock
		if (lo/block)%2 == 1 {
			first, second = baseBlock, engineBlock
		}
		if err := first(); err != nil {
			return rep, err
		}
		if err := second(); err != nil {
			return rep, err
		}
	}
	rep.Engine = figures("conflict check (engine)", tEngine)
	rep.Baseline = figures("bare lower(name) % q", tBase)
	rep.RatioP50 = rep.Engine.P50 / rep.Baseline.P50
	rep.RatioP99 = rep.Engine.P99 / rep.Baseline.P99
	return rep, nil
}

// sampleQueries draws customers as partners would type them: variants of
// existing names (another legal form, a typo, upper case, "and" for "&"),
// half with the same domain, and companies not in the data at all.
func sampleQueries(ctx context.Context, pool *pgxpool.Pool, o ConflictOptions, deals int64) ([]conflicts.Query, error) {
	total := o.Queries + o.Warmup
	percent := min(100, 300*float64(total)/float64(max(deals, 1)))
	rows, err := pool.Query(ctx, `SELECT customer_name, customer_domain, customer_country FROM deals
		TABLESAMPLE BERNOULLI ($1) REPEATABLE (7) LIMIT $2`, percent, total)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	r := rand.New(rand.NewPCG(o.Seed+1, o.Seed+2))
	var out []conflicts.Query
	for rows.Next() {
		var name, dom, country string
		if err := rows.Scan(&name, &dom, &country); err != nil {
			return nil, err
		}
		// Another partner types the customer: the sampled row itself is a
		// candidate, as a rival's registration of the same customer is.
		q := conflicts.Query{DealID: uuid.Nil, ExcludePartner: uuid.NullUUID{UUID: uuid.New(), Valid: true},
			ProductLines: []string{"firewall"}, Thresholds: domain.DefaultMatchThresholds}
		switch r.IntN(3) {
		case 0: // a variant with the same domain
			q.Customer = domain.Customer{Name: variant(r, name), Domain: dom, Country: country}
		case 1: // a variant, domain unknown or free mail
			q.Customer = domain.Customer{Name: variant(r, name), Domain: []string{"", "gmail.com"}[r.IntN(2)], Country: country}
		default: // a company that is not in the data
			n, d := syntheticCompany(r)
			q.Customer = domain.Customer{Name: n + " " + strings.Repeat("x", r.IntN(2)), Domain: d, Country: country}
		}
		out = append(out, q)
	}
	if len(out) < total {
		return nil, fmt.Errorf("only %d sample rows; seed more deals first (dealflow seed --synthetic N)", len(out))
	}
	return out, rows.Err()
}

// Table renders a report beside its baseline.
func (r ConflictReport) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "conflict check over %d registrations and %d accounts (baseline pg_trgm threshold %s), %d queries, %d with a conflict\n",
		r.Deals, r.Accounts, r.Threshold, r.Engine.N, r.Matched)
	fmt.Fprintf(&b, "%-28s %10s %10s %10s\n", "", "p50 ms", "p99 ms", "mean ms")
	for _, f := range []Figures{r.Engine, r.Baseline} {
		fmt.Fprintf(&b, "%-28s %10.2f %10.2f %10.2f\n", f.Name, f.P50, f.P99, f.Mean)
	}
	fmt.Fprintf(&b, "%-28s %10.2f %10.2f\n", "ratio engine/baseline", r.RatioP50, r.RatioP99)
	return b.String()
}
