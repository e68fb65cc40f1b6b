package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/dealflow/dealflow/bench"
	"github.com/dealflow/dealflow/internal/temporalx"
	"github.com/jackc/pgx/v5/pgxpool"
)

// benchLeads runs `dealflow bench leads` (import and route beside the bare
// workflow) or `dealflow bench pullback` (accept deadlines' lateness).
func benchLeads(ctx context.Context, e env, pool *pgxpool.Pool, which string, fs *flag.FlagSet) (interface{ Table() string }, error) {
	o := bench.LeadsOptions{APIURL: fs.Lookup("api").Value.String(), Token: fs.Lookup("token").Value.String()}
	for name, p := range map[string]*int{"n": &o.N, "batch": &o.Batch, "concurrency": &o.Concurrency, "bare-n": &o.BareN, "partners": &o.Partners} {
		fmt.Sscan(fs.Lookup(name).Value.String(), p)
	}
	if o.Partners == 0 {
		o.Partners = 10
	}
	var err error
	if o.DueWindow, err = time.ParseDuration(fs.Lookup("due-window").Value.String()); err != nil {
		return nil, fmt.Errorf("%w: --due-window: %v", errUsage, err)
	}
	if which == "pullback" {
		return bench.Pullback(ctx, pool, o, e.log)
	}
	tc, err := temporalx.Dial(ctx, e.cfg, e.log)
	if err != nil {
		return nil, err
	}
	defer tc.Close()
	return bench.Leads(ctx, pool, tc, o, e.log)
}
