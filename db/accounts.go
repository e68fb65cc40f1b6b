package db

import (
	"context"
	"errors"
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

// Invitation is who is invited, into which organization, with which role,
// by whom.
type Invitation struct {
	Email, Name string
	Role        domain.Role
	// PartnerID is the organization (none: the vendor).
	PartnerID uuid.NullUUID
	InvitedBy uuid.UUID
	Now       time.Time
	// LinkBase is the console's address the link starts with, such as
	// https://dealflow.example.com (empty: a path only).
	LinkBase string
}

// AcceptPath is the console page an invitation link opens.
const AcceptPath = "/console/invitations/accept"

// Invite records a single-use invitation (only its token's hash is
// stored) and its e-mail in the notifications outbox, addressed
// email:<address>, in one transaction, and returns the invitation and its
// link, which holds the token: the only time it is known.
func Invite(ctx context.Context, pool *pgxpool.Pool, in Invitation) (dbq.Invitation, string, error) {
	email, err := domain.NormalizeEmail(in.Email)
	if err != nil {
		return dbq.Invitation{}, "", err
	}
	tok, hash, err := tokens.New()
	if err != nil {
		return dbq.Invitation{}, "", err
	}
	link := in.LinkBase + AcceptPath + "?token=" + tok
	var inv dbq.Invitation
	err = InTx(ctx, pool, func(q *dbq.Queries) error {
		var err error
		inv, err = q.InvitationCreate(ctx, dbq.InvitationCreateParams{TokenHash: hash, Email: email, Name: in.Name,
			Role: string(in.Role), PartnerID: in.PartnerID, InvitedBy: in.InvitedBy, CreatedAt: in.Now,
			ExpiresAt: in.Now.Add(domain.InvitationTTL)})
		if err != nil {
			return err
		}
		body := fmt.Sprintf("Hello %s,\n\nyou are invited to dealflow as %s. Open this link to set your password (it works once, until %s):\n\n%s\n",
			in.Name, in.Role, inv.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC"), link)
		return q.InvitationNotify(ctx, dbq.InvitationNotifyParams{Audience: "email:" + email,
			Subject: "Your invitation to dealflow", Body: body, CreatedAt: in.Now})
	})
	return inv, link, err
}

// InvitationError is why an invitation cannot be accepted (used, expired,
// unknown) or the password it was given refused: a client's problem.
type InvitationError struct {
	// Field is the form field at fault ("token" or "password").
	Field, Msg string
}

func (e *InvitationError) Error() string { return e.Msg }

// AcceptInvitation accepts the invitation whose link holds tok, with the
// password the person chooses: it creates (or finds) the person and the
// user, sets the password, and marks the invitation used, all in one
// transaction, so a link is accepted once.
func AcceptInvitation(ctx context.Context, pool *pgxpool.Pool, tok, password string, now time.Time) (dbq.User, error) {
	var user dbq.User
	err := InTx(ctx, pool, func(q *dbq.Queries) error {
		inv, err := q.InvitationByTokenHash(ctx, tokens.Hash(tok))
		if IsNotFound(err) {
			return &InvitationError{"token", "this invitation link is unknown; ask your administrator for a new one"}
		}
		if err != nil {
			return err
		}
		var accepted time.Time
		if inv.AcceptedAt.Valid {
			accepted = inv.AcceptedAt.Time
		}
		if p := domain.InvitationProblem(inv.ExpiresAt, accepted, now); p != "" {
			return &InvitationError{"token", p}
		}
		if p := domain.PasswordProblem(password, inv.Email); p != "" {
			return &InvitationError{"password", p}
		}
		hash, err := passwords.Hash(password)
		if err != nil {
			return err
		}
		user, err = EnsureTokenHolder(ctx, q, TokenHolder{Email: inv.Email, Name: inv.Name, Role: domain.Role(inv.Role), PartnerID: inv.PartnerID})
		if errors.Is(err, ErrOtherOrganization) {
			return &InvitationError{"token", "this e-mail address already belongs to another organization"}
		}
		if err != nil {
			return err
		}
		if err := q.PersonSetPassword(ctx, dbq.PersonSetPasswordParams{ID: user.PersonID.UUID, PasswordHash: pgtype.Text{String: hash, Valid: true}}); err != nil {
			return err
		}
		_, err = q.InvitationAccept(ctx, dbq.InvitationAcceptParams{ID: inv.ID, AcceptedAt: pgtype.Timestamptz{Time: now, Valid: true},
			UserID: uuid.NullUUID{UUID: user.ID, Valid: true}})
		return err
	})
	return user, err
}

// ErrNoSuchUser is a user that is not in the caller's organization (or
// not at all): the same answer either way, so an organization's users
// cannot be probed from another.
var ErrNoSuchUser = errors.New("no such user in your organization")

// DeactivateUser deactivates a user of the organization partnerID (none:
// the vendor) and the person's other users there, and ends their console
// sessions; their tokens stop resolving at once.
func DeactivateUser(ctx context.Context, pool *pgxpool.Pool, id uuid.UUID, partnerID uuid.NullUUID, now time.Time) error {
	return InTx(ctx, pool, func(q *dbq.Queries) error {
		if _, err := q.UserInOrganization(ctx, dbq.UserInOrganizationParams{ID: id, PartnerID: partnerID}); IsNotFound(err) {
			return ErrNoSuchUser
		} else if err != nil {
			return err
		}
		// An admin's deactivation is final for sign-ins: no OIDC group undoes it.
		if err := q.OIDCRoleDropsForget(ctx, id); err != nil {
			return err
		}
		if _, err := q.UserDeactivate(ctx, dbq.UserDeactivateParams{ID: id, At: now}); err != nil {
			return err
		}
		_, err := q.SessionsEndForPerson(ctx)
		return err
	})
}
