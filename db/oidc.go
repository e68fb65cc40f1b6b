package db

import (
	"context"
	"slices"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// SignInRefused is an OIDC sign-in dealflow refuses; Msg says why.
type SignInRefused struct{ Msg string }

func (e *SignInRefused) Error() string { return e.Msg }

// OIDCStaff is a vendor staff member as the identity provider vouches for
// them: a verified, lower-cased e-mail, a name, and the roles their groups
// grant (most privileged first).
type OIDCStaff struct {
	Email, Name string
	Roles       []domain.Role
}

// OIDCSignIn matches staff to a dealflow person by e-mail and refreshes
// their vendor users from the roles, all in one transaction: a role granted
// gets a user (created, or reactivated if the groups had dropped it), a
// vendor user whose role is no longer granted is deactivated (its tokens
// and sessions stop) until the groups grant it again. It returns the user
// of the first (most privileged) role, the one the session opens with. It
// refuses an address that belongs to a partner's user, a person an admin
// deactivated, and a person no group grants a role (a first sign-in then
// creates nothing).
func OIDCSignIn(ctx context.Context, pool *pgxpool.Pool, staff OIDCStaff, now time.Time) (dbq.User, error) {
	var user dbq.User
	var refusal *SignInRefused
	err := InTx(ctx, pool, func(q *dbq.Queries) error {
		person, err := q.PersonByEmail(ctx, pgText(staff.Email))
		if IsNotFound(err) {
			if len(staff.Roles) == 0 {
				refusal = &SignInRefused{"none of your groups at the identity provider grants a dealflow role; ask your administrator"}
				return nil
			}
			person, err = q.PersonCreate(ctx, dbq.PersonCreateParams{Email: pgText(staff.Email), Name: staff.Name})
		}
		if err != nil {
			return err
		}
		users, err := q.OIDCPersonUsers(ctx, uuid.NullUUID{UUID: person.ID, Valid: true})
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.PartnerID.Valid {
				refusal = &SignInRefused{staff.Email + " belongs to a partner's user; partner users sign in with their password"}
				return nil
			}
			if u.DeactivatedAt.Valid && !u.Dropped {
				refusal = &SignInRefused{"your dealflow account is deactivated; ask your administrator"}
				return nil
			}
		}
		for _, u := range users {
			if !u.DeactivatedAt.Valid && !slices.Contains(staff.Roles, domain.Role(u.Role)) {
				if err := q.OIDCRoleDrop(ctx, dbq.OIDCRoleDropParams{UserID: u.ID, At: now}); err != nil {
					return err
				}
			}
		}
		if _, err := q.SessionsEndForPerson(ctx); err != nil {
			return err
		}
		if len(staff.Roles) == 0 {
			refusal = &SignInRefused{"none of your groups at the identity provider grants a dealflow role any more; ask your administrator"}
			return nil
		}
		for i, role := range staff.Roles {
			u, err := q.PersonUserEnsure(ctx, dbq.PersonUserEnsureParams{Name: person.Name, Role: string(role),
				PersonID: uuid.NullUUID{UUID: person.ID, Valid: true}})
			if err != nil {
				return err
			}
			if err := q.OIDCRoleRestore(ctx, u.ID); err != nil {
				return err
			}
			if i == 0 {
				user = u
			}
		}
		return nil
	})
	if err == nil && refusal != nil {
		return dbq.User{}, refusal
	}
	return user, err
}
