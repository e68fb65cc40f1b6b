package db_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// holderToken creates the holder's user and a token for it, in one
// transaction as `dealflow token create` does, and returns the principal
// the token resolves to.
func holderToken(t *testing.T, h db.TokenHolder) dbq.PrincipalByTokenHashRow {
	t.Helper()
	ctx := context.Background()
	token := uuid.NewString()
	sum := sha256.Sum256([]byte(token))
	err := db.InTx(ctx, testDB.Pool, func(q *dbq.Queries) error {
		u, err := db.EnsureTokenHolder(ctx, q, h)
		if err != nil {
			return err
		}
		_, err = q.TokenCreate(ctx, dbq.TokenCreateParams{UserID: u.ID, TokenHash: sum[:]})
		return err
	})
	if err != nil {
		t.Fatalf("token for %+v: %v", h, err)
	}
	p, err := dbq.New(testDB.Pool).PrincipalByTokenHash(ctx, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Tokens of one e-mail (in any case) are one person, whatever their role;
// the same role again is the same user; another e-mail is another person;
// a service user has no person; a person acts for one organization.
func TestTokensOfOneEmailAreOnePerson(t *testing.T) {
	ctx := context.Background()
	q := dbq.New(testDB.Pool)
	manager := holderToken(t, db.TokenHolder{Email: "dana@vendor.example", Name: "Dana Lead", Role: domain.RoleChannelManager})
	admin := holderToken(t, db.TokenHolder{Email: " DANA@Vendor.Example", Role: domain.RoleAdmin})
	again := holderToken(t, db.TokenHolder{Email: "dana@vendor.example", Role: domain.RoleChannelManager})
	other := holderToken(t, db.TokenHolder{Email: "eli@vendor.example", Name: "Dana Lead", Role: domain.RoleChannelManager})
	if !manager.PersonID.Valid || manager.PersonID != admin.PersonID || manager.UserID == admin.UserID {
		t.Fatalf("manager %+v and admin %+v: want two users of one person", manager, admin)
	}
	if again.UserID != manager.UserID {
		t.Fatalf("a second manager token of the person is user %v, want %v", again.UserID, manager.UserID)
	}
	if admin.Name != "Dana Lead" {
		t.Fatalf("the admin token's name %q, want the person's", admin.Name)
	}
	if other.PersonID == manager.PersonID || other.UserID == manager.UserID {
		t.Fatalf("another e-mail with the same name is the same person: %+v", other)
	}
	p, err := q.PersonByEmail(ctx, pgText("dana@vendor.example"))
	if err != nil || p.ID != manager.PersonID.UUID {
		t.Fatalf("person by e-mail: %+v %v", p, err)
	}

	partner := mustPartner(t, q, "People Partner")
	pid := uuid.NullUUID{UUID: partner.ID, Valid: true}
	crm := holderToken(t, db.TokenHolder{Service: true, Name: "crm", Role: domain.RolePartnerUser, PartnerID: pid})
	if crm.PersonID.Valid {
		t.Fatalf("service user has a person: %+v", crm)
	}
	err = db.InTx(ctx, testDB.Pool, func(q *dbq.Queries) error {
		_, err := db.EnsureTokenHolder(ctx, q, db.TokenHolder{Email: "dana@vendor.example", Role: domain.RolePartnerUser, PartnerID: pid})
		return err
	})
	if !errors.Is(err, db.ErrOtherOrganization) {
		t.Fatalf("a vendor person's partner token: %v, want ErrOtherOrganization", err)
	}
	err = db.InTx(ctx, testDB.Pool, func(q *dbq.Queries) error {
		_, err := db.EnsureTokenHolder(ctx, q, db.TokenHolder{Email: "not an address", Role: domain.RoleFinance})
		return err
	})
	if err == nil {
		t.Fatal("a malformed e-mail was accepted")
	}
	if _, err := testDB.Pool.Exec(ctx, "INSERT INTO people (email, name) VALUES ('Upper@Vendor.example', 'x')"); err == nil {
		t.Fatal("the schema took an e-mail that is not lower-cased")
	}
}

// A user migrated from before people existed (its own person, no e-mail)
// becomes a person's on its next token: it takes the e-mail, or joins the
// person who has it, or hands its tokens to that person's user of its role.
func TestMigratedUsersJoinTheirPerson(t *testing.T) {
	ctx := context.Background()
	legacy := func(name, role string) (uuid.UUID, []byte) {
		id := uuid.New()
		sum := sha256.Sum256([]byte(id.String()))
		for _, stmt := range []string{
			"INSERT INTO people (id, name) VALUES ($1, $2)",
			"INSERT INTO users (id, name, role, person_id) VALUES ($1, $2, '" + role + "', $1)",
		} {
			if _, err := testDB.Pool.Exec(ctx, stmt, id, name); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := dbq.New(testDB.Pool).TokenCreate(ctx, dbq.TokenCreateParams{UserID: id, TokenHash: sum[:]}); err != nil {
			t.Fatal(err)
		}
		return id, sum[:]
	}
	principal := func(hash []byte) dbq.PrincipalByTokenHashRow {
		p, err := dbq.New(testDB.Pool).PrincipalByTokenHash(ctx, hash)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	leeFinance, oldFinance := legacy("Lee Legacy", "finance")
	leeAdmin, oldAdmin := legacy("Lee Legacy", "admin")

	first := holderToken(t, db.TokenHolder{Email: "lee@vendor.example", Name: "Lee Legacy", Role: domain.RoleFinance})
	if first.UserID != leeFinance || first.PersonID.UUID != leeFinance {
		t.Fatalf("the migrated finance user did not take the e-mail: %+v", first)
	}
	second := holderToken(t, db.TokenHolder{Email: "lee@vendor.example", Name: "Lee Legacy", Role: domain.RoleAdmin})
	if second.UserID != leeAdmin || second.PersonID != first.PersonID || principal(oldAdmin).PersonID != first.PersonID {
		t.Fatalf("the migrated admin user did not join the person: %+v", second)
	}
	// A third migrated user of the same name and role: its tokens go to
	// the person's finance user.
	_, oldThird := legacy("Lee Legacy", "finance")
	holderToken(t, db.TokenHolder{Email: "lee@vendor.example", Name: "Lee Legacy", Role: domain.RoleFinance})
	if p := principal(oldThird); p.UserID != leeFinance || p.PersonID != first.PersonID {
		t.Fatalf("the third migrated user's token resolves to %+v", p)
	}
	if p := principal(oldFinance); p.PersonID != first.PersonID {
		t.Fatalf("the first migrated token resolves to %+v", p)
	}
}

func pgText(s string) pgtype.Text { return pgtype.Text{String: s, Valid: true} }
