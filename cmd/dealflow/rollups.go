package main

import (
	"context"
	"fmt"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
)

// cmdRollups rebuilds the dashboard rollups from the deals and their events
// (after a bulk load that bypassed the event recording, or to check them).
func cmdRollups(ctx context.Context, e env, args []string) error {
	if len(args) != 1 || args[0] != "rebuild" {
		return fmt.Errorf("%w: dealflow rollups rebuild", errUsage)
	}
	pool, err := db.Connect(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	start := time.Now()
	n, err := dbq.New(pool).DealRollupsRebuild(ctx)
	if err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, "ANALYZE deal_rollups, partner_running"); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "rollups rebuilt: %d rows in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
