package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/internal/testenv"
)

// 200 deals are registered and decided (even ones approved, odd ones
// rejected) while the Temporal dev server and then PostgreSQL (a private
// cluster) are restarted mid-run; clients retry what failed. Every deal
// ends in the state its decision implies, with that decision recorded
// once in its timeline: no transition lost, none doubled.
func TestDecisionsSurviveTemporalAndPostgresRestarts(t *testing.T) {
	const total, inFlight = 200, 10
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	pg, err := testenv.StartPostgres(ctx)
	if err != nil {
		t.Fatalf("private PostgreSQL: %v", err)
	}
	defer pg.Stop()
	st := newFaultStack(ctx, t, pg.URL)
	dbURL, env, bin, temporal, addr := st.dbURL, st.env, st.bin, st.temporal, st.addr
	run := func(args ...string) string { return st.run(ctx, t, args...) }
	partner := run("partner", "create", "--name", "Restart Reseller", "--type", "reseller", "--tier", "gold")
	ptoken := run("token", "create", "--role", "partner_user", "--partner", partner, "--name", "Restart Partner", "--email", "pat@restart.example")
	mtoken := run("token", "create", "--role", "channel_manager", "--name", "Restart Manager", "--email", "morgan@vendor.example")
	var apiLog, workerLog bytes.Buffer
	api := &proc{args: []string{"serve"}, env: env, bin: bin, log: &apiLog}
	worker := &proc{args: []string{"worker"}, env: env, bin: bin, log: &workerLog}
	api.start(t)
	worker.start(t)
	defer api.kill()
	defer worker.kill()

	httpc := &http.Client{Timeout: 15 * time.Second}
	var retries atomic.Int32
	// do sends a request until done says its answer settles it.
	do := func(method, path, token, key string, body any, done func(int, map[string]any) bool) map[string]any {
		b, _ := json.Marshal(body)
		for attempt := 0; ctx.Err() == nil; attempt++ {
			req, _ := http.NewRequestWithContext(ctx, method, "http://"+addr+path, bytes.NewReader(b))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			if key != "" {
				req.Header.Set("Idempotency-Key", key)
			}
			if res, err := httpc.Do(req); err == nil {
				var out map[string]any
				_ = json.NewDecoder(res.Body).Decode(&out)
				res.Body.Close()
				if done(res.StatusCode, out) {
					return out
				}
			}
			retries.Add(1)
			time.Sleep(time.Duration(200+attempt*100) * time.Millisecond)
		}
		return nil
	}
	var progress atomic.Int32
	ids := make([]string, total)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range inFlight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				created := do(http.MethodPost, "/v1/deals", ptoken, fmt.Sprintf("restart-%d", i), map[string]any{
					"customer":      map[string]any{"name": fmt.Sprintf("Restart Customer %d Inc", i), "domain": fmt.Sprintf("restart-%d.example", i), "country": "US"},
					"contact":       map[string]any{"name": "Buyer", "email": fmt.Sprintf("b@restart-%d.example", i)},
					"product_lines": []string{"vpn"}, "amount": 50000 + i, "currency": "USD",
					"expected_close_date": time.Now().AddDate(0, 2, 0).Format(time.DateOnly),
				}, func(code int, _ map[string]any) bool { return code == http.StatusCreated })
				id, _ := created["id"].(string)
				ids[i] = id
				step, want := "approve", "approved"
				if i%2 == 1 {
					step, want = "reject", "rejected"
				}
				// A retried decision that already took effect answers 409
				// with the status it left: that settles it too.
				do(http.MethodPost, "/v1/deals/"+id+"/"+step, mtoken, "", map[string]any{"reason": "decided"},
					func(code int, out map[string]any) bool {
						return code == http.StatusOK || code == http.StatusConflict && out["current_status"] == want
					})
				progress.Add(1)
			}
		}()
	}
	go func() {
		for i := range total {
			jobs <- i
		}
		close(jobs)
	}()
	waitProgress := func(n int32) {
		for progress.Load() < n && ctx.Err() == nil {
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitProgress(total / 4)
	if err := temporal.Restart(ctx); err != nil {
		t.Fatalf("restart Temporal: %v", err)
	}
	t.Logf("Temporal restarted at %d of %d deals decided", progress.Load(), total)
	waitProgress(total / 2)
	if err := pg.Restart(ctx); err != nil {
		t.Fatalf("restart PostgreSQL: %v", err)
	}
	t.Logf("PostgreSQL restarted at %d of %d deals decided", progress.Load(), total)
	wg.Wait()

	pool, err := db.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for i, id := range ids {
		want, event := "approved", "approved"
		if i%2 == 1 {
			want, event = "rejected", "rejected"
		}
		var status string
		var decisions int
		if err := pool.QueryRow(ctx, `SELECT d.status, (SELECT count(*) FROM deal_events e WHERE e.deal_id = d.id AND e.type = $2)
			FROM deals d WHERE d.id = $1`, id, event).Scan(&status, &decisions); err != nil {
			t.Fatalf("deal %d (%s): %v", i, id, err)
		}
		if status != want || decisions != 1 {
			t.Fatalf("deal %d: status %s with %d %s events, want %s once", i, status, decisions, event, want)
		}
	}
	var deals int
	_ = pool.QueryRow(ctx, "SELECT count(*) FROM deals").Scan(&deals)
	if deals != total {
		t.Fatalf("%d deals, want %d", deals, total)
	}
	t.Logf("%d deals decided through a Temporal and a PostgreSQL restart (%d client retries): every status as decided, each decision recorded once",
		total, retries.Load())
}
