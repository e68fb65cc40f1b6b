package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/clock"
)

// cmdPartnerUpdate changes a partner's type, tier or program as PATCH
// /v1/partners/{id} does: each change a partner event with the CLI as
// actor and the reason, so the tier history is kept.
func cmdPartnerUpdate(ctx context.Context, e env, args []string) error {
	fs, err := parseFlags("partner update", args)
	if err != nil {
		return err
	}
	id, err := requiredID("id", fs.Lookup("id").Value.String(), "partner")
	if err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	ch := db.PartnerChange{Reason: strings.TrimSpace(fs.Lookup("reason").Value.String()), ActorName: cliActorName, At: clock.System{}.Now()}
	if given["type"] {
		typ := fs.Lookup("type").Value.String()
		if !domain.PartnerType(typ).Valid() {
			return fmt.Errorf("%w: --type must be one of %s", errUsage, joinTypes())
		}
		ch.Type = &typ
	}
	if given["tier"] {
		tier := domain.NormalizeTier(fs.Lookup("tier").Value.String())
		if tier == "" || len(tier) > 50 {
			return fmt.Errorf("%w: --tier must be 1 to 50 characters", errUsage)
		}
		ch.Tier = &tier
	}
	if given["program"] {
		prog, err := optionalID("program", fs.Lookup("program").Value.String(), "program")
		if err != nil {
			return err
		}
		ch.Program = &prog
	}
	switch {
	case ch.Type == nil && ch.Tier == nil && ch.Program == nil:
		return fmt.Errorf("%w: nothing to change: give --type, --tier or --program", errUsage)
	case ch.Reason == "" || len(ch.Reason) > 2000:
		return fmt.Errorf("%w: --reason is required (at most 2000 characters)", errUsage)
	}
	pool, err := db.Connect(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if ch.Program != nil && ch.Program.Valid {
		if _, err := dbq.New(pool).ProgramGet(ctx, ch.Program.UUID); db.IsNotFound(err) {
			return fmt.Errorf("no program with id %s", ch.Program.UUID)
		} else if err != nil {
			return err
		}
	}
	p, err := db.UpdatePartner(ctx, pool, id, ch)
	if db.IsNotFound(err) {
		return fmt.Errorf("no partner with id %s", id)
	}
	if err != nil {
		return err
	}
	program := "none"
	if p.ProgramID.Valid {
		program = p.ProgramID.UUID.String()
	}
	fmt.Fprintln(e.stdout, p.ID)
	fmt.Fprintf(e.stderr, "partner %s (%s): type %s, tier %s, program %s\n", p.ID, p.Name, p.Type, p.Tier, program)
	e.log.Info("partner updated", "id", p.ID, "type", p.Type, "tier", p.Tier, "program", program, "actor", cliActorName, "reason", ch.Reason)
	return nil
}
