package bench

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"
)

// Synthetic wins carry a won outcome the way a real win does, and FixWon
// gives a database seeded without them exactly the seeder's; the --won
// incentive data keeps its own.
func TestSeedWonOutcome(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pool := testDB.Pool
	// The package's other seeding test finds the database as it left it.
	t.Cleanup(func() { pool.Exec(context.Background(), "TRUNCATE deals, partners, users, accounts CASCADE") }) //nolint:errcheck
	if _, err := pool.Exec(ctx, "TRUNCATE deals, partners, users, accounts CASCADE"); err != nil {
		t.Fatal(err)
	}
	if err := Seed(ctx, pool, SeedOptions{Deals: 2000, Accounts: 10, Partners: 20, Seed: 5}, log); err != nil {
		t.Fatal(err)
	}
	var won, withOutcome, bad, others int
	if err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'closed_won'),
	        count(*) FILTER (WHERE status = 'closed_won' AND won_amount > 0 AND won_currency = currency
	            AND won_product_lines = product_lines AND won_units BETWEEN 1 AND 20),
	        count(*) FILTER (WHERE status = 'closed_won' AND NOT (
	            won_amount BETWEEN amount * 75 / 100 AND amount * 110 / 100
	            AND closed_on >= (created_at AT TIME ZONE 'UTC')::date
	            AND date_trunc('month', closed_on) = date_trunc('month', created_at AT TIME ZONE 'UTC'))),
	        count(*) FILTER (WHERE status <> 'closed_won' AND num_nonnulls(won_amount, won_currency, won_units, closed_on) > 0)
	    FROM deals`).Scan(&won, &withOutcome, &bad, &others); err != nil {
		t.Fatal(err)
	}
	if won < 100 || withOutcome != won || bad != 0 || others != 0 {
		t.Fatalf("closed-won %d, with an outcome %d, out of their period or range %d, others with one %d", won, withOutcome, bad, others)
	}
	// The dashboard's won figures come from them.
	var rolled int64
	if err := pool.QueryRow(ctx, "SELECT coalesce(sum(won_amount), 0) FROM partner_rollups").Scan(&rolled); err != nil || rolled == 0 {
		t.Fatalf("won in the rollups %d, %v", rolled, err)
	}

	// Without their outcome (as seeded before), FixWon writes the same.
	if _, err := pool.Exec(ctx, "CREATE TEMP TABLE seeded AS SELECT id, won_amount, won_currency, won_product_lines, won_units, closed_on FROM deals"); err != nil {
		t.Fatal(err)
	}
	if n, err := FixWon(ctx, pool, log); err != nil || n != 0 {
		t.Fatalf("FixWon on a fresh seed changed %d, %v", n, err)
	}
	if _, err := pool.Exec(ctx, `UPDATE deals SET won_amount = NULL, won_currency = NULL, won_product_lines = NULL,
	        won_units = NULL, closed_on = NULL WHERE status = 'closed_won'`); err != nil {
		t.Fatal(err)
	}
	if n, err := FixWon(ctx, pool, log); err != nil || n != int64(won) {
		t.Fatalf("FixWon changed %d of %d, %v", n, won, err)
	}
	var differ int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM deals d JOIN seeded s USING (id)
	    WHERE (d.won_amount, d.won_currency, d.won_product_lines, d.won_units, d.closed_on)
	          IS DISTINCT FROM (s.won_amount, s.won_currency, s.won_product_lines, s.won_units, s.closed_on)`).Scan(&differ); err != nil || differ != 0 {
		t.Fatalf("%d deals differ from the seeder's outcome, %v", differ, err)
	}
	var after int64
	if err := pool.QueryRow(ctx, "SELECT coalesce(sum(won_amount), 0) FROM partner_rollups").Scan(&after); err != nil || after != rolled {
		t.Fatalf("won in the rebuilt rollups %d, want %d, %v", after, rolled, err)
	}

	// The incentive data keeps its Q3 wins.
	if _, err := pool.Exec(ctx, "TRUNCATE deals, partners, users, accounts CASCADE"); err != nil {
		t.Fatal(err)
	}
	if err := Seed(ctx, pool, SeedOptions{Deals: 200, Accounts: 0, Partners: 5, Seed: 5, Won: true}, log); err != nil {
		t.Fatal(err)
	}
	var inQ3 int
	end := WonQuarter.AddDate(0, 3, 0)
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM deals WHERE status = 'closed_won' AND won_amount > 0 AND closed_on >= $1 AND closed_on < $2",
		WonQuarter, end).Scan(&inQ3); err != nil || inQ3 != 200 {
		t.Fatalf("--won deals in Q3 %d, %v", inQ3, err)
	}
}

// The won outcome stays in the deal's month, at month ends too.
func TestSyntheticWon(t *testing.T) {
	for _, c := range []time.Time{
		time.Date(2026, 1, 31, 23, 59, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC), time.Date(2026, 11, 15, 8, 0, 0, 0, time.UTC),
	} {
		for _, amount := range []int64{1000_00, 1234_56, 500_999_99, 77_777_77} {
			won, units, closed := syntheticWon(amount, c)
			if won < amount*75/100 || won > amount*110/100 || units < 1 || units > 20 ||
				closed.Before(c.Truncate(24*time.Hour)) || closed.Month() != c.Month() || closed.Year() != c.Year() {
				t.Fatalf("syntheticWon(%d, %s) = %d, %d, %s", amount, c, won, units, closed)
			}
		}
	}
}
