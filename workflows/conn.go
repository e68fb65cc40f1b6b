package workflows

import (
	"context"
	"time"

	"go.temporal.io/sdk/client"
)

// Conn is what every context's typed client (workflows/<context>.Client)
// holds: the Temporal client, and how long one call may wait for a
// workflow's answer.
type Conn struct {
	Temporal client.Client
	// Timeout bounds each call (0: as long as its context allows).
	Timeout time.Duration
}

// Bound is ctx limited to one call's Timeout.
func (c Conn) Bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.Timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, c.Timeout)
}
