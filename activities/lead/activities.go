// Package lead holds the lead distribution context's activities: recording
// a lead and each of its steps (event, projection and offers in one
// transaction), reading its program's lead policy, routing it among the
// program's partners, and turning an accepted lead into a vendor-sourced
// registration through the deal context's typed client (so screening and
// the conflict engine are the deal context's own, not a copy). Each method
// on Activities is one idempotent step of the LeadDistribution workflow
// (workflows/lead/distribution).
package lead

import (
	"context"

	"github.com/dealflow/dealflow/internal/conflicts"
	"github.com/dealflow/dealflow/workflows/deal"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Registrar is what a lead needs of the deal context: submitting a
// registration (Update-with-Start, idempotent by key) and sending it a
// step. *deal.Client is one.
type Registrar interface {
	Submit(ctx context.Context, in deal.Input) (deal.State, error)
	Step(ctx context.Context, workflowID, update string, arg any) (deal.State, error)
}

// Activities holds what the lead's steps need: the PostgreSQL pool and
// the deal context's client.
type Activities struct {
	Pool  *pgxpool.Pool
	Deals Registrar
	// Conflicts screens referred leads (nil: conflicts.Engine on Pool).
	Conflicts conflicts.Finder
}

// New returns Activities on pool, registering accepted leads through deals.
func New(pool *pgxpool.Pool, deals Registrar) *Activities {
	return &Activities{Pool: pool, Deals: deals}
}
