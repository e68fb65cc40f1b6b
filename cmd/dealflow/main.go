// Command dealflow is the deal registration and incentive engine: one
// binary whose subcommands serve the API, run the Temporal worker, migrate
// the database and administer partners and tokens. Run `dealflow --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	startPprof(os.Getenv("DEALFLOW_PPROF_ADDR"), os.Stderr)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
