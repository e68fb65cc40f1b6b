package db

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/dealflow/dealflow/internal/config"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

// schemaV10 is the last commit before the functions moved to db/functions:
// a database migrated there is what deployments run today.
const schemaV10 = "270317436053758625f05c49a8948f2a0bf6913f"

// A fresh `dealflow migrate` and an upgrade of a database migrated at
// schemaV10 end in the same schema: the same tables, columns, defaults,
// constraints, indexes, triggers and function definitions.
func TestFreshAndUpgradedSchemasMatch(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	fresh := scratchDatabase(t, ctx, "fresh")
	if err := Migrate(ctx, fresh, log); err != nil {
		t.Fatal(err)
	}
	// Migrating again changes nothing and re-applies no function file.
	before := catalog(t, ctx, fresh)
	if err := Migrate(ctx, fresh, log); err != nil {
		t.Fatal(err)
	}
	if again := catalog(t, ctx, fresh); !slices.Equal(before, again) {
		t.Fatal("a second migrate changed the schema")
	}

	upgraded := scratchDatabase(t, ctx, "upgraded")
	old := migrationsAt(t, schemaV10)
	if len(old) != 10 {
		t.Fatalf("found %d migrations at %s, want 10", len(old), schemaV10)
	}
	sqlDB := stdlib.OpenDBFromPool(upgraded)
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.Up(ctx); err != nil {
		t.Fatalf("migrate at %s: %v", schemaV10, err)
	}
	_ = sqlDB.Close()
	if err := Migrate(ctx, upgraded, log); err != nil {
		t.Fatalf("upgrade: %v", err)
	}

	a, b := catalog(t, ctx, fresh), catalog(t, ctx, upgraded)
	for _, l := range a {
		if !slices.Contains(b, l) {
			t.Errorf("only in the fresh schema: %s", l)
		}
	}
	for _, l := range b {
		if !slices.Contains(a, l) {
			t.Errorf("only in the upgraded schema: %s", l)
		}
	}
	if len(a) < 100 {
		t.Fatalf("the catalog listed only %d objects", len(a))
	}
}

// Every function db/functions defines is defined there once, and no
// versioned migration defines it.
func TestFunctionsDefinedOnce(t *testing.T) {
	files, err := FunctionFiles()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, f := range files {
		for _, name := range definedFunctions(f.SQL) {
			if prev, ok := seen[name]; ok {
				t.Errorf("%s is defined in functions/%s and functions/%s", name, prev, f.Name)
			}
			seen[name] = f.Name
		}
	}
	entries, err := migrations.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, _ := migrations.ReadFile("migrations/" + e.Name())
		for _, name := range definedFunctions(string(b)) {
			if f, ok := seen[name]; ok {
				t.Errorf("migrations/%s defines %s, which functions/%s keeps", e.Name(), name, f)
			}
		}
	}
}

func definedFunctions(sql string) []string {
	var out []string
	for _, l := range strings.Split(sql, "\n") {
		l = strings.TrimSpace(l)
		for _, p := range []string{"CREATE OR REPLACE FUNCTION ", "CREATE FUNCTION "} {
			if rest, ok := strings.CutPrefix(l, p); ok {
				out = append(out, strings.TrimSpace(rest[:strings.Index(rest+"(", "(")]))
			}
		}
	}
	return out
}

// scratchDatabase creates an empty database dropped after the test.
func scratchDatabase(t *testing.T, ctx context.Context, name string) *pgxpool.Pool {
	t.Helper()
	url, err := WithDatabase(testURL(t), "dealflow_test_schema_"+name+"_"+time.Now().Format("150405.000000")[7:])
	if err != nil {
		t.Fatal(err)
	}
	if err := EnsureDatabase(ctx, url); err != nil {
		t.Fatal(err)
	}
	pool, err := Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pool.Close()
		if err := DropDatabase(context.Background(), url); err != nil {
			t.Log(err)
		}
	})
	return pool
}

// migrationsAt reads db/migrations as it was at commit, from git.
func migrationsAt(t *testing.T, commit string) fstest.MapFS {
	t.Helper()
	root := repoRoot(t)
	out, err := exec.Command("git", "-C", root, "ls-tree", "--name-only", commit, "db/migrations/").Output()
	if err != nil {
		t.Fatalf("git ls-tree %s (the test needs the repository's history): %v", commit, err)
	}
	fsys := fstest.MapFS{}
	for _, p := range strings.Fields(string(out)) {
		b, err := exec.Command("git", "-C", root, "show", commit+":"+p).Output()
		if err != nil {
			t.Fatalf("git show %s:%s: %v", commit, p, err)
		}
		fsys[path.Base(p)] = &fstest.MapFile{Data: b}
	}
	return fsys
}

// catalog lists the public schema's objects, one line each, sorted.
func catalog(t *testing.T, ctx context.Context, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(ctx, `
SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
       || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'table ' || c.relname || ' ' || c.relkind::text || coalesce(' ' || array_to_string(c.reloptions, ','), '')
FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
UNION ALL
SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL
SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
UNION ALL
SELECT 'function ' || p.oid::regprocedure || ' ' || md5(pg_get_functiondef(p.oid))
FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prokind IN ('f', 'p')
ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func testURL(t *testing.T) string {
	t.Helper()
	cfg, err := config.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	return cfg.DatabaseURL
}

// repoRoot is the directory holding go.mod, upwards from the package's.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = filepath.Dir(dir)
	}
}
