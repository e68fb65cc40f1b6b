package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
)

// TemporalServer is a Temporal server process on free loopback ports: the
// dev server (`temporal server start-dev`, StartTemporal) with its SQLite
// file in a temporary directory, or the real server on PostgreSQL
// (StartTemporalPostgres) with databases of its own.
type TemporalServer struct {
	Address string
	cmd     *exec.Cmd
	args    []string
	env     []string // nil: this process's
	workDir string
	dir     string
	log     *syncBuffer
	done    chan struct{}
	// namespace, when set, must answer before the server is ready.
	namespace string
	// cleanup runs after Stop has ended the server.
	cleanup func()
}

// TemporalCLI returns the path of the pinned Temporal CLI: $TEMPORAL_CLI, or
// bin/temporal in the repository (scripts/temporal-cli.sh builds it).
func TemporalCLI() (string, error) {
	if p := os.Getenv("TEMPORAL_CLI"); p != "" {
		return p, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, "bin", "temporal")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("no Temporal CLI at %s: run scripts/temporal-cli.sh (or make test) to build it", p)
	}
	return p, nil
}

// StartTemporal starts a dev server and waits until it answers health
// checks. A port found free can be taken by another process (a client
// socket's ephemeral port, another package's server) before the server
// binds it: a server that exits before it is ready is started again on
// other ports, three times at most.
func StartTemporal(ctx context.Context) (*TemporalServer, error) {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		var s *TemporalServer
		if s, err = startTemporalOnce(ctx); err == nil || !errors.Is(err, errExited) {
			return s, err
		}
	}
	return nil, err
}

// errExited: the server process ended before it answered.
var errExited = errors.New("the server exited")

func startTemporalOnce(ctx context.Context) (*TemporalServer, error) {
	cli, err := TemporalCLI()
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	httpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "dealflow-temporal-")
	if err != nil {
		return nil, err
	}
	s := &TemporalServer{Address: "127.0.0.1:" + strconv.Itoa(port), dir: dir, log: &syncBuffer{}, done: make(chan struct{})}
	s.args = []string{cli, "server", "start-dev", "--headless",
		"--ip", "127.0.0.1", "--port", strconv.Itoa(port), "--http-port", strconv.Itoa(httpPort),
		"--db-filename", filepath.Join(dir, "temporal.db"),
		"--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
		// One partition per task queue, as scripts/temporal-dev.sh starts
		// every dev stack: a worker's few pollers then wait where the
		// tasks are written.
		"--dynamic-config-value", "matching.numTaskqueueReadPartitions=1",
		"--dynamic-config-value", "matching.numTaskqueueWritePartitions=1",
		"--log-level", "warn"}
	if err := s.start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", cli, err)
	}
	if err := s.waitReady(ctx, 90*time.Second); err != nil {
		s.Stop()
		return nil, fmt.Errorf("temporal dev server did not become ready: %w\n%s", err, s.log.String())
	}
	return s, nil
}

func (s *TemporalServer) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-s.done:
			return errExited
		default:
		}
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		c, err := client.DialContext(cctx, client.Options{HostPort: s.Address, Logger: QuietLogger{}})
		if err == nil {
			_, err = c.CheckHealth(cctx, &client.CheckHealthRequest{})
			if err == nil && s.namespace != "" {
				// Through the frontend's namespace cache (refreshed every
				// 2 s), as `dealflow migrate` will ask, not its database.
				_, err = c.OperatorService().ListSearchAttributes(cctx, &operatorservice.ListSearchAttributesRequest{Namespace: s.namespace})
			}
			c.Close()
		}
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (s *TemporalServer) start() error {
	s.done = make(chan struct{})
	s.cmd = exec.Command(s.args[0], s.args[1:]...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	s.cmd.Env, s.cmd.Dir = s.env, s.workDir
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return err
	}
	done := s.done
	go func() { _ = s.cmd.Wait(); close(done) }()
	return nil
}

// Restart stops the server and starts it again on the same address and
// files, as a crashed or upgraded server would come back.
func (s *TemporalServer) Restart(ctx context.Context) error {
	s.halt()
	if err := s.start(); err != nil {
		return err
	}
	return s.waitReady(ctx, 90*time.Second)
}

// Stop ends the server and removes its files (or databases).
func (s *TemporalServer) Stop() {
	s.halt()
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
	if s.cleanup != nil {
		s.cleanup()
	}
}

func (s *TemporalServer) halt() {
	if s.cmd.Process != nil {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-s.done
		}
	}
}

// Log returns what the server printed so far.
func (s *TemporalServer) Log() string { return s.log.String() }

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

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

// QuietLogger is a Temporal SDK logger that drops every line: for test
// clients whose chatter would only bury the test output.
type QuietLogger struct{}

// Debug drops the line.
func (QuietLogger) Debug(string, ...any) {}

// Info drops the line.
func (QuietLogger) Info(string, ...any) {}

// Warn drops the line.
func (QuietLogger) Warn(string, ...any) {}

// Error drops the line.
func (QuietLogger) Error(string, ...any) {}
