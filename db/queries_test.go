package db_test

import (
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
)

func mustPartner(t *testing.T, q *dbq.Queries, name string) dbq.Partner {
	t.Helper()
	p, err := q.PartnerCreate(context.Background(), dbq.PartnerCreateParams{Name: name, Type: "reseller", Tier: "silver"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustDeal(t *testing.T, q *dbq.Queries, partner dbq.Partner) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	u, err := q.UserEnsure(ctx, dbq.UserEnsureParams{Name: "rep", Role: "partner_user", PartnerID: uuid.NullUUID{UUID: partner.ID, Valid: true}})
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.Must(uuid.NewV7())
	now := time.Now().UTC()
	if _, err := q.DealInsert(ctx, dbq.DealInsertParams{
		ID: id, PartnerID: partner.ID, Status: "submitted", Kind: "resale", CustomerNameKeys: []int64{}, CustomerName: "Acme", CustomerDomain: "acme.com",
		CustomerRegistrableDomain: "acme.com", CustomerCountry: "US", ContactName: "Jane", ContactEmail: "jane@acme.com",
		ProductLines: []string{"firewall"}, Amount: 100, Currency: "USD", ExpectedCloseDate: now,
		SubmittedBy: u.ID, WorkflowID: "deal/" + id.String(), CreatedAt: now,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := q.DealEventInsert(ctx, dbq.DealEventInsertParams{DealID: id, Seq: 1, Type: "submitted",
		ToStatus: "submitted", ActorID: u.ID.String(), ActorName: "rep", ActorRole: "partner_user",
		Payload: []byte(`{}`), OccurredAt: now}); err != nil {
		t.Fatal(err)
	}
	return id
}

// Partner-reachable queries are scoped in SQL: with another organization's
// scope a deal and its timeline are invisible; with no scope (vendor roles)
// they are visible.
func TestDealQueriesScopedByPartner(t *testing.T) {
	ctx := context.Background()
	q := dbq.New(testDB.Pool)
	mine, other := mustPartner(t, q, "Mine"), mustPartner(t, q, "Other")
	id := mustDeal(t, q, mine)
	scope := func(p dbq.Partner) uuid.NullUUID { return uuid.NullUUID{UUID: p.ID, Valid: true} }

	if _, err := q.DealGet(ctx, dbq.DealGetParams{ID: id, ScopePartnerID: scope(mine)}); err != nil {
		t.Fatalf("own deal: %v", err)
	}
	if _, err := q.DealGet(ctx, dbq.DealGetParams{ID: id}); err != nil {
		t.Fatalf("vendor read: %v", err)
	}
	if _, err := q.DealGet(ctx, dbq.DealGetParams{ID: id, ScopePartnerID: scope(other)}); !db.IsNotFound(err) {
		t.Fatalf("other partner's read: err = %v, want no rows", err)
	}
	if ev, err := q.DealEventList(ctx, dbq.DealEventListParams{DealID: id, ScopePartnerID: scope(other)}); err != nil || len(ev) != 0 {
		t.Fatalf("other partner's timeline: %d events, %v", len(ev), err)
	}
	if ev, err := q.DealEventList(ctx, dbq.DealEventListParams{DealID: id, ScopePartnerID: scope(mine)}); err != nil || len(ev) != 1 {
		t.Fatalf("own timeline: %d events, %v", len(ev), err)
	}
}

// Tokens resolve to their user while not revoked; a user is one identity
// however many tokens it holds; the schema refuses a partner role without a
// partner and a vendor role with one.
func TestTokensAndUsers(t *testing.T) {
	ctx := context.Background()
	q := dbq.New(testDB.Pool)
	p := mustPartner(t, q, "Tokens Inc")
	pid := uuid.NullUUID{UUID: p.ID, Valid: true}
	u1, err := q.UserEnsure(ctx, dbq.UserEnsureParams{Name: "Ana", Role: "partner_admin", PartnerID: pid})
	if err != nil {
		t.Fatal(err)
	}
	u2, err := q.UserEnsure(ctx, dbq.UserEnsureParams{Name: "Ana", Role: "partner_admin", PartnerID: pid})
	if err != nil || u1.ID != u2.ID {
		t.Fatalf("second ensure: %v, %v vs %v", err, u1.ID, u2.ID)
	}
	m1, _ := q.UserEnsure(ctx, dbq.UserEnsureParams{Name: "Ana", Role: "channel_manager"})
	m2, _ := q.UserEnsure(ctx, dbq.UserEnsureParams{Name: "Ana", Role: "channel_manager"})
	if m1.ID != m2.ID || m1.ID == u1.ID {
		t.Fatalf("vendor identity: %v %v (partner user %v)", m1.ID, m2.ID, u1.ID)
	}
	hash := sha256.Sum256([]byte("dft_test"))
	if _, err := q.TokenCreate(ctx, dbq.TokenCreateParams{UserID: u1.ID, TokenHash: hash[:]}); err != nil {
		t.Fatal(err)
	}
	row, err := q.PrincipalByTokenHash(ctx, hash[:])
	if err != nil || row.UserID != u1.ID || row.Role != "partner_admin" || row.PartnerID != pid {
		t.Fatalf("principal = %+v, %v", row, err)
	}
	if _, err := testDB.Pool.Exec(ctx, "UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1", u1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := q.PrincipalByTokenHash(ctx, hash[:]); !db.IsNotFound(err) {
		t.Fatalf("revoked token resolved: %v", err)
	}
	if _, err := q.UserEnsure(ctx, dbq.UserEnsureParams{Name: "x", Role: "partner_user"}); err == nil {
		t.Fatal("partner role without partner accepted")
	}
	if _, err := q.UserEnsure(ctx, dbq.UserEnsureParams{Name: "x", Role: "finance", PartnerID: pid}); err == nil {
		t.Fatal("vendor role with a partner accepted")
	}
}

// Migrating an up-to-date database again changes nothing and succeeds.
func TestMigrateTwice(t *testing.T) {
	if err := db.Migrate(context.Background(), testDB.Pool, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
}

// WithDatabase swaps only the database name of a URL.
func TestWithDatabase(t *testing.T) {
	got, err := db.WithDatabase("postgres://postgres@127.0.0.1:5432/dealflow?sslmode=disable", "other")
	if err != nil || got != "postgres://postgres@127.0.0.1:5432/other?sslmode=disable" {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := db.WithDatabase("postgres://postgres@127.0.0.1:5432", "x"); err == nil {
		t.Fatal("URL without a database accepted")
	}
}
