// Package incentive holds the incentive context's activities: opening a
// cycle, freezing its inputs, accruing its statement lines set-based,
// recording finance's review events, paying partners onto the ledger and
// publishing statements. Each method on Activities is one idempotent step;
// the IncentiveCycle workflow (workflows/incentive/cycle) calls them
// through a nil *Activities.
package incentive

import (
	"sync"
	"time"

	"github.com/dealflow/dealflow/internal/clock"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Activities holds what the cycle's steps need: the PostgreSQL pool, where
// payout files go, how a freeze reads in parallel, and the clock.
type Activities struct {
	Pool *pgxpool.Pool
	// PayoutDir is where payout files for accounts payable are written
	// (empty: none are written; they stay downloadable from the API).
	PayoutDir string
	// FreezeParts is how many connections an incentive cycle's freeze reads
	// the deals table on in parallel (0: DefaultFreezeParts).
	FreezeParts int
	// Clock tells the time recorded on accruals, payouts and statements
	// (nil: the system clock).
	Clock clock.Clock

	// freezing lets one freeze at a time use the pool: a freeze holds a
	// connection while it waits for FreezeParts more, so two at once on a
	// small pool could each hold one and wait for the other's.
	freezeOnce sync.Once
	freezing   chan struct{}
}

// New returns Activities using pool.
func New(pool *pgxpool.Pool) *Activities { return &Activities{Pool: pool} }

// now is the activities' clock's current instant (UTC).
func (a *Activities) now() time.Time { return clock.Or(a.Clock).Now() }
