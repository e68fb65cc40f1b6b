package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
)

// LeadsOptions size the lead benchmarks (Leads, Pullback).
type LeadsOptions struct {
	// APIURL is a running dealflow API; Token a vendor (channel manager)
	// token of it: imports are a vendor's.
	APIURL string
	Token  string
	// N leads are imported, Batch to a file (POST /v1/leads/import), with
	// Concurrency files in flight; the bare workflow runs BareN times at
	// the same concurrency.
	N, Batch, Concurrency, BareN int
	// Partners take the leads (each with room for all of them).
	Partners int
	// DueWindow (Pullback) spreads the accept deadlines over this window,
	// evenly, beginning once every lead should be imported; 0 lets them
	// fall due at the pace the leads were imported (one accept deadline
	// for all, as long as the import is expected to take and more).
	DueWindow time.Duration
}

// LeadsReport is importing and routing leads beside the bare one-activity
// workflow on the same server at the same concurrency.
type LeadsReport struct {
	Concurrency int           `json:"concurrency"`
	Batch       int           `json:"leads_per_file"`
	Bare        IntakeFigures `json:"bare"`
	// Import is leads imported and routed (each offered to a partner, its
	// offer recorded) a second; its latencies are whole files'.
	Import IntakeFigures `json:"import"`
	Ratio  float64       `json:"rate_ratio"`
}

// leadBench is the program, partners and API a lead benchmark imports
// into.
type leadBench struct {
	pool    *pgxpool.Pool
	o       LeadsOptions
	api     string
	httpc   *http.Client
	tag     string
	program string
	failed  sync.Once // logs the first file that failed
}

// newLeadBench adds a program of its own (one rule that takes every lead,
// one offer a lead, no reminder, the given accept deadline) and o.Partners
// partners in it with room for every lead, directly in PostgreSQL.
func newLeadBench(ctx context.Context, pool *pgxpool.Pool, o LeadsOptions, acceptWithin time.Duration) (*leadBench, error) {
	b := &leadBench{pool: pool, o: o, api: strings.TrimRight(strings.Split(o.APIURL, ",")[0], "/"), tag: uuid.NewString()[:8],
		httpc: &http.Client{Timeout: 10 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: o.Concurrency * 2}}}
	err := pool.QueryRow(ctx, `INSERT INTO programs (name, lead_policy, lead_rules) VALUES ($1, $2, '[{"name": "every lead"}]')
		RETURNING id::text`, "Lead bench "+b.tag, leadBenchPolicy(acceptWithin)).Scan(&b.program)
	if err != nil {
		return nil, fmt.Errorf("bench program: %w", err)
	}
	for i := range max(o.Partners, 1) {
		if _, err := pool.Exec(ctx, `WITH p AS (INSERT INTO partners (name, type, tier, program_id) VALUES ($1, 'reseller', 'gold', $2) RETURNING id)
			INSERT INTO partner_lead_profiles (partner_id, capacity) SELECT id, 100000 FROM p`,
			fmt.Sprintf("Lead Bench %s Reseller %d", b.tag, i), b.program); err != nil {
			return nil, fmt.Errorf("bench partner: %w", err)
		}
	}
	return b, nil
}

func leadBenchPolicy(acceptWithin time.Duration) string {
	return fmt.Sprintf(`{"accept_within": %q, "reminder_at": "0s", "max_offers": 1}`, acceptWithin.Round(time.Millisecond))
}

// importFile posts leads [from, to) as one CSV file and checks that every
// one was imported.
func (b *leadBench) importFile(ctx context.Context, from, to int) error {
	var csv strings.Builder
	csv.WriteString("company_name,company_domain,country,contact_name,contact_email,product_lines,amount,currency\n")
	for i := from; i < to; i++ {
		fmt.Fprintf(&csv, "Lead Bench %s %d Holdings,lead-%s-%d.example,US,Bench Buyer,buyer@lead-%s-%d.example,firewall,250000,USD\n",
			b.tag, i, b.tag, i, b.tag, i)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, b.api+"/v1/leads/import?program_id="+b.program, strings.NewReader(csv.String()))
	req.Header.Set("Authorization", "Bearer "+b.o.Token)
	req.Header.Set("Content-Type", "text/csv")
	res, err := b.httpc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var out struct {
		Imported int `json:"imported"`
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(res.Body)
	_ = json.Unmarshal(body.Bytes(), &out)
	if res.StatusCode != http.StatusCreated || out.Imported != to-from {
		return fmt.Errorf("POST /v1/leads/import (%d leads): %d %s", to-from, res.StatusCode, body.String())
	}
	return nil
}

// importAll imports leads [from, from+n) in files of o.Batch, o.Concurrency
// files in flight, and returns the figures (latencies are whole files').
func (b *leadBench) importAll(ctx context.Context, name string, from, n int, done *atomic.Int64) (IntakeFigures, error) {
	batch := max(b.o.Batch, 1)
	files := (n + batch - 1) / batch
	t0 := time.Now()
	fig, err := measure(ctx, name, files, b.o.Concurrency, 0, func(ctx context.Context, f int) error {
		lo, hi := from+f*batch, min(from+(f+1)*batch, from+n)
		if err := b.importFile(ctx, lo, hi); err != nil {
			b.failed.Do(func() { slog.Warn("an import file failed", "leads", fmt.Sprintf("%d-%d", lo, hi-1), "err", err) })
			return err
		}
		if done != nil {
			done.Add(int64(hi - lo))
		}
		return nil
	})
	if err == nil && fig.Errors > 0 {
		err = fmt.Errorf("%s: %d file(s) failed", name, fig.Errors)
	}
	fig.N, fig.PerSecond = n, float64(n)/time.Since(t0).Seconds()
	return fig, err
}

// Leads measures importing and routing o.N leads through the import API
// (files of o.Batch leads, o.Concurrency in flight; each lead answered
// once recorded and offered to a partner) beside the bare one-activity
// workflow at the same concurrency on the same Temporal server.
func Leads(ctx context.Context, pool *pgxpool.Pool, tc client.Client, o LeadsOptions, log *slog.Logger) (LeadsReport, error) {
	rep := LeadsReport{Concurrency: o.Concurrency, Batch: o.Batch}
	bare, stop, err := startBare(ctx, pool, tc)
	if err != nil {
		return rep, err
	}
	defer stop()
	b, err := newLeadBench(ctx, pool, o, 48*time.Hour)
	if err != nil {
		return rep, err
	}
	warm := min(o.N, 100)
	if _, err := measure(ctx, "warm-up", warm, o.Concurrency, 0, bare); err != nil {
		return rep, err
	}
	if _, err := b.importAll(ctx, "warm-up", 0, warm, nil); err != nil {
		return rep, err
	}
	if rep.Bare, err = measure(ctx, "bare workflow (one activity inserts a row)", max(o.BareN, 1), o.Concurrency, 0, bare); err != nil {
		return rep, err
	}
	log.Info("measured", "what", rep.Bare.Name, "per_second", rep.Bare.PerSecond)
	if rep.Import, err = b.importAll(ctx, "leads imported and routed", warm, o.N, nil); err != nil {
		return rep, err
	}
	rep.Ratio = rep.Import.PerSecond / rep.Bare.PerSecond
	return rep, nil
}

// Table renders the report.
func (r LeadsReport) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "leads imported and routed beside a bare one-activity workflow, %d in flight (files of %d leads)\n", r.Concurrency, r.Batch)
	fmt.Fprintf(&b, "%-45s %8s %8s %10s %10s %8s\n", "", "n", "per s", "p50 ms", "p99 ms", "errors")
	fmt.Fprintf(&b, "%-45s %8d %8.1f %10.1f %10.1f %8d\n", r.Bare.Name, r.Bare.N, r.Bare.PerSecond, r.Bare.P50, r.Bare.P99, r.Bare.Errors)
	fmt.Fprintf(&b, "%-45s %8d %8.1f %10s %10s %8d\n", r.Import.Name, r.Import.N, r.Import.PerSecond, "(files)", "", r.Import.Errors)
	fmt.Fprintf(&b, "rate ratio leads/bare: %.2f (target ≥ 0.80)\n", r.Ratio)
	return b.String()
}
