package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
)

func activeRoles(t *testing.T, email string) map[string]bool {
	t.Helper()
	rows, err := testDB.Pool.Query(context.Background(), `SELECT u.role, u.deactivated_at IS NULL FROM users u
		JOIN people p ON p.id = u.person_id WHERE p.email = $1`, email)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var r string
		var a bool
		if err := rows.Scan(&r, &a); err != nil {
			t.Fatal(err)
		}
		out[r] = a
	}
	return out
}

func refusal(t *testing.T, err error, want string) {
	t.Helper()
	var r *db.SignInRefused
	if !errors.As(err, &r) || !strings.Contains(r.Msg, want) {
		t.Fatalf("error %v, want a refusal about %q", err, want)
	}
}

// An OIDC sign-in creates the person with a user per role on first
// sign-in, returns the most privileged, drops a role the groups no longer
// grant and restores it when they grant it again; a person without a
// mapped group is refused (nothing created), an admin's deactivation is
// final, a partner's e-mail is refused.
func TestOIDCSignInRefreshesRoles(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	email := "oidc-" + uuid.NewString()[:8] + "@vendor.example"
	staff := db.OIDCStaff{Email: email, Name: "Olive Oidc"}

	_, err := db.OIDCSignIn(ctx, testDB.Pool, staff, now)
	refusal(t, err, "none of your groups")
	if got := activeRoles(t, email); len(got) != 0 {
		t.Fatalf("a refused first sign-in created %v", got)
	}

	staff.Roles = []domain.Role{domain.RoleAdmin, domain.RoleChannelManager}
	u, err := db.OIDCSignIn(ctx, testDB.Pool, staff, now)
	if err != nil || u.Role != "admin" {
		t.Fatalf("first sign-in: %+v, %v", u, err)
	}
	if got := activeRoles(t, email); len(got) != 2 || !got["admin"] || !got["channel_manager"] {
		t.Fatalf("roles %v", got)
	}

	staff.Roles = []domain.Role{domain.RoleChannelManager}
	if u, err = db.OIDCSignIn(ctx, testDB.Pool, staff, now); err != nil || u.Role != "channel_manager" {
		t.Fatalf("after losing admin: %+v, %v", u, err)
	}
	if got := activeRoles(t, email); got["admin"] || !got["channel_manager"] {
		t.Fatalf("admin not dropped: %v", got)
	}
	staff.Roles = []domain.Role{domain.RoleAdmin}
	if u, err = db.OIDCSignIn(ctx, testDB.Pool, staff, now); err != nil || u.Role != "admin" {
		t.Fatalf("admin granted again: %+v, %v", u, err)
	}
	if got := activeRoles(t, email); !got["admin"] || got["channel_manager"] {
		t.Fatalf("roles after the groups changed back: %v", got)
	}

	// An admin deactivates the person: no group brings them back.
	if err := db.DeactivateUser(ctx, testDB.Pool, u.ID, u.PartnerID, now); err != nil {
		t.Fatal(err)
	}
	staff.Roles = []domain.Role{domain.RoleAdmin, domain.RoleChannelManager}
	_, err = db.OIDCSignIn(ctx, testDB.Pool, staff, now)
	refusal(t, err, "deactivated")
	if got := activeRoles(t, email); got["admin"] || got["channel_manager"] {
		t.Fatalf("a deactivated person was reactivated: %v", got)
	}

	// A partner's user's e-mail is not vendor staff.
	partner := uuid.New()
	if _, err := testDB.Pool.Exec(ctx, `INSERT INTO partners (id, name, type, tier) VALUES ($1, 'OIDC Partner', 'reseller', 'gold')`, partner); err != nil {
		t.Fatal(err)
	}
	pe := "oidc-p-" + uuid.NewString()[:8] + "@partner.example"
	holderToken(t, db.TokenHolder{Email: pe, Name: "Pia Partner", Role: domain.RolePartnerUser, PartnerID: uuid.NullUUID{UUID: partner, Valid: true}})
	_, err = db.OIDCSignIn(ctx, testDB.Pool, db.OIDCStaff{Email: pe, Name: "Pia", Roles: []domain.Role{domain.RoleAdmin}}, now)
	refusal(t, err, "partner")
}
