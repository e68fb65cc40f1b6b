package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/clock"
	"github.com/google/uuid"
)

// defaultConsoleURL is the invitation link's base when neither
// --console-url nor DEALFLOW_CONSOLE_URL gives one.
const defaultConsoleURL = "http://127.0.0.1:8080"

// cliActorName is who the command line acts as: the actor of the changes
// it records and the inviter of the people it invites.
const cliActorName = "dealflow CLI"

// cmdUser invites a person, lists an organization's users or deactivates
// one, with the database functions the API uses.
func cmdUser(ctx context.Context, e env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "invite":
			return cmdUserInvite(ctx, e, args[1:])
		case "list":
			return cmdUserList(ctx, e, args[1:])
		case "deactivate":
			return cmdUserDeactivate(ctx, e, args[1:])
		}
	}
	return fmt.Errorf("%w: dealflow user invite|list|deactivate [flags]; see dealflow user --help", errUsage)
}

// optionalID parses the id a flag gives (empty: none).
func optionalID(flagName, v, what string) (uuid.NullUUID, error) {
	if v = strings.TrimSpace(v); v == "" {
		return uuid.NullUUID{}, nil
	}
	id, err := uuid.Parse(v)
	if err != nil || len(v) != 36 {
		return uuid.NullUUID{}, fmt.Errorf("%w: --%s %q is not a %s id", errUsage, flagName, v, what)
	}
	return uuid.NullUUID{UUID: id, Valid: true}, nil
}

// requiredID parses the id a required flag gives.
func requiredID(flagName, v, what string) (uuid.UUID, error) {
	id, err := optionalID(flagName, v, what)
	if err == nil && !id.Valid {
		err = fmt.Errorf("%w: --%s is required (the %s's id)", errUsage, flagName, what)
	}
	return id.UUID, err
}

// cmdUserInvite records a single-use invitation (e-mailed through the
// notifications outbox) and prints its link on stdout.
func cmdUserInvite(ctx context.Context, e env, args []string) error {
	fs, err := parseFlags("user invite", args)
	if err != nil {
		return err
	}
	rawEmail := strings.TrimSpace(fs.Lookup("email").Value.String())
	name := strings.TrimSpace(fs.Lookup("name").Value.String())
	role := domain.Role(fs.Lookup("role").Value.String())
	partner, err := optionalID("partner", fs.Lookup("partner").Value.String(), "partner")
	if err != nil {
		return err
	}
	switch {
	case rawEmail == "":
		return fmt.Errorf("%w: --email is required (the person invited)", errUsage)
	case name == "" || len(name) > 200:
		return fmt.Errorf("%w: --name is required (at most 200 characters)", errUsage)
	case !role.Valid() || !domain.MayGrant(domain.RoleAdmin, role):
		return fmt.Errorf("%w: --role must be one of %s", errUsage, joinRoles())
	case role.IsPartner() && !partner.Valid:
		return fmt.Errorf("%w: --partner is required for role %s", errUsage, role)
	case !role.IsPartner() && partner.Valid:
		return fmt.Errorf("%w: --partner is only for partner roles, not %s", errUsage, role)
	}
	email, err := domain.NormalizeEmail(rawEmail)
	if err != nil {
		return fmt.Errorf("%w: --email %q: %v", errUsage, rawEmail, err)
	}
	base := strings.TrimRight(strings.TrimSpace(fs.Lookup("console-url").Value.String()), "/")
	if base == "" {
		base = e.cfg.ConsoleURL
	}
	if base == "" {
		base = defaultConsoleURL
	}
	pool, err := db.Connect(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	q := dbq.New(pool)
	if partner.Valid {
		if _, err := q.PartnerGet(ctx, partner.UUID); db.IsNotFound(err) {
			return fmt.Errorf("no partner with id %s", partner.UUID)
		} else if err != nil {
			return err
		}
	}
	var cli dbq.User
	if err := db.InTx(ctx, pool, func(q *dbq.Queries) error {
		cli, err = db.EnsureTokenHolder(ctx, q, db.TokenHolder{Service: true, Name: cliActorName, Role: domain.RoleAdmin})
		return err
	}); err != nil {
		return err
	}
	inv, link, err := db.Invite(ctx, pool, db.Invitation{Email: email, Name: name, Role: role, PartnerID: partner,
		InvitedBy: cli.ID, Now: clock.System{}.Now(), LinkBase: base})
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, link)
	fmt.Fprintf(e.stderr, "invitation %s for %s (%s) e-mailed; the link works once, until %s\n", inv.ID, email, role,
		inv.ExpiresAt.UTC().Format(time.RFC3339))
	e.log.Info("user invited", "invitation", inv.ID, "email", email, "role", role, "partner", partner)
	return nil
}

// cmdUserList prints an organization's users (the vendor's by default),
// as GET /v1/users lists them.
func cmdUserList(ctx context.Context, e env, args []string) error {
	fs, err := parseFlags("user list", args)
	if err != nil {
		return err
	}
	partner, err := optionalID("partner", fs.Lookup("partner").Value.String(), "partner")
	if err != nil {
		return err
	}
	pool, err := db.Connect(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	rows, err := dbq.New(pool).PeopleList(ctx, partner)
	if err != nil {
		return err
	}
	org := "vendor"
	if partner.Valid {
		org = partner.UUID.String()
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tEMAIL\tROLE\tORGANIZATION\tCREATED\tDEACTIVATED")
	for _, u := range rows {
		email, deactivated := u.Email, "-"
		if email == "" {
			email = "-"
		}
		if u.DeactivatedAt.Valid {
			deactivated = u.DeactivatedAt.Time.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Name, email, u.Role, org, u.CreatedAt.UTC().Format(time.RFC3339), deactivated)
	}
	return w.Flush()
}

// cmdUserDeactivate deactivates a user (and the person's other users in
// its organization): its tokens and console sessions stop at once.
func cmdUserDeactivate(ctx context.Context, e env, args []string) error {
	fs, err := parseFlags("user deactivate", args)
	if err != nil {
		return err
	}
	id, err := requiredID("id", fs.Lookup("id").Value.String(), "user")
	if err != nil {
		return err
	}
	pool, err := db.Connect(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	u, err := dbq.New(pool).UserByID(ctx, id)
	if db.IsNotFound(err) {
		return fmt.Errorf("no user with id %s", id)
	}
	if err != nil {
		return err
	}
	err = db.DeactivateUser(ctx, pool, u.ID, u.PartnerID, clock.System{}.Now())
	if errors.Is(err, db.ErrNoSuchUser) {
		return fmt.Errorf("no user with id %s", id)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, u.ID)
	fmt.Fprintf(e.stderr, "deactivated user %s (%s, %s); its tokens and console sessions stop at once\n", u.ID, u.Name, u.Role)
	e.log.Info("user deactivated", "user", u.ID, "actor", cliActorName)
	return nil
}
