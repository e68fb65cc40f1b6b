package main

import (
	"context"
	"fmt"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/internal/crm"
)

// cmdMapping rebuilds every account overlap (after a bulk load that set
// dealflow.mapping_defer, or to check the incremental map).
func cmdMapping(ctx context.Context, e env, args []string) error {
	if len(args) != 1 || args[0] != "rebuild" {
		return fmt.Errorf("%w: dealflow mapping rebuild", errUsage)
	}
	pool, err := db.Connect(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	start := time.Now()
	n, err := crm.MapAll(ctx, pool)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "account map rebuilt: %d overlaps in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
