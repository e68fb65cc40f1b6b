package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dealflow/dealflow/api"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/exports"
)

// errLedgerBroken makes `ledger verify` exit non-zero on a broken ledger
// or lineage.
var errLedgerBroken = fmt.Errorf("the ledger does not verify")

// cmdLedger verifies the incentive ledger or exports it as CSV.
func cmdLedger(ctx context.Context, e env, args []string) error {
	if len(args) != 1 || (args[0] != "verify" && args[0] != "export") {
		return fmt.Errorf("%w: dealflow ledger verify|export", errUsage)
	}
	pool, err := db.Connect(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	q := dbq.New(pool)
	if args[0] == "export" {
		return exports.Ledger(ctx, q, e.stdout)
	}
	rep, err := db.VerifyLedger(ctx, q)
	if err != nil {
		return err
	}
	b, _ := json.MarshalIndent(rep, "", "  ")
	fmt.Fprintln(e.stdout, string(b))
	if !rep.OK {
		fmt.Fprintf(e.stderr, "ledger broken: %s\n", rep.Problem.Error())
		return errLedgerBroken
	}
	var totals []string
	for cur, v := range rep.Totals {
		totals = append(totals, domain.FormatMinor(v, cur)+" "+cur)
	}
	fmt.Fprintf(e.stderr, "ledger verified: %d entries, hash chain intact, debits = credits (%s), head %d %s\n",
		rep.Entries, strings.Join(totals, ", "), rep.HeadSeq, rep.HeadHash)
	lin, err := db.VerifyLineage(ctx, q)
	if err != nil {
		return err
	}
	if !lin.OK {
		for _, f := range lin.FrozenTwice {
			fmt.Fprintf(e.stderr, "lineage broken: program %s froze deal %s as won in cycles %s\n", f.ProgramID, f.DealID,
				strings.Join(f.Cycles, ", "))
		}
		return errLedgerBroken
	}
	fmt.Fprintf(e.stderr, "lineage verified: no deal frozen twice by a program (%d programs with several cycles, %d won inputs compared)\n",
		lin.Programs, lin.WonInputs)
	return nil
}

// cmdOpenAPI prints the OpenAPI description generated from the router.
func cmdOpenAPI(_ context.Context, e env, _ []string) error {
	b, err := json.MarshalIndent(api.NewServer(e.cfg, nil, nil, e.log).OpenAPI(), "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.stdout, string(b))
	return err
}
