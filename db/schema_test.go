package db_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A fresh `dealflow migrate` and an upgrade of a database migrated at
// testenv.SchemaV10 end in the same schema: the same tables, columns, defaults,
// constraints, indexes, triggers and function definitions.
func TestFreshAndUpgradedSchemasMatch(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	freshDB, err := testenv.NewDatabase(ctx, "schema_fresh")
	if err != nil {
		t.Fatalf("needs PostgreSQL: %v", err)
	}
	t.Cleanup(freshDB.Close)
	fresh := freshDB.Pool
	// Migrating again changes nothing and re-applies no function file.
	before := catalog(t, ctx, fresh)
	if err := db.Migrate(ctx, fresh, log); err != nil {
		t.Fatal(err)
	}
	if again := catalog(t, ctx, fresh); !slices.Equal(before, again) {
		t.Fatal("a second migrate changed the schema")
	}

	old, err := testenv.MigrationsAt(testenv.SchemaV10)
	if err != nil {
		t.Fatal(err)
	}
	if len(old) != 10 {
		t.Fatalf("found %d migrations at %s, want 10", len(old), testenv.SchemaV10)
	}
	upgradedDB, err := testenv.NewDatabaseAtCommit(ctx, "schema_upgraded", testenv.SchemaV10)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(upgradedDB.Close)
	upgraded := upgradedDB.Pool
	if err := db.Migrate(ctx, upgraded, log); err != nil {
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
	files, err := db.FunctionFiles()
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
	entries, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join("migrations", e.Name()))
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
