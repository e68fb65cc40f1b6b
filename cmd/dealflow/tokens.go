package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/clock"
	"github.com/dealflow/dealflow/internal/tokens"
	"github.com/google/uuid"
)

// cmdTokenRevoke revokes one token, named by its id or by the token
// itself, and ends the console sessions opened with it. Stdout carries the
// token's id; stderr says whose token it was.
func cmdTokenRevoke(ctx context.Context, e env, args []string) error {
	fs, err := parseFlags("token revoke", args)
	if err != nil {
		return err
	}
	idArg := strings.TrimSpace(fs.Lookup("id").Value.String())
	tokenArg := strings.TrimSpace(fs.Lookup("token").Value.String())
	if (idArg == "") == (tokenArg == "") {
		return fmt.Errorf("%w: dealflow token revoke --id ID, or --token TOKEN (- reads it from stdin): one of them", errUsage)
	}
	var id uuid.UUID
	if idArg != "" {
		if id, err = uuid.Parse(idArg); err != nil {
			return fmt.Errorf("%w: --id %q is not a token id", errUsage, idArg)
		}
	}
	if tokenArg == "-" {
		if tokenArg, err = readToken(os.Stdin); err != nil {
			return err
		}
	}
	pool, err := db.Connect(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if tokenArg != "" {
		id, err = dbq.New(pool).TokenIDByHash(ctx, tokens.Hash(tokenArg))
		if db.IsNotFound(err) {
			return fmt.Errorf("no such token")
		}
		if err != nil {
			return err
		}
	}
	tok, ended, err := db.RevokeToken(ctx, pool, id, clock.System{}.Now())
	if db.IsNotFound(err) {
		return fmt.Errorf("no token with id %s", id)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, tok.ID)
	fmt.Fprintf(e.stderr, "revoked token %s of %s, revoked at %s; %d console session(s) ended\n", tok.ID, holder(tok),
		tok.RevokedAt.Time.UTC().Format(time.RFC3339), ended)
	e.log.Info("token revoked", "token", tok.ID, "user", tok.UserID, "sessions_ended", ended)
	return nil
}

// cmdTokenList prints every token (newest first) with who holds it and
// whether it is revoked; never a hash.
func cmdTokenList(ctx context.Context, e env, args []string) error {
	if _, err := parseFlags("token list", args); err != nil {
		return err
	}
	pool, err := db.Connect(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	rows, err := dbq.New(pool).TokenList(ctx, 100000)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tROLE\tPARTNER\tCREATED\tREVOKED")
	for _, t := range rows {
		partner, revoked := "-", "-"
		if t.PartnerID.Valid {
			partner = t.PartnerID.UUID.String()
		}
		if t.RevokedAt.Valid {
			revoked = t.RevokedAt.Time.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, partner, t.CreatedAt.UTC().Format(time.RFC3339), revoked)
	}
	return w.Flush()
}

// holder describes who holds a token: name, role and, for a partner role,
// the partner.
func holder(t dbq.TokenListRow) string {
	s := t.Name + " (" + t.Role
	if t.PartnerID.Valid {
		s += ", partner " + t.PartnerID.UUID.String()
	}
	return s + ")"
}

// readToken reads a token from the first line of r, so that it need not
// appear on a command line (and in the shell's history).
func readToken(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	if line = strings.TrimSpace(line); line == "" {
		return "", fmt.Errorf("%w: no token on stdin", errUsage)
	}
	return line, nil
}
