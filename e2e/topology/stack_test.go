// Package topology runs dealflow as it runs in production: the real
// Temporal server (go.temporal.io/server, built by scripts/temporal-server.sh)
// with PostgreSQL persistence and visibility, two API processes and two
// workers on the same task queues, all on loopback. It fails, never skips,
// when any of it cannot start.
package topology

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/internal/testenv"
)

// server is the package's Temporal server on PostgreSQL, which TestMain
// starts for every test here (each has its own dealflow database).
var server *testenv.TemporalServer

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	started := time.Now()
	var err error
	server, err = testenv.StartTemporalPostgres(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "topology: the Temporal server on PostgreSQL:", err)
		os.Exit(1)
	}
	fmt.Printf("topology: Temporal server v1.29.1 on PostgreSQL (persistence and visibility) ready at %s in %s\n",
		server.Address, time.Since(started).Round(100*time.Millisecond))
	code := m.Run()
	server.Stop()
	os.Exit(code)
}

// cluster is what one test runs against: the package's Temporal server, a
// fresh dealflow database migrated by `dealflow migrate`, and the dealflow
// binary built from this tree.
type cluster struct {
	bin   string
	env   []string
	dbURL string
	tmp   string
}

// newCluster builds dealflow and migrates a new database for namespace,
// which must exist; everything stops when the test ends.
func newCluster(ctx context.Context, t *testing.T, namespace string) *cluster {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{tmp: t.TempDir()}
	c.bin = filepath.Join(c.tmp, "dealflow")
	build := exec.CommandContext(ctx, "go", "build", "-o", c.bin, "./cmd/dealflow")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if c.dbURL, err = testenv.NewDatabaseURL("topology"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.DropDatabase(context.Background(), c.dbURL) })
	c.env = append(os.Environ(), "DATABASE_URL="+c.dbURL, "TEMPORAL_ADDRESS="+server.Address, "TEMPORAL_NAMESPACE="+namespace,
		"DEALFLOW_LOG_LEVEL=warn", "DEALFLOW_REQUEST_TIMEOUT=10s", "DEALFLOW_RATE_LIMIT=100000", "DEALFLOW_RATE_BURST=100000",
		"DEALFLOW_AUTH_RATE_LIMIT=100000", "DEALFLOW_AUTH_RATE_BURST=100000",
		"DEALFLOW_PAYOUT_DIR="+filepath.Join(c.tmp, "payouts"), "DEALFLOW_API_METRICS_ADDR=off", "DEALFLOW_METRICS_ADDR=")
	c.run(ctx, t, "migrate")
	return c
}

// run runs a dealflow command to its end and returns its stdout, trimmed.
func (c *cluster) run(ctx context.Context, t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = c.env, &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("dealflow %v: %v\n%s", args, err, errb.String())
	}
	return strings.TrimSpace(out.String())
}

// api starts `dealflow serve` on a free address; its base URL is p.url.
func (c *cluster) api(t *testing.T, name string) *proc {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := &proc{name: name, url: "http://" + addr, bin: c.bin, args: []string{"serve"},
		env: append(append([]string{}, c.env...), "DEALFLOW_HTTP_ADDR="+addr)}
	p.start(t)
	t.Cleanup(p.kill)
	return p
}

// worker starts `dealflow worker`.
func (c *cluster) worker(t *testing.T, name string) *proc {
	t.Helper()
	p := &proc{name: name, bin: c.bin, args: []string{"worker"}, env: c.env}
	p.start(t)
	t.Cleanup(p.kill)
	return p
}

// proc is a dealflow process the test SIGKILLs and restarts.
type proc struct {
	name string
	url  string // an API's base URL
	bin  string
	args []string
	env  []string
	mu   sync.Mutex
	cmd  *exec.Cmd
	log  syncBuffer
}

func (p *proc) start(t *testing.T) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cmd = exec.Command(p.bin, p.args...)
	p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = p.env, &p.log, &p.log
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Errorf("start %s: %v", p.name, err)
	}
}

// kill sends SIGKILL (no shutdown of any kind) and reaps the process.
func (p *proc) kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil && p.cmd.Process != nil && p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		_ = p.cmd.Wait()
	}
}

// waitReady waits until the API answers /readyz.
func (p *proc) waitReady(ctx context.Context, t *testing.T) {
	t.Helper()
	for {
		res, err := http.Get(p.url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s did not become ready: %v\n%s", p.name, err, p.log.String())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// syncBuffer is a bytes.Buffer a process writes while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
