package bench

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/dealflow/dealflow/internal/testenv"
)

var testDB *testenv.Database

// TestMain gives this package its own migrated database on the real
// PostgreSQL, and fails (never skips) when it cannot.
func TestMain(m *testing.M) { os.Exit(testenv.RunWithDatabase(m, "bench", &testDB)) }

// The seeder and the conflict benchmark work end to end on a small data
// set (the figures themselves are for `dealflow bench`, not for tests).
func TestSeedAndConflictBenchmark(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := Seed(ctx, testDB.Pool, SeedOptions{Deals: 3000, Accounts: 3000, Partners: 20, Seed: 3}, log); err != nil {
		t.Fatal(err)
	}
	rep, err := Conflicts(ctx, testDB.Pool, ConflictOptions{Queries: 60, Warmup: 5, Seed: 3}, log)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Deals != 3000 || rep.Accounts != 3000 || rep.Engine.N != 60 || rep.Matched == 0 || rep.Engine.P50 <= 0 {
		t.Fatalf("report = %+v", rep)
	}
	if !strings.Contains(rep.Table(), "ratio engine/baseline") {
		t.Fatalf("table = %s", rep.Table())
	}
	// The read-side benchmark times the dashboard from the rollups (which
	// the seeder rebuilt) beside the full aggregation.
	qr, err := Queries(ctx, testDB.Pool, 2)
	if err != nil {
		t.Fatal(err)
	}
	if tbl := qr.Table(); !strings.Contains(tbl, "dashboard (rollups): by month") || !strings.Contains(tbl, "dashboard (full): by month") {
		t.Fatalf("queries table = %s", tbl)
	}
	var rolled int64
	if err := testDB.Pool.QueryRow(ctx, "SELECT coalesce(sum(deals), 0) FROM deal_rollups WHERE dim = 'all'").Scan(&rolled); err != nil || rolled != 3000 {
		t.Fatalf("rollups count %d deals, %v", rolled, err)
	}
	// Seeding refuses a database with real deals unless forced.
	if _, err := testDB.Pool.Exec(ctx, "UPDATE deals SET workflow_id = 'deal/x' WHERE id = (SELECT id FROM deals LIMIT 1)"); err != nil {
		t.Fatal(err)
	}
	if err := Seed(ctx, testDB.Pool, SeedOptions{Deals: 1}, log); err == nil {
		t.Fatal("seeded a database holding real deals")
	}
}

// Synthetic names and their variants look like what people type.
func TestSyntheticNames(t *testing.T) {
	seen := map[string]bool{}
	r := newRand(1)
	for i := 0; i < 1000; i++ {
		name, dom := syntheticCompany(r)
		if name == "" || !strings.Contains(dom, ".") {
			t.Fatalf("%q %q", name, dom)
		}
		seen[name] = true
		if v := variant(r, name); v == "" {
			t.Fatalf("empty variant of %q", name)
		}
	}
	if len(seen) < 900 {
		t.Fatalf("only %d distinct names in 1000", len(seen))
	}
}
