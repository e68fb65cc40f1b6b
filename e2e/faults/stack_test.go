package faults

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/internal/testenv"
)

// faultStack is what every fault test starts: the dealflow binary built
// from this tree, a Temporal dev server, a database (on the shared server,
// or on a private cluster when the test restarts PostgreSQL), a free HTTP
// address, and the environment the binary runs with.
type faultStack struct {
	bin      string
	env      []string
	addr     string
	dbURL    string
	temporal *testenv.TemporalServer
	tmp      string
}

// newFaultStack builds and starts everything, migrated; pgURL names a
// private cluster's server ("" for a new database on the shared one).
// Everything stops when the test ends.
func newFaultStack(ctx context.Context, t *testing.T, pgURL string, extraEnv ...string) *faultStack {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	s := &faultStack{tmp: t.TempDir()}
	s.bin = filepath.Join(s.tmp, "dealflow")
	build := exec.CommandContext(ctx, "go", "build", "-o", s.bin, "./cmd/dealflow")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if s.temporal, err = testenv.StartTemporal(ctx); err != nil {
		t.Fatalf("Temporal dev server: %v", err)
	}
	t.Cleanup(s.temporal.Stop)
	if pgURL != "" {
		s.dbURL = strings.Replace(pgURL, "/postgres?", "/dealflow?", 1)
	} else {
		if s.dbURL, err = testenv.NewDatabaseURL("faults"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.DropDatabase(context.Background(), s.dbURL) })
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	ln.Close()
	s.env = append(os.Environ(), "DATABASE_URL="+s.dbURL, "TEMPORAL_ADDRESS="+s.temporal.Address, "DEALFLOW_LOG_LEVEL=warn",
		"DEALFLOW_HTTP_ADDR="+s.addr, "DEALFLOW_REQUEST_TIMEOUT=10s", "DEALFLOW_RATE_LIMIT=100000", "DEALFLOW_RATE_BURST=100000",
		"DEALFLOW_AUTH_RATE_LIMIT=100000", "DEALFLOW_AUTH_RATE_BURST=100000",
		"DEALFLOW_PAYOUT_DIR="+filepath.Join(s.tmp, "payouts"), "DEALFLOW_API_METRICS_ADDR=off")
	s.env = append(s.env, extraEnv...)
	s.run(ctx, t, "migrate")
	return s
}

// run runs a dealflow command to its end and returns its stdout, trimmed.
func (s *faultStack) run(ctx context.Context, t *testing.T, args ...string) string {
	t.Helper()
	out, stderr, err := s.try(ctx, args...)
	if err != nil {
		t.Fatalf("dealflow %v: %v\n%s", args, err, stderr)
	}
	return out
}

// try runs a dealflow command and returns its output and error.
func (s *faultStack) try(ctx context.Context, args ...string) (string, string, error) {
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, s.bin, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = s.env, &out, &errb
	err := cmd.Run()
	return strings.TrimSpace(out.String()), errb.String(), err
}

// process returns a killable, restartable dealflow process (serve, worker).
func (s *faultStack) process(log *bytes.Buffer, args ...string) *proc {
	return &proc{args: args, env: s.env, bin: s.bin, log: log}
}
