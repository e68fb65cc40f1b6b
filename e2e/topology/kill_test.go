package topology

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
	"github.com/dealflow/dealflow/workflows/deal"
	"github.com/google/uuid"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

const (
	submissions = 400 // deals submitted, alternating the two APIs
	inFlight    = 16
	approveEach = 5 // every 5th deal is approved, through the other API
)

// On the production topology (the Temporal server on PostgreSQL, two APIs,
// two workers on the same task queues), 400 deals are submitted through
// both APIs, each with its Idempotency-Key and retried on the other API
// until answered, and every fifth is approved the same way, while one API
// and one worker are SIGKILLed and restarted in turn every 1.5 seconds.
// Afterwards every deal exists exactly once, with its workflow, screened;
// every approval is recorded exactly once; no step of any deal's history
// is recorded twice; and SQL visibility indexes every deal workflow and
// dealflow's custom search attributes (added by `dealflow migrate`).
func TestTopologySurvivesKilledAPIAndWorker(t *testing.T) {
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	c := newCluster(ctx, t, "default")

	// `dealflow migrate` registered the search attributes through the
	// operator API; SQL visibility keeps them as aliases of its columns.
	tc, err := client.Dial(client.Options{HostPort: server.Address, Namespace: "default", Logger: testenv.QuietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	sas, err := tc.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range deal.SearchAttributes {
		if got, ok := sas.GetCustomAttributes()[name]; !ok || got != typ {
			t.Fatalf("search attribute %s: %v, %v (want %v)", name, got, ok, typ)
		}
	}
	c.run(ctx, t, "migrate") // a second run finds them all and changes nothing

	partner := c.run(ctx, t, "partner", "create", "--name", "Topology Reseller", "--type", "reseller", "--tier", "gold")
	partnerTok := c.run(ctx, t, "token", "create", "--role", "partner_user", "--partner", partner, "--name", "Topo Partner", "--email", "topo@reseller.example")
	managerTok := c.run(ctx, t, "token", "create", "--role", "channel_manager", "--name", "Topo Manager", "--email", "manager@vendor.example")

	apis := []*proc{c.api(t, "api-1"), c.api(t, "api-2")}
	workers := []*proc{c.worker(t, "worker-1"), c.worker(t, "worker-2")}
	for _, a := range apis {
		a.waitReady(ctx, t)
	}

	// Chaos: SIGKILL api-1 and worker-1 in turn every 1.5 s, each restarted
	// 300 ms later; api-2 and worker-2 carry on.
	stop := make(chan struct{})
	var kills atomic.Int32
	chaosDone := make(chan struct{})
	go func() {
		defer close(chaosDone)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(1500 * time.Millisecond):
			}
			p := apis[0]
			if i%2 == 1 {
				p = workers[0]
			}
			p.kill()
			kills.Add(1)
			time.Sleep(300 * time.Millisecond)
			p.start(t)
		}
	}()

	httpc := &http.Client{Timeout: 15 * time.Second}
	var retries, screeningRetries atomic.Int32
	// call sends one request, to api n%2 on the n-th attempt, until an API
	// answers it with something other than a 5xx, and returns that answer.
	call := func(first int, method, path, token, key string, body any) (int, map[string]any) {
		b, _ := json.Marshal(body)
		for attempt := 0; ctx.Err() == nil; attempt++ {
			api := apis[(first+attempt)%2]
			req, _ := http.NewRequestWithContext(ctx, method, api.url+path, bytes.NewReader(b))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			if key != "" {
				req.Header.Set("Idempotency-Key", key)
			}
			res, err := httpc.Do(req)
			if err == nil {
				var out map[string]any
				_ = json.NewDecoder(res.Body).Decode(&out)
				res.Body.Close()
				if res.StatusCode < 500 {
					return res.StatusCode, out
				}
			}
			retries.Add(1)
			time.Sleep(time.Duration(100+min(attempt, 10)*50) * time.Millisecond)
		}
		return 0, nil
	}
	ids := make([]string, submissions)
	approved := map[string]bool{}
	var mu sync.Mutex
	submitAndDecide := func(i int) {
		status, out := call(i, http.MethodPost, "/v1/deals", partnerTok, fmt.Sprintf("topology-%d", i), map[string]any{
			"customer":      map[string]any{"name": fmt.Sprintf("Topology Customer %d Ltd", i), "domain": fmt.Sprintf("topology-%d.example", i), "country": "DE"},
			"contact":       map[string]any{"name": "Buyer", "email": fmt.Sprintf("buyer@topology-%d.example", i)},
			"product_lines": []string{"firewall"}, "amount": 100000 + i, "currency": "EUR",
			"expected_close_date": time.Now().AddDate(0, 2, 0).Format(time.DateOnly),
		})
		id, _ := out["id"].(string)
		if status != http.StatusCreated || id == "" {
			t.Errorf("submission %d: %d %v", i, status, out)
			return
		}
		ids[i] = id
		if i%approveEach != 0 {
			return
		}
		// A retried approval that an earlier attempt already recorded is
		// refused as a transition from approved: the step was taken once.
		for range 50 {
			status, out = call(i+1, http.MethodPost, "/v1/deals/"+id+"/approve", managerTok, "", map[string]string{"reason": "topology"})
			// The deal's record can be ahead of its workflow: screened in
			// the database, the worker killed before the workflow heard.
			// The workflow refuses the step until it has ("retry in a
			// moment"); the status it answers with still allows it.
			if status != http.StatusConflict || out["current_status"] != "pending_approval" {
				break
			}
			screeningRetries.Add(1)
			time.Sleep(200 * time.Millisecond)
		}
		if status != http.StatusOK && (status != http.StatusConflict || out["current_status"] != "approved") {
			t.Errorf("approve deal %d: %d %v", i, status, out)
			return
		}
		mu.Lock()
		approved[id] = true
		mu.Unlock()
	}
	driveStart := time.Now()
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range inFlight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				submitAndDecide(i)
			}
		}()
	}
	for i := range submissions {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(stop)
	<-chaosDone
	drive := time.Since(driveStart)
	if t.Failed() {
		t.Fatalf("api-1 log:\n%s\nworker-1 log:\n%s", apis[0].log.String(), workers[0].log.String())
	}

	pool, err := db.Connect(ctx, c.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	// Every deal once, screened; the sampled ones approved, the others
	// awaiting review.
	var deals, unscreened, nApproved, pending int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status IN ('submitted', 'screening')),
		count(*) FILTER (WHERE status = 'approved'), count(*) FILTER (WHERE status = 'pending_approval') FROM deals`).
		Scan(&deals, &unscreened, &nApproved, &pending); err != nil {
		t.Fatal(err)
	}
	distinct := map[string]bool{}
	for _, id := range ids {
		distinct[id] = true
	}
	wantApproved := (submissions + approveEach - 1) / approveEach
	if deals != submissions || len(distinct) != submissions || unscreened != 0 || nApproved != wantApproved ||
		len(approved) != wantApproved || pending != submissions-wantApproved {
		t.Fatalf("deals %d, distinct ids answered %d, unscreened %d, approved %d (answered %d), pending %d; want %d, %d, 0, %d, %d, %d",
			deals, len(distinct), unscreened, nApproved, len(approved), pending, submissions, submissions, wantApproved, wantApproved, submissions-wantApproved)
	}
	// No step of any deal's history twice: one event of each type a deal
	// went through (submitted, screening_started, review_requested, and for
	// the sample one approved), recorded by whichever worker ran it.
	var events, dupSteps, approvals int
	if err := pool.QueryRow(ctx, `SELECT count(*), (SELECT count(*) FROM (SELECT 1 FROM deal_events GROUP BY deal_id, type HAVING count(*) > 1) d),
		count(*) FILTER (WHERE type = 'approved') FROM deal_events`).Scan(&events, &dupSteps, &approvals); err != nil {
		t.Fatal(err)
	}
	if dupSteps != 0 || approvals != wantApproved || events != 3*submissions+wantApproved {
		rows, _ := pool.Query(ctx, `SELECT deal_id, type, count(*) FROM deal_events GROUP BY 1, 2 HAVING count(*) > 1 LIMIT 10`)
		var dups []string
		for rows.Next() {
			var id uuid.UUID
			var typ string
			var n int
			_ = rows.Scan(&id, &typ, &n)
			dups = append(dups, fmt.Sprintf("%s %s ×%d", id, typ, n))
		}
		rows.Close()
		t.Fatalf("deal_events: %d, steps recorded twice %d %v, approvals %d; want %d, 0, %d",
			events, dupSteps, dups, approvals, 3*submissions+wantApproved, wantApproved)
	}
	var wrong int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM deals d WHERE (d.status = 'approved') <> EXISTS
		(SELECT 1 FROM deal_events e WHERE e.deal_id = d.id AND e.type = 'approved')`).Scan(&wrong); err != nil || wrong != 0 {
		t.Fatalf("%d deals whose status disagrees with their approval event (%v)", wrong, err)
	}

	// Every deal has its workflow, running (awaiting review or expiry).
	rows, err := pool.Query(ctx, `SELECT id, workflow_id FROM deals`)
	if err != nil {
		t.Fatal(err)
	}
	wfs := map[string]string{}
	for rows.Next() {
		var id uuid.UUID
		var wf string
		if err := rows.Scan(&id, &wf); err != nil {
			t.Fatal(err)
		}
		wfs[id.String()] = wf
	}
	rows.Close()
	for _, id := range ids {
		d, err := tc.DescribeWorkflowExecution(ctx, wfs[id], "")
		if err != nil {
			t.Fatalf("deal %s has no workflow %q: %v", id, wfs[id], err)
		}
		if s := d.GetWorkflowExecutionInfo().GetStatus().String(); s != "Running" {
			t.Fatalf("deal %s's workflow is %s", id, s)
		}
	}
	// SQL visibility indexes them all, with dealflow's search attributes.
	visible := func(query string, want int64) {
		deadline := time.Now().Add(30 * time.Second)
		for {
			res, err := tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: "default", Query: query})
			if err == nil && res.GetCount() == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("visibility %q: %d, %v (want %d)", query, res.GetCount(), err, want)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	visible(`WorkflowType = "DealRegistration"`, submissions)
	visible(`DealStatus = "approved"`, int64(wantApproved))
	visible(fmt.Sprintf(`DealPartnerId = %q AND DealStatus = "pending_approval"`, partner), int64(submissions-wantApproved))

	t.Logf("proved on the Temporal server with PostgreSQL persistence and visibility, 2 APIs and 2 workers on one task queue:")
	t.Logf("  %d submissions and %d approvals through both APIs in %s (%.0f deals/s), %d retries, %d SIGKILLs of api-1 and worker-1 in turn",
		submissions, wantApproved, drive.Round(100*time.Millisecond), float64(submissions)/drive.Seconds(), retries.Load(), kills.Load())
	t.Logf("  %d deals, each once, each with its running workflow, none left in submitted/screening", deals)
	t.Logf("  %d approvals recorded, each once (%d refused while a restarted worker caught up, then retried); %d deal events, no step of any deal twice",
		approvals, screeningRetries.Load(), events)
	t.Logf("  SQL visibility: %d DealRegistration workflows; DealStatus, DealPartnerId (added by dealflow migrate) answer queries", submissions)
	t.Logf("  whole test %s", time.Since(began).Round(100*time.Millisecond))
}
