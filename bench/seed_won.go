package bench

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// syntheticWon is the outcome of a synthetic closed-won deal (outside the
// --won incentive data): what a real win records on the deal (won amount
// and units, its currency and product lines, the close date). It is a
// function of the deal's own amount and creation time, not of the random
// stream, so the other columns (and the other benchmarks' data) stay as
// they were, and fixWonSQL computes the same figures in SQL: 75–110 % of the
// registered amount, 1–20 units, closed on a day from its creation to the
// end of its month (the month its rollups count it in).
func syntheticWon(amount int64, created time.Time) (won, units int64, closed time.Time) {
	c := created.UTC()
	day := time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, time.UTC)
	left := int64(time.Date(c.Year(), c.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day() - c.Day() + 1)
	return amount * (75 + amount%36) / 100, 1 + (amount/7)%20, day.AddDate(0, 0, int((amount/100)%left))
}

// fixWonSQL gives synthetic closed-won deals seeded without a won outcome
// (before syntheticWon) the one the seeder now writes. It leaves deals that
// have one (real ones, the --won data) alone.
const fixWonSQL = `
UPDATE deals d SET
    won_amount = d.amount * (75 + d.amount % 36) / 100,
    won_currency = d.currency,
    won_product_lines = d.product_lines,
    won_units = 1 + (d.amount / 7) % 20,
    closed_on = (d.created_at AT TIME ZONE 'UTC')::date + ((d.amount / 100) %
        ((date_trunc('month', d.created_at AT TIME ZONE 'UTC') + interval '1 month')::date
         - (d.created_at AT TIME ZONE 'UTC')::date))::int
WHERE d.status = 'closed_won' AND d.won_amount IS NULL AND d.workflow_id LIKE 'synthetic/%'`

// FixWon brings a database seeded before the synthetic wins had a won
// outcome to what Seed writes now (`dealflow seed --fix-won`): the
// closed-won deals get theirs, the table is vacuumed and analysed, and the
// dashboard rollups (the top partners' kept window too) are rebuilt from
// the deals, as `dealflow rollups rebuild` does. It returns the deals it
// changed; again it changes none.
func FixWon(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) (int64, error) {
	start := time.Now()
	tag, err := pool.Exec(ctx, fixWonSQL)
	if err != nil {
		return 0, fmt.Errorf("fix won: %w", err)
	}
	log.Info("closed-won deals given their won outcome", "rows", tag.RowsAffected(), "took", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	for _, stmt := range []string{"VACUUM (ANALYZE) deals", "SELECT deal_rollups_rebuild()", "ANALYZE deal_rollups",
		"ANALYZE partner_rollups", "ANALYZE partner_window_totals", "ANALYZE partner_window_won"} {
		if _, err := pool.Exec(ctx, stmt); err != nil {
			return 0, fmt.Errorf("%s: %w", stmt, err)
		}
	}
	log.Info("deals vacuumed and rollups rebuilt", "took", time.Since(start).Round(time.Millisecond))
	return tag.RowsAffected(), nil
}
