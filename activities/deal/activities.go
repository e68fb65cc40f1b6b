// Package deal holds the deal registration context's activities: recording
// a registration and each of its steps (its event, the projection and the
// notifications, in one transaction) and screening it (the partner's
// program and the conflicts the conflict engine finds). Each method on
// Activities is one idempotent step; the DealRegistration workflow
// (workflows/deal/registration) calls them through a nil *Activities.
package deal

import (
	"github.com/dealflow/dealflow/internal/conflicts"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Activities holds what the deal's steps need: the PostgreSQL pool, and
// the conflict finder screening asks (nil: conflicts.Engine on the pool,
// the same engine the API's pre-check uses).
type Activities struct {
	Pool      *pgxpool.Pool
	Conflicts conflicts.Finder
}

// New returns Activities using pool.
func New(pool *pgxpool.Pool) *Activities { return &Activities{Pool: pool} }
