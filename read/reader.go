// Package read is the read layer the JSON API (api) and the console
// (console) share: the views they answer with (DealView, CycleView,
// Explanation, ...) and the queries that assemble them from the
// PostgreSQL projection, each scoped by the caller's organization in SQL.
// Neither the API nor the console reads a deal, a cycle or a statement any
// other way, so the two always show the same thing. Nothing here writes
// a fact: the one write is the dashboard's kept window (KeepDashboardWindow),
// a cache of sums the rollups already hold.
package read

import (
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/workflows/incentive"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Reader runs the read layer's queries.
type Reader struct {
	q    *dbq.Queries
	pool *pgxpool.Pool
	// cycles answers a running cycle's state (CycleState).
	cycles *incentive.Client
}

// New returns a Reader on pool (nil: a Reader that must not be asked, as
// for a server built only to list its routes) that asks running cycles
// through cycles.
func New(pool *pgxpool.Pool, cycles *incentive.Client) *Reader {
	rd := &Reader{pool: pool, cycles: cycles}
	if pool != nil {
		rd.q = dbq.New(pool)
	}
	return rd
}

// Queries is the generated query set the Reader reads through, for the
// lists a caller pages itself (DealList, CycleList, StatementsForPartner).
func (rd *Reader) Queries() *dbq.Queries { return rd.q }
