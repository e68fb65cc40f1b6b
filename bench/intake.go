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
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// IntakeOptions size the deal-intake benchmark.
type IntakeOptions struct {
	// APIURL is a running dealflow API (dealflow dev, or serve beside
	// worker); a comma-separated list spreads submissions over several APIs
	// in turn, as a load balancer would.
	APIURL      string
	Token       string // a partner token
	N           int    // submissions per measurement
	Concurrency int
}

// IntakeFigures is one measured run.
type IntakeFigures struct {
	Name      string  `json:"name"`
	N         int     `json:"n"`
	PerSecond float64 `json:"per_second"`
	P50       float64 `json:"p50_ms"`
	P99       float64 `json:"p99_ms"`
	Errors    int     `json:"errors"`
}

// IntakeReport is deal intake beside a bare one-activity workflow.
type IntakeReport struct {
	Concurrency int           `json:"concurrency"`
	Bare        IntakeFigures `json:"bare"`
	Intake      IntakeFigures `json:"intake"`
	// HalfRate is intake paced at half the bare rate (the p99 target).
	HalfRate IntakeFigures `json:"intake_at_half_bare_rate"`
	Ratio    float64       `json:"rate_ratio"`
}

const bareTaskQueue = "dealflow-bench-bare"

// bareActivities is the baseline's one step: insert one row.
type bareActivities struct{ pool *pgxpool.Pool }

// InsertRow inserts the row of one bare workflow.
func (b *bareActivities) InsertRow(ctx context.Context, id string) error {
	_, err := b.pool.Exec(ctx, `INSERT INTO bench_bare (id) VALUES ($1) ON CONFLICT DO NOTHING`, id)
	return err
}

// BareWorkflow is the baseline: one regular activity that inserts a row.
func BareWorkflow(ctx workflow.Context, id string) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond}})
	var b *bareActivities
	return workflow.ExecuteActivity(ctx, b.InsertRow, id).Get(ctx, nil)
}

// startBare starts a worker of the bare one-activity workflow (the
// floor every end-to-end benchmark is measured beside) and returns one
// round trip of it — start, then wait for its result — and how to stop
// the worker.
func startBare(ctx context.Context, pool *pgxpool.Pool, tc client.Client) (func(context.Context, int) error, func(), error) {
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS bench_bare (id text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, nil, err
	}
	w := sdkworker.New(tc, bareTaskQueue, sdkworker.Options{})
	w.RegisterWorkflow(BareWorkflow)
	w.RegisterActivity(&bareActivities{pool: pool})
	if err := w.Start(); err != nil {
		return nil, nil, err
	}
	bare := func(ctx context.Context, i int) error {
		id := uuid.NewString()
		run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "bench-bare/" + id, TaskQueue: bareTaskQueue}, BareWorkflow, id)
		if err != nil {
			return err
		}
		return run.Get(ctx, nil)
	}
	return bare, w.Stop, nil
}

// Intake measures POST /v1/deals (answered once the deal is persisted and
// screened) beside the bare workflow, at the same concurrency on the same
// Temporal server, then intake again paced at half the bare rate.
func Intake(ctx context.Context, pool *pgxpool.Pool, tc client.Client, o IntakeOptions, log *slog.Logger) (IntakeReport, error) {
	rep := IntakeReport{Concurrency: o.Concurrency}
	bare, stop, err := startBare(ctx, pool, tc)
	if err != nil {
		return rep, err
	}
	defer stop()
	httpc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: o.Concurrency * 2}}
	tag := uuid.NewString()[:8]
	var apis []string
	for _, u := range strings.Split(o.APIURL, ",") {
		if u = strings.TrimRight(strings.TrimSpace(u), "/"); u != "" {
			apis = append(apis, u)
		}
	}
	if len(apis) == 0 {
		return rep, fmt.Errorf("no API URL to submit to")
	}
	intake := func(ctx context.Context, i int) error {
		body, _ := json.Marshal(map[string]any{
			"customer":      map[string]any{"name": fmt.Sprintf("Bench %s %d Holdings", tag, i), "domain": fmt.Sprintf("bench-%s-%d.example", tag, i), "country": "US"},
			"contact":       map[string]any{"name": "Bench Buyer", "email": fmt.Sprintf("buyer@bench-%s-%d.example", tag, i)},
			"product_lines": []string{"firewall"}, "amount": 1250000, "currency": "USD",
			"expected_close_date": time.Now().AddDate(0, 3, 0).Format(time.DateOnly),
		})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, apis[i%len(apis)]+"/v1/deals", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+o.Token)
		req.Header.Set("Content-Type", "application/json")
		res, err := httpc.Do(req)
		if err != nil {
			return err
		}
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			return fmt.Errorf("POST /v1/deals: %d", res.StatusCode)
		}
		return nil
	}
	// Warm both paths up, then measure.
	if _, err := measure(ctx, "warm-up", min(o.N, 50), o.Concurrency, 0, bare); err != nil {
		return rep, err
	}
	if _, err := measure(ctx, "warm-up", min(o.N, 50), o.Concurrency, 0, intake); err != nil {
		return rep, err
	}
	if rep.Bare, err = measure(ctx, "bare workflow (one activity inserts a row)", o.N, o.Concurrency, 0, bare); err != nil {
		return rep, err
	}
	log.Info("measured", "what", rep.Bare.Name, "per_second", rep.Bare.PerSecond)
	if rep.Intake, err = measure(ctx, "deal intake (POST /v1/deals)", o.N, o.Concurrency, 0, intake); err != nil {
		return rep, err
	}
	log.Info("measured", "what", rep.Intake.Name, "per_second", rep.Intake.PerSecond)
	if rep.HalfRate, err = measure(ctx, "deal intake at half the bare rate", o.N, o.Concurrency, rep.Bare.PerSecond/2, intake); err != nil {
		return rep, err
	}
	rep.Ratio = rep.Intake.PerSecond / rep.Bare.PerSecond
	return rep, nil
}

// measure runs n calls of f with c in flight, paced to rate a second when
// rate > 0, and summarizes their latencies.
func measure(ctx context.Context, name string, n, c int, rate float64, f func(context.Context, int) error) (IntakeFigures, error) {
	jobs := make(chan int)
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				t0 := time.Now()
				err := f(ctx, i)
				d := time.Since(t0)
				mu.Lock()
				if err != nil {
					errs++
				} else {
					lat = append(lat, d)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range n {
		if rate > 0 {
			if wait := time.Until(start.Add(time.Duration(float64(i) / rate * float64(time.Second)))); wait > 0 {
				time.Sleep(wait)
			}
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	took := time.Since(start)
	if len(lat) == 0 {
		return IntakeFigures{Name: name, N: n, Errors: errs}, fmt.Errorf("%s: every call failed", name)
	}
	fig := figures(name, lat)
	return IntakeFigures{Name: name, N: n, PerSecond: float64(len(lat)) / took.Seconds(), P50: fig.P50, P99: fig.P99, Errors: errs}, nil
}

// Table renders the report.
func (r IntakeReport) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "deal intake beside a bare one-activity workflow, %d in flight\n", r.Concurrency)
	fmt.Fprintf(&b, "%-45s %8s %10s %10s %8s\n", "", "per s", "p50 ms", "p99 ms", "errors")
	for _, f := range []IntakeFigures{r.Bare, r.Intake, r.HalfRate} {
		fmt.Fprintf(&b, "%-45s %8.1f %10.1f %10.1f %8d\n", f.Name, f.PerSecond, f.P50, f.P99, f.Errors)
	}
	fmt.Fprintf(&b, "rate ratio intake/bare: %.2f (target ≥ 0.80); p99 at half the bare rate: %.0f ms (target < 1000)\n", r.Ratio, r.HalfRate.P99)
	return b.String()
}
