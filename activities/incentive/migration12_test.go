package incentive_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/dealflow/dealflow/activities/incentive"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/testenv"
)

// Migration 12 on data written before it: program rules stored with
// product lines as typed are lower-cased (and de-duplicated), and a
// period clawed back the old way (a proportional share) is trued up from
// its revenue as corrected then (the revenue changes are backfilled from
// the lineage).
func TestMigration12OnEarlierData(t *testing.T) {
	ctx := context.Background()
	own, err := testenv.NewDatabaseAtCommit(ctx, "mig12", testenv.SchemaV10)
	if err != nil {
		t.Fatalf("needs PostgreSQL: %v", err)
	}
	t.Cleanup(own.Close)
	// Migration 11 (people) as the release before 12 had it: the test's
	// helpers make users of people; the functions stay migration 10's.
	if err := db.MigrateTo(ctx, own.Pool, 11); err != nil {
		t.Fatal(err)
	}
	a := incentive.New(own.Pool)
	w := newWorld(t, own.Pool, 1)
	w.win(wonDeal{amount: 450_000_000, closed: "2061-01-05"}, wonDeal{amount: 100_000_000, closed: "2061-01-10"},
		wonDeal{amount: 35_000_000, closed: "2061-01-20"})
	prog := w.program(domain.IncentiveRebate,
		`{"mode":"marginal","tiers":[{"above":0,"rate_bp":200},{"above":100000000,"rate_bp":400},{"above":500000000,"rate_bp":600}]}`, "2061-01-01")
	spiff := w.program(domain.IncentiveSpiff, `{"amount":100,"per":"deal"}`, "2061-01-01")
	if _, err := own.Pool.Exec(ctx, `INSERT INTO incentive_program_versions (program_id, version, rules, created_by)
		VALUES ($1, 2, '{"amount":100,"per":"deal","product_lines":["EDR"," edr","Firewall"]}', 'before 12')`, spiff); err != nil {
		t.Fatal(err)
	}
	w.cycle(a, prog, "2061-01-01", "2061-02-01")
	w.correct(w.deals[0], 0)
	feb := w.cycle(a, prog, "2061-02-01", "2061-03-01")
	var old int64
	if err := own.Pool.QueryRow(ctx, `SELECT amount FROM statement_lines WHERE cycle_id = $1 AND kind = 'clawback'`, feb).Scan(&old); err != nil || old != -17_769_231 {
		t.Fatalf("the old clawback (231,000.00 × 4.5 / 5.85): %d %v", old, err)
	}

	if err := db.Migrate(ctx, own.Pool, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	var lines string
	if err := own.Pool.QueryRow(ctx, `SELECT rules->>'product_lines' FROM incentive_program_versions WHERE program_id = $1 AND version = 2`,
		spiff).Scan(&lines); err != nil || lines != `["edr", "firewall"]` {
		t.Fatalf("product lines after the migration: %s %v", lines, err)
	}
	w.correct(w.deals[1], 60_000_000)
	mar := w.cycle(a, prog, "2061-03-01", "2061-04-01")
	// January's revenue as corrected in February (1,350,000.00) less
	// 400,000.00: 34,000.00 → 19,000.00.
	if got := strings.Join(w.trueUps(mar), "|"); got != "0:clawback:-1500000:135000000→95000000:3400000→1900000:1" {
		t.Fatalf("march %q", got)
	}
}
