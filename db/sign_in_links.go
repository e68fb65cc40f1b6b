package db

import (
	"context"
	"fmt"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/passwords"
	"github.com/dealflow/dealflow/internal/tokens"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The console pages e-mailed links open.
const (
	ResetPath      = "/console/password-reset/confirm"
	SignInLinkPath = "/console/sign-in-link/open"
)

// LinkRequest is someone asking for a link of Purpose to be mailed to
// Email; LinkBase is the console's address the link starts with.
type LinkRequest struct {
	Email    string
	Purpose  domain.LinkPurpose
	Now      time.Time
	LinkBase string
}

// MailLink mails a single-use, expiring link (only its token's hash is
// stored) to the person with the request's e-mail, through the
// notifications outbox, in one transaction. It says nothing of whether
// the person exists: an unknown address, a person without an active
// user, or one already sent domain.LinkMailsPerWindow links recently, all
// return nil without mailing.
func MailLink(ctx context.Context, pool *pgxpool.Pool, in LinkRequest) error {
	email, err := domain.NormalizeEmail(in.Email)
	if err != nil {
		return nil
	}
	return InTx(ctx, pool, func(q *dbq.Queries) error {
		who, err := q.SignInPersonByEmail(ctx, pgtype.Text{String: email, Valid: true})
		if IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		n, err := q.SignInLinkRecentCount(ctx, dbq.SignInLinkRecentCountParams{PersonID: who.PersonID,
			Purpose: string(in.Purpose), Since: in.Now.Add(-domain.LinkMailWindow)})
		if err != nil || n >= domain.LinkMailsPerWindow {
			return err
		}
		tok, hash, err := tokens.New()
		if err != nil {
			return err
		}
		link, err := q.SignInLinkCreate(ctx, dbq.SignInLinkCreateParams{TokenHash: hash, PersonID: who.PersonID,
			Purpose: string(in.Purpose), CreatedAt: in.Now, ExpiresAt: in.Now.Add(in.Purpose.TTL())})
		if err != nil {
			return err
		}
		until := link.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")
		subject, kind, body := "Sign in to dealflow", "sign_in_link",
			fmt.Sprintf("Hello %s,\n\nopen this link to sign in to dealflow (it works once, until %s):\n\n%s%s?token=%s\n\nIf you did not ask for it, ignore this e-mail.\n",
				who.Name, until, in.LinkBase, SignInLinkPath, tok)
		if in.Purpose == domain.LinkReset {
			subject, kind = "Reset your dealflow password", "password_reset"
			body = fmt.Sprintf("Hello %s,\n\nsomeone (we hope you) asked to reset your dealflow password. Open this link to choose a new one (it works once, until %s):\n\n%s%s?token=%s\n\nIf you did not ask for it, ignore this e-mail: your password stays as it is.\n",
				who.Name, until, in.LinkBase, ResetPath, tok)
		}
		return q.SignInLinkNotify(ctx, dbq.SignInLinkNotifyParams{Audience: "email:" + email, Kind: kind, Subject: subject,
			Body: body, CreatedAt: in.Now})
	})
}

// LinkError is why a link cannot be used (unknown, used, expired) or the
// password it was given refused: a client's problem.
type LinkError struct {
	// Field is the form field at fault ("token" or "password").
	Field, Msg string
}

func (e *LinkError) Error() string { return e.Msg }

// CheckLink tells, without using it, whether the link holding tok can be
// used now: nil, or a *LinkError (for the page the link opens).
func CheckLink(ctx context.Context, q *dbq.Queries, tok string, p domain.LinkPurpose, now time.Time) error {
	link, err := q.SignInLinkPeek(ctx, dbq.SignInLinkPeekParams{TokenHash: tokens.Hash(tok), Purpose: string(p)})
	if IsNotFound(err) {
		return &LinkError{"token", domain.UnknownLinkProblem(p)}
	}
	if err != nil {
		return err
	}
	if msg := domain.LinkProblem(p, link.ExpiresAt, link.UsedAt.Time, now); msg != "" {
		return &LinkError{"token", msg}
	}
	return nil
}

// useLink locks and uses the link holding tok, or says why it cannot.
func useLink(ctx context.Context, q *dbq.Queries, tok string, p domain.LinkPurpose, now time.Time) (dbq.SignInLink, error) {
	link, err := q.SignInLinkByTokenHash(ctx, dbq.SignInLinkByTokenHashParams{TokenHash: tokens.Hash(tok), Purpose: string(p)})
	if IsNotFound(err) {
		return link, &LinkError{"token", domain.UnknownLinkProblem(p)}
	}
	if err != nil {
		return link, err
	}
	if msg := domain.LinkProblem(p, link.ExpiresAt, link.UsedAt.Time, now); msg != "" {
		return link, &LinkError{"token", msg}
	}
	_, err = q.SignInLinkUse(ctx, dbq.SignInLinkUseParams{ID: link.ID, UsedAt: pgtype.Timestamptz{Time: now, Valid: true}})
	return link, err
}

// ResetPassword sets the password of the person whose reset link holds
// tok, under the password policy, in one transaction: the link is used
// (and the person's other reset links with it) and every console session
// of the person's users ends, so whoever knew the old password is signed
// out. It returns the person's id.
func ResetPassword(ctx context.Context, pool *pgxpool.Pool, tok, password string, now time.Time) (uuid.UUID, error) {
	var person uuid.UUID
	err := InTx(ctx, pool, func(q *dbq.Queries) error {
		link, err := useLink(ctx, q, tok, domain.LinkReset, now)
		if err != nil {
			return err
		}
		p, err := q.PersonTOTPForUpdate(ctx, link.PersonID)
		if err != nil {
			return err
		}
		if msg := domain.PasswordProblem(password, p.Email.String); msg != "" {
			return &LinkError{"password", msg}
		}
		hash, err := passwords.Hash(password)
		if err != nil {
			return err
		}
		if err := q.PersonSetPassword(ctx, dbq.PersonSetPasswordParams{ID: p.ID, PasswordHash: pgtype.Text{String: hash, Valid: true}}); err != nil {
			return err
		}
		if err := q.SignInLinksRetire(ctx, dbq.SignInLinksRetireParams{PersonID: p.ID, Purpose: string(domain.LinkReset),
			UsedAt: pgtype.Timestamptz{Time: now, Valid: true}}); err != nil {
			return err
		}
		person = p.ID
		_, err = q.SessionsEndForPersonAll(ctx, uuid.NullUUID{UUID: p.ID, Valid: true})
		return err
	})
	return person, err
}

// UseSignInLink uses the one-time sign-in link holding tok and returns
// the user it signs in (the person's most privileged active user) and
// whether the person must give a second factor first.
func UseSignInLink(ctx context.Context, pool *pgxpool.Pool, tok string, now time.Time) (dbq.SignInUserOfPersonRow, error) {
	var who dbq.SignInUserOfPersonRow
	err := InTx(ctx, pool, func(q *dbq.Queries) error {
		link, err := useLink(ctx, q, tok, domain.LinkSignIn, now)
		if err != nil {
			return err
		}
		who, err = q.SignInUserOfPerson(ctx, link.PersonID)
		if IsNotFound(err) {
			return &LinkError{"token", "this account is deactivated"}
		}
		return err
	})
	return who, err
}
