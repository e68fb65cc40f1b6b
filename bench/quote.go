package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
)

// QuoteApproveReport is an auto-approved quote's submit → approved round
// trip (POST /v1/quotes/{id}/submit, answered once the workflow has
// recorded both the submission and the automatic approval) beside the
// bare one-activity workflow's round trip, at the same concurrency on the
// same Temporal server.
type QuoteApproveReport struct {
	Concurrency int           `json:"concurrency"`
	Bare        IntakeFigures `json:"bare"`
	Submit      IntakeFigures `json:"submit_to_approved"`
}

// QuoteApprove measures submit → approved of quotes within the partner's
// standard discounts (no additional discount: the approval matrix
// approves them at once) through the API at o.APIURL with the partner
// token o.Token. It adds a product of its own with a price to the catalog
// (directly in PostgreSQL), registers one deal, prices the quotes it
// submits before measuring (not measured), then measures the bare
// workflow and the submissions.
func QuoteApprove(ctx context.Context, pool *pgxpool.Pool, tc client.Client, o IntakeOptions, log *slog.Logger) (QuoteApproveReport, error) {
	rep := QuoteApproveReport{Concurrency: o.Concurrency}
	bare, stop, err := startBare(ctx, pool, tc)
	if err != nil {
		return rep, err
	}
	defer stop()
	api := strings.TrimRight(strings.Split(o.APIURL, ",")[0], "/")
	httpc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: o.Concurrency * 2}}
	call := func(ctx context.Context, path string, body any, want int) (map[string]any, error) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, api+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+o.Token)
		req.Header.Set("Content-Type", "application/json")
		res, err := httpc.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		if res.StatusCode != want {
			return out, fmt.Errorf("POST %s: %d %v", path, res.StatusCode, out)
		}
		return out, nil
	}
	sku := "BENCH-" + strings.ToUpper(uuid.NewString()[:8])
	if _, err := pool.Exec(ctx, `INSERT INTO quote_products (sku, name, product_line, unit, discountable, active, min_qty, max_qty)
		VALUES ($1, 'Bench seat', 'firewall', 'seat', true, true, 1, 0)`, sku); err != nil {
		return rep, err
	}
	if _, err := pool.Exec(ctx, `INSERT INTO quote_prices (sku, currency, effective_from, list_price, version)
		VALUES ($1, 'USD', '2020-01-01', 12345, 1)`, sku); err != nil {
		return rep, err
	}
	tag := uuid.NewString()[:8]
	deal, err := call(ctx, "/v1/deals", map[string]any{
		"customer":      map[string]any{"name": "Quote Bench " + tag + " Holdings", "domain": "quote-bench-" + tag + ".example", "country": "US"},
		"contact":       map[string]any{"name": "Bench Buyer", "email": "buyer@quote-bench-" + tag + ".example"},
		"product_lines": []string{"firewall"}, "amount": 1250000, "currency": "USD",
		"expected_close_date": time.Now().AddDate(0, 3, 0).Format(time.DateOnly),
	}, http.StatusCreated)
	if err != nil {
		return rep, err
	}
	dealID, _ := deal["id"].(string)
	warm := min(o.N, 50)
	quotes := make([]string, warm+o.N)
	create := func(ctx context.Context, i int) error {
		q, err := call(ctx, "/v1/deals/"+dealID+"/quotes", map[string]any{"currency": "USD",
			"lines": []map[string]any{{"sku": sku, "quantity": 1 + i%20}}}, http.StatusCreated)
		if err != nil {
			return err
		}
		quotes[i], _ = q["id"].(string)
		return nil
	}
	if _, err := measure(ctx, "pricing the quotes to submit", len(quotes), o.Concurrency, 0, create); err != nil {
		return rep, err
	}
	log.Info("priced", "quotes", len(quotes))
	submitFrom := func(offset int) func(context.Context, int) error {
		return func(ctx context.Context, i int) error {
			st, err := call(ctx, "/v1/quotes/"+quotes[offset+i]+"/submit", map[string]any{}, http.StatusOK)
			if err != nil {
				return err
			}
			if st["status"] != "approved" {
				return fmt.Errorf("quote %s submitted: %v, not approved", quotes[offset+i], st["status"])
			}
			return nil
		}
	}
	if _, err := measure(ctx, "warm-up", warm, o.Concurrency, 0, bare); err != nil {
		return rep, err
	}
	if _, err := measure(ctx, "warm-up", warm, o.Concurrency, 0, submitFrom(0)); err != nil {
		return rep, err
	}
	if rep.Bare, err = measure(ctx, "bare workflow (one activity inserts a row)", o.N, o.Concurrency, 0, bare); err != nil {
		return rep, err
	}
	log.Info("measured", "what", rep.Bare.Name, "p99_ms", rep.Bare.P99)
	if rep.Submit, err = measure(ctx, "auto-approved quote, submit → approved", o.N, o.Concurrency, 0, submitFrom(warm)); err != nil {
		return rep, err
	}
	return rep, nil
}

// Table renders the report.
func (r QuoteApproveReport) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "auto-approved quote, submit → approved, beside a bare one-activity workflow, %d in flight\n", r.Concurrency)
	fmt.Fprintf(&b, "%-45s %8s %10s %10s %8s\n", "", "per s", "p50 ms", "p99 ms", "errors")
	for _, f := range []IntakeFigures{r.Bare, r.Submit} {
		fmt.Fprintf(&b, "%-45s %8.1f %10.1f %10.1f %8d\n", f.Name, f.PerSecond, f.P50, f.P99, f.Errors)
	}
	fmt.Fprintf(&b, "p99 submit → approved: %.0f ms (target ≤ 200), %.1f× the bare round trip's\n", r.Submit.P99, r.Submit.P99/r.Bare.P99)
	return b.String()
}
