package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/dealflow/dealflow/bench"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/internal/temporalx"
)

// cmdSeed fills a benchmark database with synthetic data.
func cmdSeed(ctx context.Context, e env, args []string) error {
	fs := flagsFor("seed")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	o := bench.SeedOptions{}
	get := func(name string) int {
		var n int
		fmt.Sscan(fs.Lookup(name).Value.String(), &n)
		return n
	}
	o.Deals, o.Accounts, o.Partners = get("synthetic"), get("accounts"), get("partners")
	o.Seed = uint64(get("seed"))
	o.Force = fs.Lookup("force").Value.String() == "true"
	o.Won = fs.Lookup("won").Value.String() == "true"
	if fs.Lookup("fix-won").Value.String() == "true" {
		if err := migrate(ctx, e, true); err != nil {
			return err
		}
		pool, err := db.Connect(ctx, e.cfg.DatabaseURL)
		if err != nil {
			return err
		}
		defer pool.Close()
		n, err := bench.FixWon(ctx, pool, e.log)
		if err == nil {
			fmt.Fprintf(e.stderr, "closed-won deals given a won outcome: %d\n", n)
		}
		return err
	}
	if o.Deals <= 0 {
		return fmt.Errorf("%w: --synthetic N (registrations to create) is required", errUsage)
	}
	if o.Accounts < 0 {
		o.Accounts = o.Deals
		if o.Won {
			o.Accounts = 0
		}
	}
	if err := migrate(ctx, e, true); err != nil {
		return err
	}
	pool, err := db.Connect(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	return bench.Seed(ctx, pool, o, e.log)
}

// cmdBench runs a benchmark and prints its figures beside their baseline.
func cmdBench(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || (args[0] != "conflicts" && args[0] != "incentives" && args[0] != "intake" && args[0] != "quote-approve" && args[0] != "queries" && args[0] != "notify" && args[0] != "mapping" && args[0] != "leads" && args[0] != "pullback") {
		return fmt.Errorf("%w: dealflow bench conflicts|incentives|intake|quote-approve|queries|notify|mapping|leads|pullback [flags]", errUsage)
	}
	fs := flagsFor("bench")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	var queries, warmup int
	fmt.Sscan(fs.Lookup("queries").Value.String(), &queries)
	fmt.Sscan(fs.Lookup("warmup").Value.String(), &warmup)
	pool, err := db.Connect(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	var rep interface{ Table() string }
	switch args[0] {
	case "intake", "quote-approve":
		var n, conc int
		fmt.Sscan(fs.Lookup("n").Value.String(), &n)
		fmt.Sscan(fs.Lookup("concurrency").Value.String(), &conc)
		tc, terr := temporalx.Dial(ctx, e.cfg, e.log)
		if terr != nil {
			return terr
		}
		defer tc.Close()
		o := bench.IntakeOptions{APIURL: fs.Lookup("api").Value.String(), Token: fs.Lookup("token").Value.String(), N: n, Concurrency: conc}
		if args[0] == "intake" {
			rep, err = bench.Intake(ctx, pool, tc, o, e.log)
		} else {
			rep, err = bench.QuoteApprove(ctx, pool, tc, o, e.log)
		}
	case "leads", "pullback":
		rep, err = benchLeads(ctx, e, pool, args[0], fs)
	case "notify":
		var n int
		var rate float64
		fmt.Sscan(fs.Lookup("n").Value.String(), &n)
		fmt.Sscan(fs.Lookup("rate").Value.String(), &rate)
		rep, err = bench.Notify(ctx, pool, bench.NotifyOptions{MailpitURL: fs.Lookup("mailpit").Value.String(),
			SMTPAddr: e.cfg.SMTPAddr, N: n, Rate: max(rate, 0.1)}, e.log)
	case "mapping":
		o := bench.MappingOptions{Seed: 11}
		for name, dst := range map[string]*int{"partner-accounts": &o.PartnerAccounts, "vendor-accounts": &o.VendorAccounts,
			"opportunities": &o.Opportunities, "partners": &o.Partners, "changes": &o.Changes, "reps": &o.Reps} {
			fmt.Sscan(fs.Lookup(name).Value.String(), dst)
		}
		if o.Partners == 0 {
			o.Partners = 20
		}
		rep, err = bench.Mapping(ctx, pool, o, e.log)
	case "queries":
		var reps int
		fmt.Sscan(fs.Lookup("reps").Value.String(), &reps)
		rep, err = bench.Queries(ctx, pool, max(reps, 20))
	case "incentives":
		var reps int
		fmt.Sscan(fs.Lookup("reps").Value.String(), &reps)
		rep, err = bench.Incentives(ctx, pool, bench.IncentiveOptions{Reps: reps, FreezeParts: e.cfg.FreezeParts}, e.log)
	default:
		rep, err = bench.Conflicts(ctx, pool, bench.ConflictOptions{Queries: queries, Warmup: warmup, Seed: 7}, e.log)
	}
	if err != nil {
		return err
	}
	fmt.Fprint(e.stdout, rep.Table())
	if path := fs.Lookup("json").Value.String(); path != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		return os.WriteFile(path, append(b, '\n'), 0o644)
	}
	return nil
}
