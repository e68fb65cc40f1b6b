// Package testenv starts the real services dealflow's tests run against: a
// fresh PostgreSQL database per test package and a Temporal dev server built
// from the pinned CLI. When a service cannot start, callers fail their tests;
// they never skip them.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing/fstest"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/internal/config"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

// Database is a freshly created and migrated database, dropped by Close.
type Database struct {
	URL  string
	Pool *pgxpool.Pool
}

// NewDatabase creates a database named after prefix with a random suffix on
// the server DATABASE_URL names (default: the local server), migrates it
// and returns a pool on it.
func NewDatabase(ctx context.Context, prefix string) (*Database, error) {
	url, err := NewDatabaseURL(prefix)
	if err != nil {
		return nil, err
	}
	if err := db.EnsureDatabase(ctx, url); err != nil {
		return nil, fmt.Errorf("create test database (is PostgreSQL running? scripts/postgres.sh starts one): %w", err)
	}
	pool, err := db.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, pool, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		pool.Close()
		return nil, err
	}
	return &Database{URL: url, Pool: pool}, nil
}

// SchemaV10 is the last commit before the SQL functions moved to
// db/functions: a database migrated there is what deployments ran before.
const SchemaV10 = "270317436053758625f05c49a8948f2a0bf6913f"

// NewDatabaseAtCommit is an empty database migrated by db/migrations as
// they were at commit (read from the repository's history with git), for
// tests of an upgrade; db.Migrate brings it up to date.
func NewDatabaseAtCommit(ctx context.Context, prefix, commit string) (*Database, error) {
	old, err := MigrationsAt(commit)
	if err != nil {
		return nil, err
	}
	url, err := NewDatabaseURL(prefix)
	if err != nil {
		return nil, err
	}
	if err := db.EnsureDatabase(ctx, url); err != nil {
		return nil, err
	}
	pool, err := db.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	d := &Database{URL: url, Pool: pool}
	sqlDB := stdlib.OpenDBFromPool(pool)
	defer sqlDB.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, old)
	if err == nil {
		_, err = provider.Up(ctx)
	}
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("migrate as at %s: %w", commit, err)
	}
	return d, nil
}

// MigrationsAt reads db/migrations as they were at commit, from git (the
// tests that need it fail, never skip, without the repository's history).
func MigrationsAt(commit string) (fstest.MapFS, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	out, err := exec.Command("git", "-C", root, "ls-tree", "--name-only", commit, "db/migrations/").Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-tree %s (the test needs the repository's history): %w", commit, err)
	}
	fsys := fstest.MapFS{}
	for _, p := range strings.Fields(string(out)) {
		b, err := exec.Command("git", "-C", root, "show", commit+":"+p).Output()
		if err != nil {
			return nil, fmt.Errorf("git show %s:%s: %w", commit, p, err)
		}
		fsys[path.Base(p)] = &fstest.MapFile{Data: b}
	}
	return fsys, nil
}

// Close closes the pool and drops the database.
func (d *Database) Close() {
	d.Pool.Close()
	if err := db.DropDatabase(context.Background(), d.URL); err != nil {
		fmt.Fprintf(os.Stderr, "testenv: drop %s: %v\n", d.URL, err)
	}
}

// RepoRoot returns the directory holding go.mod, found upwards from the
// working directory (tests run in their package's directory).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/dealflow/dealflow") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no dealflow go.mod above the working directory")
		}
		dir = parent
	}
}

// NewDatabaseURL returns the URL of a database that does not exist yet, on
// the server DATABASE_URL names, for tests of code that creates it.
func NewDatabaseURL(prefix string) (string, error) {
	cfg, err := config.FromEnv()
	if err != nil {
		return "", err
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	return db.WithDatabase(cfg.DatabaseURL, "dealflow_test_"+prefix+"_"+hex.EncodeToString(suffix))
}

// RunWithDatabase is a test package's TestMain body: it creates and
// migrates the package's own database, stores it in *db for the tests, runs
// them and drops the database. It exits non-zero (failing, never skipping)
// when PostgreSQL cannot be had.
func RunWithDatabase(m interface{ Run() int }, prefix string, db **Database) int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	d, err := NewDatabase(ctx, prefix)
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s tests need PostgreSQL: %v\n", prefix, err)
		return 1
	}
	*db = d
	defer d.Close()
	return m.Run()
}
