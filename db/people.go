package db

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// TokenHolder is who a new API token is for: a person, known by e-mail,
// acting with a role; or a service (an integration), known by its name.
type TokenHolder struct {
	// Email identifies the person (any case; stored lower-cased). Empty
	// for a service.
	Email string
	// Name is the person's name (empty: the person's name as known, or
	// the e-mail for a new person), or the service's name (required).
	Name      string
	Role      domain.Role
	PartnerID uuid.NullUUID
	// Service makes a service user: no person, never an approver.
	Service bool
}

// ErrOtherOrganization refuses a token that would make one person act for
// two organizations (a partner and the vendor, or two partners): four eyes
// and organization scoping both rely on a person belonging to one.
var ErrOtherOrganization = errors.New("the person acts for another organization")

// EnsureTokenHolder returns the user a new token of h belongs to, creating
// the person and the user on first use: tokens of the same e-mail are one
// person, whatever their role. A user migrated from before people existed
// (same name, role and organization, no e-mail yet) becomes that person's:
// it takes the e-mail when nobody has it, joins the person who has it, or
// hands its tokens to that person's user of the same role. Run it in a
// transaction (InTx).
func EnsureTokenHolder(ctx context.Context, q *dbq.Queries, h TokenHolder) (dbq.User, error) {
	name := strings.TrimSpace(h.Name)
	if h.Service {
		if name == "" {
			return dbq.User{}, errors.New("a service user needs a name")
		}
		return q.UserEnsure(ctx, dbq.UserEnsureParams{Name: name, Role: string(h.Role), PartnerID: h.PartnerID})
	}
	email, err := domain.NormalizeEmail(h.Email)
	if err != nil {
		return dbq.User{}, err
	}
	person, err := personFor(ctx, q, email, name, h)
	if err != nil {
		return dbq.User{}, err
	}
	other, err := q.PersonInOtherOrganization(ctx, dbq.PersonInOtherOrganizationParams{PersonID: uuid.NullUUID{UUID: person.ID, Valid: true},
		PartnerID: h.PartnerID})
	if err != nil {
		return dbq.User{}, err
	}
	if other {
		return dbq.User{}, fmt.Errorf("%w: %s already holds tokens of another organization; a person acts for one", ErrOtherOrganization, email)
	}
	return q.PersonUserEnsure(ctx, dbq.PersonUserEnsureParams{Name: person.Name, Role: string(h.Role), PartnerID: h.PartnerID,
		PersonID: uuid.NullUUID{UUID: person.ID, Valid: true}})
}

// personFor finds or creates the person with the e-mail, taking over a
// migrated user of the same name, role and organization on the way.
func personFor(ctx context.Context, q *dbq.Queries, email, name string, h TokenHolder) (dbq.Person, error) {
	legacyName := name
	if legacyName == "" {
		legacyName = string(h.Role) // what token create named a user when --name was not given
	}
	legacy, err := q.UserWithoutEmail(ctx, dbq.UserWithoutEmailParams{Name: legacyName, Role: string(h.Role), PartnerID: h.PartnerID})
	hasLegacy := err == nil
	if err != nil && !IsNotFound(err) {
		return dbq.Person{}, err
	}
	person, err := q.PersonByEmail(ctx, pgText(email))
	switch {
	case IsNotFound(err) && hasLegacy:
		person, err = q.PersonSetEmail(ctx, dbq.PersonSetEmailParams{ID: legacy.PersonID.UUID, Email: pgText(email)})
	case IsNotFound(err):
		if name == "" {
			name = email
		}
		return q.PersonCreate(ctx, dbq.PersonCreateParams{Email: pgText(email), Name: name})
	case err == nil && hasLegacy:
		err = joinPerson(ctx, q, legacy, person)
	}
	if err != nil {
		return dbq.Person{}, err
	}
	if name != "" && name != person.Name {
		if err := q.PersonRename(ctx, dbq.PersonRenameParams{ID: person.ID, Name: name}); err != nil {
			return dbq.Person{}, err
		}
		person.Name = name
	}
	return person, nil
}

// joinPerson makes a migrated user the person's: the user itself when the
// person has no user of its role yet, else its tokens move to that user.
func joinPerson(ctx context.Context, q *dbq.Queries, legacy dbq.User, person dbq.Person) error {
	pid := uuid.NullUUID{UUID: person.ID, Valid: true}
	existing, err := q.PersonUser(ctx, dbq.PersonUserParams{PersonID: pid, Role: legacy.Role, PartnerID: legacy.PartnerID})
	if IsNotFound(err) {
		return q.UserJoinPerson(ctx, dbq.UserJoinPersonParams{ID: legacy.ID, PersonID: pid})
	}
	if err != nil {
		return err
	}
	return q.TokensMove(ctx, dbq.TokensMoveParams{FromUser: legacy.ID, ToUser: existing.ID})
}

func pgText(s string) pgtype.Text { return pgtype.Text{String: s, Valid: true} }
