package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/internal/crm"
)

// cmdImport upserts CRM accounts or opportunities from a CSV file ("-" for
// stdin). Every bad row is reported on stderr and nothing is written; on
// success stdout says what was inserted and updated.
func cmdImport(ctx context.Context, e env, args []string) error {
	if len(args) != 2 || (args[0] != "accounts" && args[0] != "opportunities") {
		return fmt.Errorf("%w: dealflow import accounts|opportunities FILE (CSV with a header; - reads stdin)", errUsage)
	}
	var in io.Reader = os.Stdin
	if args[1] != "-" {
		f, err := os.Open(args[1])
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	pool, err := db.Connect(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	var res crm.Result
	var rowErrs []crm.RowError
	if args[0] == "accounts" {
		rows, csvErrs, err := crm.ReadAccountsCSV(in)
		if err != nil {
			return fmt.Errorf("%s: %w", args[1], err)
		}
		if rowErrs = csvErrs; len(rowErrs) == 0 {
			res, rowErrs, err = crm.UpsertAccounts(ctx, pool, rows)
		}
		if err != nil {
			return err
		}
	} else {
		rows, csvErrs, err := crm.ReadOpportunitiesCSV(in)
		if err != nil {
			return fmt.Errorf("%s: %w", args[1], err)
		}
		if rowErrs = csvErrs; len(rowErrs) == 0 {
			res, rowErrs, err = crm.UpsertOpportunities(ctx, pool, rows)
		}
		if err != nil {
			return err
		}
	}
	if len(rowErrs) > 0 {
		for _, re := range rowErrs {
			fmt.Fprintln(e.stderr, re.Error())
		}
		return fmt.Errorf("%d bad row(s); nothing was imported", len(rowErrs))
	}
	fmt.Fprintf(e.stdout, "%s: %d inserted, %d updated\n", args[0], res.Inserted, res.Updated)
	return nil
}
