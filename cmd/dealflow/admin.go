package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/tokens"
	"github.com/google/uuid"
)

// flagsFor returns the flag set of a subcommand that takes flags, for
// parsing and for its help.
func flagsFor(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	switch name {
	case "partner", "partner create":
		fs.String("name", "", "the partner organization's name (required)")
		fs.String("type", "", "one of "+joinTypes())
		fs.String("tier", "registered", "program tier, e.g. registered, silver, gold, platinum")
		fs.String("program", "", "partner program id (default: the default program)")
	case "token", "token create":
		fs.String("role", "", "one of "+joinRoles())
		fs.String("partner", "", "partner id (required for partner_user and partner_admin, refused otherwise)")
		fs.String("email", "", "the e-mail of the person who holds the token (required unless --service); tokens of one e-mail are one person")
		fs.String("name", "", "the person's name (default: as known, or the e-mail), or the service's (required with --service); recorded as the actor")
		fs.Bool("service", false, "a token for an integration (a CRM, an ERP): no person, never counted as an approver")
	case "token revoke":
		fs.String("id", "", "the id of the token to revoke (printed on stderr when it was created; dealflow token list)")
		fs.String("token", "", "the token itself (- reads it from stdin), when its id is not at hand")
	case "token list":
	case "partner update":
		fs.String("id", "", "the partner's id (required)")
		fs.String("type", "", "the new type, one of "+joinTypes())
		fs.String("tier", "", "the new program tier, e.g. registered, silver, gold, platinum")
		fs.String("program", "", "the new partner program id (none: no program)")
		fs.String("reason", "", "why (required); recorded with each change in the partner's events")
	case "user invite":
		fs.String("email", "", "the invitee's e-mail (required); the link is e-mailed there")
		fs.String("name", "", "the invitee's name (required)")
		fs.String("role", "", "one of "+joinRoles()+" (required)")
		fs.String("partner", "", "partner id (required for partner_user and partner_admin, refused otherwise)")
		fs.String("console-url", "", "the console's base URL the link starts with (default: DEALFLOW_CONSOLE_URL, else "+defaultConsoleURL+")")
	case "user list":
		fs.String("partner", "", "list this partner's users (default: the vendor's own)")
	case "user deactivate":
		fs.String("id", "", "the user's id (required; dealflow user list)")
	case "migrate":
		fs.Bool("skip-temporal", false, "only migrate PostgreSQL; leave Temporal search attributes alone")
	case "seed":
		fs.Int("synthetic", 0, "synthetic registrations to create (required), e.g. 1000000")
		fs.Int("accounts", -1, "synthetic accounts to create (default: as many as registrations)")
		fs.Int("partners", 1000, "synthetic partners the registrations belong to")
		fs.Int("seed", 1, "random seed, for reproducible data")
		fs.Bool("force", false, "seed even though the database holds real deals")
		fs.Bool("won", false, "make every deal closed-won in Q3 2026 (the incentive benchmark's data); no accounts unless --accounts")
		fs.Bool("fix-won", false, "instead of seeding: give the closed-won deals of a database seeded before they had a won outcome the one the seeder writes now, and rebuild the rollups")
	case "bench":
		fs.Int("queries", 2000, "measured queries")
		fs.Int("warmup", 200, "queries run first and not measured")
		fs.String("json", "", "also write the figures as JSON to this file")
		fs.Int("reps", 3, "incentives, mapping: repetitions of each measurement (the median is reported)")
		fs.String("api", "http://127.0.0.1:8080", "intake: the running dealflow API (comma-separated: several, in turn)")
		fs.String("token", "", "intake: a partner token of that API")
		fs.Int("n", 1000, "intake: submissions per measurement; notify: notifications measured")
		fs.Int("concurrency", 50, "intake: submissions in flight")
		fs.String("mailpit", "http://127.0.0.1:8025", "notify: the Mailpit API the stack's DEALFLOW_SMTP_ADDR delivers to")
		fs.Float64("rate", 20, "notify: notifications (and bare mails) written a second")
		fs.Int("partner-accounts", 100_000, "mapping: partner accounts to map")
		fs.Int("vendor-accounts", 1_000_000, "mapping: the vendor's CRM accounts")
		fs.Int("opportunities", 50_000, "mapping: the vendor's open opportunities")
		fs.Int("partners", 0, "mapping: partners the partner accounts belong to (0: 20); leads, pullback: partners the leads are offered to (0: 10)")
		fs.Int("changes", 1000, "mapping: accounts changed for the incremental re-map")
		fs.Int("batch", 100, "leads, pullback: leads to an import file (--concurrency files in flight)")
		fs.Int("bare-n", 2000, "leads: bare workflows measured")
		fs.Duration("due-window", 0, "pullback: the accept deadlines fall due evenly over this window (0: at the pace the leads were imported)")
	default:
		return nil
	}
	return fs
}

func joinTypes() string {
	s := make([]string, len(domain.PartnerTypes))
	for i, t := range domain.PartnerTypes {
		s[i] = string(t)
	}
	return strings.Join(s, "|")
}

func joinRoles() string {
	s := make([]string, len(domain.TokenRoles))
	for i, r := range domain.TokenRoles {
		s[i] = string(r)
	}
	return strings.Join(s, "|")
}

// actionsWithFlags lists, for a command with several actions, the actions
// whose flags its help shows (flagsFor("token revoke")).
var actionsWithFlags = map[string][]string{"token": {"create", "revoke"}, "partner": {"create", "update"},
	"user": {"invite", "list", "deactivate"}}

// parseSub checks that args start with the only action ("create") and
// parses the flags after it.
func parseSub(name string, args []string) (*flag.FlagSet, error) {
	if len(args) == 0 || args[0] != "create" {
		return nil, fmt.Errorf("%w: dealflow %s create [flags]; see dealflow %s --help", errUsage, name, name)
	}
	return parseFlags(name, args[1:])
}

// parseFlags parses args with the flag set of name ("partner", "token
// revoke"), refusing arguments that are not flags.
func parseFlags(name string, args []string) (*flag.FlagSet, error) {
	fs := flagsFor(name)
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return fs, nil
}

// cmdPartner adds a partner organization, or changes one.
func cmdPartner(ctx context.Context, e env, args []string) error {
	if len(args) > 0 && args[0] == "update" {
		return cmdPartnerUpdate(ctx, e, args[1:])
	}
	fs, err := parseSub("partner", args)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(fs.Lookup("name").Value.String())
	typ := domain.PartnerType(fs.Lookup("type").Value.String())
	tier := domain.NormalizeTier(fs.Lookup("tier").Value.String())
	var program uuid.NullUUID
	if v := strings.TrimSpace(fs.Lookup("program").Value.String()); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			return fmt.Errorf("%w: --program %q is not a program id", errUsage, v)
		}
		program = uuid.NullUUID{UUID: id, Valid: true}
	}
	switch {
	case name == "" || len(name) > 200:
		return fmt.Errorf("%w: --name is required (at most 200 characters)", errUsage)
	case !typ.Valid():
		return fmt.Errorf("%w: --type must be one of %s", errUsage, joinTypes())
	case tier == "" || len(tier) > 50:
		return fmt.Errorf("%w: --tier must be 1 to 50 characters", errUsage)
	}
	pool, err := db.Connect(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	p, err := dbq.New(pool).PartnerCreate(ctx, dbq.PartnerCreateParams{Name: name, Type: string(typ), Tier: tier, ProgramID: program})
	if db.IsForeignKeyViolation(err) {
		return fmt.Errorf("no program with id %s", program.UUID)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, p.ID)
	e.log.Info("partner created", "id", p.ID, "name", name, "type", typ, "tier", tier)
	return nil
}

// cmdToken mints, revokes or lists API tokens.
func cmdToken(ctx context.Context, e env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "revoke":
			return cmdTokenRevoke(ctx, e, args[1:])
		case "list":
			return cmdTokenList(ctx, e, args[1:])
		}
	}
	fs, err := parseSub("token", args)
	if err != nil {
		return err
	}
	role := domain.Role(fs.Lookup("role").Value.String())
	partner := strings.TrimSpace(fs.Lookup("partner").Value.String())
	name := strings.TrimSpace(fs.Lookup("name").Value.String())
	if !role.Valid() {
		return fmt.Errorf("%w: --role must be one of %s", errUsage, joinRoles())
	}
	var partnerID uuid.NullUUID
	switch {
	case role.IsPartner() && partner == "":
		return fmt.Errorf("%w: --partner is required for role %s", errUsage, role)
	case !role.IsPartner() && partner != "":
		return fmt.Errorf("%w: --partner is only for partner roles, not %s", errUsage, role)
	case partner != "":
		id, err := uuid.Parse(partner)
		if err != nil {
			return fmt.Errorf("%w: --partner %q is not a partner id", errUsage, partner)
		}
		partnerID = uuid.NullUUID{UUID: id, Valid: true}
	}
	holder, err := tokenHolder(fs, role, name)
	if err != nil {
		return err
	}
	holder.PartnerID = partnerID
	if len(name) > 200 {
		return fmt.Errorf("%w: --name must be at most 200 characters", errUsage)
	}
	pool, err := db.Connect(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	token, hash, err := tokens.New()
	if err != nil {
		return err
	}
	var userID, tokenID uuid.UUID
	err = db.InTx(ctx, pool, func(q *dbq.Queries) error {
		u, err := db.EnsureTokenHolder(ctx, q, holder)
		if err != nil {
			return err
		}
		userID, name = u.ID, u.Name
		t, err := q.TokenCreate(ctx, dbq.TokenCreateParams{UserID: u.ID, TokenHash: hash})
		tokenID = t.ID
		return err
	})
	if db.IsForeignKeyViolation(err) {
		return fmt.Errorf("no partner with id %s", partner)
	}
	if errors.Is(err, db.ErrOtherOrganization) {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, token)
	// The id, not secret, is how the token is found again (to revoke it).
	fmt.Fprintf(e.stderr, "token %s created for %s (%s); revoke it with: dealflow token revoke --id %s\n", tokenID, name, role, tokenID)
	e.log.Info("token created; it is shown once and stored only as a hash", "token", tokenID, "user", userID, "name", name, "role", role,
		"email", holder.Email, "service", holder.Service)
	return nil
}

// tokenHolder reads who a new token is for: a person by --email, or with
// --service an integration by --name.
func tokenHolder(fs *flag.FlagSet, role domain.Role, name string) (db.TokenHolder, error) {
	raw := strings.TrimSpace(fs.Lookup("email").Value.String())
	service := fs.Lookup("service").Value.String() == "true"
	switch {
	case service && raw != "":
		return db.TokenHolder{}, fmt.Errorf("%w: --service is for an integration, --email for a person: give one", errUsage)
	case service && name == "":
		return db.TokenHolder{}, fmt.Errorf("%w: --name is required with --service (the system the token is for, e.g. crm)", errUsage)
	case service:
		return db.TokenHolder{Service: true, Name: name, Role: role}, nil
	case raw == "":
		return db.TokenHolder{}, fmt.Errorf("%w: --email is required (the person who holds the token); for an integration use --service --name NAME", errUsage)
	}
	email, err := domain.NormalizeEmail(raw)
	if err != nil {
		return db.TokenHolder{}, fmt.Errorf("%w: --email %q: %v", errUsage, raw, err)
	}
	return db.TokenHolder{Email: email, Name: name, Role: role}, nil
}
