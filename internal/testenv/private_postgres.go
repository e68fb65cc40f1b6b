package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"time"
)

// PrivatePostgres is a PostgreSQL cluster of a test's own, for tests that
// restart the database (the machine's shared cluster must not be).
type PrivatePostgres struct {
	URL  string // postgres://postgres@127.0.0.1:<port>/postgres
	Port int
	dir  string
	bin  string
	as   []string // run as the postgres user when root
}

// StartPostgres initializes and starts a private cluster on a free port
// with the server binaries installed on the machine.
func StartPostgres(ctx context.Context) (*PrivatePostgres, error) {
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		return nil, fmt.Errorf("no PostgreSQL server binaries under /usr/lib/postgresql (install postgresql)")
	}
	sort.Strings(bins)
	p := &PrivatePostgres{bin: filepath.Dir(bins[len(bins)-1])}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	p.Port = port
	p.URL = "postgres://postgres@127.0.0.1:" + strconv.Itoa(port) + "/postgres?sslmode=disable"
	if p.dir, err = os.MkdirTemp("", "dealflow-pg-"); err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root needs a postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(p.dir, uid, gid); err != nil {
			return nil, err
		}
		p.as = []string{"runuser", "-u", "postgres", "--"}
	}
	if out, err := p.run(ctx, "initdb", "-D", p.dir, "-U", "postgres", "--auth=trust", "--encoding=UTF8"); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	return p, p.Start(ctx)
}

func (p *PrivatePostgres) run(ctx context.Context, tool string, args ...string) ([]byte, error) {
	argv := append(append([]string{}, p.as...), append([]string{filepath.Join(p.bin, tool)}, args...)...)
	return exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
}

// Start starts the cluster (again) and waits until it accepts connections.
func (p *PrivatePostgres) Start(ctx context.Context) error {
	out, err := p.run(ctx, "pg_ctl", "-D", p.dir, "-l", filepath.Join(p.dir, "server.log"), "-w", "-t", "60",
		"-o", "-p "+strconv.Itoa(p.Port)+" -c listen_addresses=127.0.0.1 -k "+p.dir+" -c fsync=on", "start")
	if err != nil {
		return fmt.Errorf("pg_ctl start: %v\n%s", err, out)
	}
	return nil
}

// Restart stops the cluster (fast: open connections are cut) and starts it.
func (p *PrivatePostgres) Restart(ctx context.Context) error {
	if out, err := p.run(ctx, "pg_ctl", "-D", p.dir, "-m", "fast", "-w", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	time.Sleep(200 * time.Millisecond)
	return p.Start(ctx)
}

// Stop stops the cluster and removes it.
func (p *PrivatePostgres) Stop() {
	_, _ = p.run(context.Background(), "pg_ctl", "-D", p.dir, "-m", "immediate", "-w", "stop")
	os.RemoveAll(p.dir)
}
