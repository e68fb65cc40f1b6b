package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/internal/config"
	"github.com/jackc/pgx/v5"
)

// temporalPorts are the environment variables of the nine ports the
// server's services listen on (deploy/temporal/config/postgres.yaml).
var temporalPorts = []string{"TEMPORAL_FRONTEND_PORT", "TEMPORAL_FRONTEND_HTTP_PORT", "TEMPORAL_FRONTEND_MEMBERSHIP_PORT",
	"TEMPORAL_HISTORY_PORT", "TEMPORAL_HISTORY_MEMBERSHIP_PORT", "TEMPORAL_MATCHING_PORT", "TEMPORAL_MATCHING_MEMBERSHIP_PORT",
	"TEMPORAL_WORKER_PORT", "TEMPORAL_WORKER_MEMBERSHIP_PORT"}

// StartTemporalPostgres starts the real Temporal server (bin/temporal-server,
// which scripts/temporal-server.sh builds) with PostgreSQL persistence and
// visibility in two new databases on the server DATABASE_URL names (default:
// the local one), set up by the server's own SQL tool, on free loopback
// ports, and waits until its `default` namespace answers. Stop ends it and
// drops both databases. Everything goes through `scripts/temporal-server.sh
// setup` and `start`, the same commands an operator runs.
func StartTemporalPostgres(ctx context.Context) (*TemporalServer, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	for _, b := range []string{"temporal-server", "temporal-sql-tool", "temporal"} {
		if _, err := os.Stat(filepath.Join(root, "bin", b)); err != nil {
			return nil, fmt.Errorf("no %s in bin/: run scripts/temporal-server.sh and scripts/temporal-cli.sh (make test does)", b)
		}
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return nil, err
	}
	pg, err := pgx.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	name := "dealflow_test_temporal_" + hex.EncodeToString(suffix)
	env := append(os.Environ(), "TEMPORAL_PG_HOST="+pg.Host, "TEMPORAL_PG_PORT="+strconv.Itoa(int(pg.Port)),
		"TEMPORAL_PG_USER="+pg.User, "TEMPORAL_PG_PASSWORD="+pg.Password,
		"TEMPORAL_DB="+name, "TEMPORAL_VISIBILITY_DB="+name+"_visibility", "TEMPORAL_LOG_LEVEL=warn")
	ports, err := freePorts(len(temporalPorts))
	if err != nil {
		return nil, err
	}
	for i, v := range temporalPorts {
		env = append(env, v+"="+strconv.Itoa(ports[i]))
	}
	drop := func() {
		for _, n := range []string{name, name + "_visibility"} {
			url, err := db.WithDatabase(cfg.DatabaseURL, n)
			if err == nil {
				err = db.DropDatabase(context.Background(), url)
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "testenv: drop %s: %v\n", n, err)
			}
		}
	}
	setup := exec.CommandContext(ctx, "bash", "scripts/temporal-server.sh", "setup")
	setup.Dir, setup.Env = root, env
	if out, err := setup.CombinedOutput(); err != nil {
		drop()
		return nil, fmt.Errorf("scripts/temporal-server.sh setup: %w\n%s", err, out)
	}
	s := &TemporalServer{Address: "127.0.0.1:" + strconv.Itoa(ports[0]), log: &syncBuffer{}, done: make(chan struct{}),
		args: []string{"bash", "scripts/temporal-server.sh", "start"}, env: env, workDir: root,
		namespace: "default", cleanup: drop}
	if err := s.start(); err != nil {
		drop()
		return nil, fmt.Errorf("scripts/temporal-server.sh start: %w", err)
	}
	if err := s.waitReady(ctx, 90*time.Second); err != nil {
		s.Stop()
		return nil, fmt.Errorf("the Temporal server did not become ready: %w\n%s", err, s.log.String())
	}
	return s, nil
}

// freePorts returns n distinct free loopback ports below 32768 (all held
// open until each is known, so none is handed out twice). The server keeps
// its membership ports in a smallint column (cluster_membership.rpc_port):
// the kernel's ephemeral ports, from 32768 up, do not fit.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	var b [2]byte
	_, _ = rand.Read(b[:])
	next := 20000 + (int(b[0])<<8|int(b[1]))%10000
	for tries := 0; len(ports) < n; tries++ {
		if tries > 2000 {
			return nil, fmt.Errorf("no %d free loopback ports between 20000 and 32767", n)
		}
		port := next
		next++
		if next > 32767 {
			next = 20000
		}
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue
		}
		defer ln.Close()
		ports = append(ports, port)
	}
	return ports, nil
}
