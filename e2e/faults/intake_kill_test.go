package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/workflows/deal"
	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
)

// proc is a dealflow process the chaos can kill and restart.
type proc struct {
	mu   sync.Mutex
	args []string
	env  []string
	bin  string
	cmd  *exec.Cmd
	log  *bytes.Buffer
}

func (p *proc) start(t *testing.T) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cmd = exec.Command(p.bin, p.args...)
	p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = p.env, p.log, p.log
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Errorf("start %v: %v", p.args, err)
	}
}

func (p *proc) kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
}

// 1,000 deal submissions, each retried with its own Idempotency-Key until
// it is answered, while the API and the worker are SIGKILLed and restarted
// in turn every 1.5 seconds: exactly 1,000 deals result, each with its
// workflow, each screened.
func TestSubmissionsSurviveKilledAPIAndWorker(t *testing.T) {
	const total, inFlight = 1000, 20
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	st := newFaultStack(ctx, t, "")
	dbURL, env, bin, temporal, addr := st.dbURL, st.env, st.bin, st.temporal, st.addr
	run := func(args ...string) string { return st.run(ctx, t, args...) }
	partner := run("partner", "create", "--name", "Chaos Reseller", "--type", "reseller", "--tier", "gold")
	token := run("token", "create", "--role", "partner_user", "--partner", partner, "--name", "Chaos Partner", "--email", "chaos@reseller.example")

	var apiLog, workerLog bytes.Buffer
	api := &proc{args: []string{"serve"}, env: env, bin: bin, log: &apiLog}
	worker := &proc{args: []string{"worker"}, env: env, bin: bin, log: &workerLog}
	api.start(t)
	worker.start(t)
	defer api.kill()
	defer worker.kill()

	// Chaos: kill one of them every 1.5 s, restart it 300 ms later.
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
			p := api
			if i%2 == 1 {
				p = worker
			}
			p.kill()
			kills.Add(1)
			time.Sleep(300 * time.Millisecond)
			p.start(t)
		}
	}()

	httpc := &http.Client{Timeout: 15 * time.Second}
	var retries atomic.Int32
	submit := func(i int) string {
		key := fmt.Sprintf("chaos-%d", i)
		body, _ := json.Marshal(map[string]any{
			"customer":      map[string]any{"name": fmt.Sprintf("Chaos Customer %d Ltd", i), "domain": fmt.Sprintf("chaos-%d.example", i), "country": "GB"},
			"contact":       map[string]any{"name": "Buyer", "email": fmt.Sprintf("buyer@chaos-%d.example", i)},
			"product_lines": []string{"firewall"}, "amount": 100000 + i, "currency": "GBP",
			"expected_close_date": time.Now().AddDate(0, 2, 0).Format(time.DateOnly),
		})
		for attempt := 0; ; attempt++ {
			if ctx.Err() != nil {
				return ""
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/v1/deals", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", key)
			res, err := httpc.Do(req)
			if err == nil {
				var out struct {
					ID string `json:"id"`
				}
				_ = json.NewDecoder(res.Body).Decode(&out)
				res.Body.Close()
				if res.StatusCode == http.StatusCreated && out.ID != "" {
					return out.ID
				}
				if res.StatusCode < 500 {
					t.Errorf("submission %d: %d", i, res.StatusCode)
					return ""
				}
			}
			retries.Add(1)
			time.Sleep(time.Duration(100+attempt*50) * time.Millisecond)
		}
	}
	ids := make([]string, total)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range inFlight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				ids[i] = submit(i)
			}
		}()
	}
	for i := range total {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(stop)
	<-chaosDone

	pool, err := db.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var deals, unscreened int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status IN ('submitted', 'screening')) FROM deals`).
		Scan(&deals, &unscreened); err != nil {
		t.Fatal(err)
	}
	distinct := map[string]bool{}
	for _, id := range ids {
		distinct[id] = id != ""
	}
	if deals != total || len(distinct) != total || unscreened != 0 {
		t.Fatalf("deals %d, distinct ids answered %d, unscreened %d (want %d, %d, 0)", deals, len(distinct), unscreened, total, total)
	}
	tc, err := client.Dial(client.Options{HostPort: temporal.Address})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	for _, id := range ids {
		if _, err := uuid.Parse(id); err != nil {
			t.Fatalf("answer %q", id)
		}
		if _, err := tc.DescribeWorkflowExecution(ctx, deal.WorkflowID(id), ""); err != nil {
			t.Fatalf("deal %s has no workflow: %v", id, err)
		}
	}
	t.Logf("%d submissions, %d retries, %d kills (API and worker in turn): %d deals, each with its workflow, all screened",
		total, retries.Load(), kills.Load(), deals)
}
