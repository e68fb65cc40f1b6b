package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// inboxFirstPage is the manager inbox's first page (dbq.DealInbox with a
// page of 50 at offset 0) as literal SQL, for EXPLAIN.
const inboxFirstPage = `SELECT * FROM deals
WHERE status IN ('conflict_review', 'pending_approval') OR extension_requested
   OR correction_pending_amount IS NOT NULL
ORDER BY sla_due_at NULLS LAST, created_at, id
LIMIT 50 OFFSET 0`

// serverTime runs query n times under EXPLAIN ANALYZE (without per-node
// timing) and returns the server's own planning plus execution time of
// each run: set beside the same query timed from the client, it tells
// whether a tail comes from the database or from around it (the round
// trip, the client, the machine's scheduling).
func serverTime(ctx context.Context, pool *pgxpool.Pool, name, query string, n int) (Figures, error) {
	var ds []time.Duration
	for i := 0; i < n+2; i++ {
		var out []byte
		if err := pool.QueryRow(ctx, "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY, FORMAT JSON) "+query).Scan(&out); err != nil {
			return Figures{}, fmt.Errorf("%s: %w", name, err)
		}
		var plans []struct {
			Planning  float64 `json:"Planning Time"`
			Execution float64 `json:"Execution Time"`
		}
		if err := json.Unmarshal(out, &plans); err != nil || len(plans) != 1 {
			return Figures{}, fmt.Errorf("%s: explain output: %v", name, err)
		}
		if i >= 2 {
			ds = append(ds, time.Duration((plans[0].Planning+plans[0].Execution)*float64(time.Millisecond)))
		}
	}
	return figures(name, ds), nil
}
