package quote_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	dealacts "github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/activities/quote"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
)

var at = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// seed stores a catalog (SEAT needs CONSOLE; a range schedule on SEAT), a
// policy, and a deal of a reseller/gold partner; it returns the deal's id.
func seed(t *testing.T) (uuid.UUID, *dbq.Queries) {
	t.Helper()
	ctx := context.Background()
	q := dbq.New(testDB.Pool)
	for _, p := range []dbq.QuoteProductUpsertParams{
		{Sku: "SEAT", Name: "Seat", ProductLine: "analytics", Unit: "seat", Discountable: true, Active: true, MinQty: 1, MaxQty: 1000, Requires: []string{"CONSOLE"}, Excludes: []string{}},
		{Sku: "CONSOLE", Name: "Console", ProductLine: "analytics", Unit: "instance", Discountable: true, Active: true, MinQty: 1, MaxQty: 1, Requires: []string{}, Excludes: []string{}},
	} {
		if err := q.QuoteProductUpsert(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []dbq.QuotePriceInsertParams{
		{Sku: "SEAT", Currency: "USD", EffectiveFrom: at.AddDate(0, -2, 0).Truncate(24 * time.Hour), ListPrice: 12345},
		{Sku: "CONSOLE", Currency: "USD", EffectiveFrom: at.AddDate(0, -2, 0).Truncate(24 * time.Hour), ListPrice: 100000},
	} {
		if _, err := q.QuotePriceInsert(ctx, p); err != nil && !db.IsUniqueViolation(err) { // seeded by another test
			t.Fatal(err)
		}
	}
	tiers, _ := json.Marshal([]domain.VolumeTier{{From: 1, BP: 0}, {From: 10, BP: 500}})
	if _, err := q.QuoteScheduleInsert(ctx, dbq.QuoteScheduleInsertParams{Sku: "SEAT", Kind: "range", Tiers: tiers}); err != nil {
		t.Fatal(err)
	}
	policy, _ := json.Marshal(domain.ChannelPricing{RegistrationBP: 500, ManagerUpToBP: 1000,
		PartnerDiscounts: []domain.PartnerDiscount{{PartnerType: "reseller", Tier: "gold", BP: 1000}}})
	if _, err := q.QuotePolicyInsert(ctx, dbq.QuotePolicyInsertParams{Policy: policy, CreatedBy: "test"}); err != nil {
		t.Fatal(err)
	}
	p, err := q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: "Northwind", Type: "reseller", Tier: "gold"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := q.UserEnsure(ctx, dbq.UserEnsureParams{Name: "Pat", Role: "partner_user", PartnerID: uuid.NullUUID{UUID: p.ID, Valid: true}})
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.Must(uuid.NewV7())
	actor := domain.Actor{ID: u.ID.String(), Name: u.Name, Role: domain.RolePartnerUser}
	reg := domain.Registration{Customer: domain.Customer{Name: "Acme", Domain: "acme.com", Country: "US"}, RegistrableDomain: "acme.com",
		Contact: domain.Contact{Name: "Jane", Email: "jane@acme.com"}, ProductLines: []string{"analytics"}, Amount: 100, Currency: "USD", ExpectedCloseDate: "2026-12-31"}
	if err := dealacts.New(testDB.Pool).RecordSubmission(ctx, dealacts.Submission{DealID: id.String(), PartnerID: p.ID.String(), WorkflowID: "deal/" + id.String(),
		Registration: reg, Event: dealacts.Event{DealID: id.String(), Seq: 1, Type: "submitted", To: domain.StatusSubmitted, Actor: actor, OccurredAt: at,
			Snapshot: &dealacts.Snapshot{Status: domain.StatusSubmitted, Registration: reg, RequiredApprovals: 1}}}); err != nil {
		t.Fatal(err)
	}
	return id, q
}

func priceInput(dealID uuid.UUID, quoteID string, version int, lines []domain.LineRequest) quote.PriceInput {
	return quote.PriceInput{QuoteID: quoteID, DealID: dealID.String(), WorkflowID: "quote/" + quoteID, Currency: "USD",
		Version: version, Lines: lines, Creator: domain.Actor{ID: "u"}, At: at}
}

// Pricing stores each version once: a retry after a price change returns
// the version as it was priced. The registration discount applies only
// once the deal is approved and protected. Refused lines write nothing.
func TestPriceQuoteVersionOnPostgres(t *testing.T) {
	ctx := context.Background()
	dealID, q := seed(t)
	a := &quote.Activities{Pool: testDB.Pool}
	qid := uuid.NewString()
	lines := []domain.LineRequest{{SKU: "SEAT", Quantity: 20}, {SKU: "CONSOLE", Quantity: 1}}

	v1, err := a.PriceQuoteVersion(ctx, priceInput(dealID, qid, 1, lines))
	if err != nil {
		t.Fatal(err)
	}
	// SEAT 2469.00 → 2345.55 → 2111.00 (tie to even); CONSOLE 1000.00 → 900.00.
	if v1.Priced.NetTotal != 211100+90000 || v1.Priced.Registration || v1.Policy.RegistrationBP != 500 {
		t.Fatalf("v1 = %+v", v1.Priced)
	}
	if got := v1.Priced.Lines[0].Steps[3].Rule; got != "no registration discount: the registration is submitted, not approved" {
		t.Errorf("registration rule %q", got)
	}
	// A price change from today does not alter the stored version.
	if _, err := q.QuotePriceInsert(ctx, dbq.QuotePriceInsertParams{Sku: "SEAT", Currency: "USD", EffectiveFrom: at.Truncate(24 * time.Hour), ListPrice: 99999}); err != nil {
		t.Fatal(err)
	}
	again, err := a.PriceQuoteVersion(ctx, priceInput(dealID, qid, 1, lines))
	if err != nil || again.Priced.NetTotal != v1.Priced.NetTotal {
		t.Fatalf("retry after a price change: %v, net %d", err, again.Priced.NetTotal)
	}
	// Approved and protected: version 2 earns the registration discount
	// and the new price.
	if _, err := testDB.Pool.Exec(ctx, "UPDATE deals SET status = 'approved', expires_at = $2 WHERE id = $1", dealID, at.AddDate(0, 3, 0)); err != nil {
		t.Fatal(err)
	}
	v2, err := a.PriceQuoteVersion(ctx, priceInput(dealID, qid, 2, lines))
	if err != nil {
		t.Fatal(err)
	}
	if !v2.Priced.Registration || v2.Priced.Lines[0].ListPrice != 99999 || v2.Priced.Lines[0].Steps[3].BP != 500 {
		t.Fatalf("v2 = %+v", v2.Priced.Lines[0])
	}
	versions, err := q.QuoteVersions(ctx, uuid.MustParse(qid))
	if err != nil || len(versions) != 2 || versions[0].NetTotal != v1.Priced.NetTotal {
		t.Fatalf("versions %v %+v", err, versions)
	}
	// Refused lines: a field-named, non-retryable refusal; nothing written.
	other := uuid.NewString()
	_, err = a.PriceQuoteVersion(ctx, priceInput(dealID, other, 1, []domain.LineRequest{{SKU: "SEAT", Quantity: 1}}))
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != workflows.ErrTypeInvalidArgument || !app.NonRetryable() {
		t.Fatalf("refused lines: %v", err)
	}
	if f, ok := workflows.RefusedField(err); !ok || f.Field != "lines[0].sku" {
		t.Errorf("field %+v", f)
	}
	if _, err := q.QuoteGet(ctx, dbq.QuoteGetParams{ID: uuid.MustParse(other)}); err == nil {
		t.Error("a refused quote was stored")
	}
}

// Events are recorded once and move the projection; the history is
// append-only.
func TestRecordQuoteEventIdempotent(t *testing.T) {
	ctx := context.Background()
	dealID, q := seed(t)
	a := &quote.Activities{Pool: testDB.Pool}
	qid := uuid.NewString()
	if _, err := a.PriceQuoteVersion(ctx, priceInput(dealID, qid, 1, []domain.LineRequest{{SKU: "CONSOLE", Quantity: 1}})); err != nil {
		t.Fatal(err)
	}
	e := quote.QuoteEvent{QuoteID: qid, Seq: 1, Type: "created", To: "draft", Version: 1, Actor: domain.Actor{ID: "u", Name: "Pat", Role: domain.RolePartnerUser},
		OccurredAt: at, NetTotal: 90000, ValidUntil: at.AddDate(0, 0, 30),
		Notify: []quote.Notification{{Audience: "role:channel_manager", Kind: "quote_approval_needed", Subject: "quote v1: approval 1 of 1 awaits you", Body: "Quote " + qid}}}
	for range 2 {
		if err := a.RecordQuoteEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	e2 := e
	e2.Seq, e2.Type, e2.From, e2.To, e2.PONumber, e2.AcceptedOn, e2.Notify = 2, "accepted", "draft", "accepted", "PO-1", "2026-03-02", nil
	if err := a.RecordQuoteEvent(ctx, e2); err != nil {
		t.Fatal(err)
	}
	if err := a.RecordQuoteEvent(ctx, e); err != nil { // a stale retry
		t.Fatal(err)
	}
	got, err := q.QuoteGet(ctx, dbq.QuoteGetParams{ID: uuid.MustParse(qid)})
	if err != nil || got.Status != "accepted" || got.PoNumber.String != "PO-1" || got.LastEventSeq != 2 {
		t.Fatalf("projection %v %+v", err, got)
	}
	events, _ := q.QuoteEvents(ctx, uuid.MustParse(qid))
	if len(events) != 2 {
		t.Fatalf("%d events", len(events))
	}
	// The event's notification is in the outbox once, on the quote's deal,
	// with its body, for the notify context to e-mail.
	notes, err := q.NotificationListForDeal(ctx, dealID)
	var mine []dbq.Notification
	for _, n := range notes {
		if n.Kind == "quote_approval_needed" && n.Body == "Quote "+qid {
			mine = append(mine, n)
		}
	}
	if err != nil || len(mine) != 1 || mine[0].Audience != "role:channel_manager" || mine[0].EventSeq.Valid || !mine[0].CreatedAt.Equal(at) {
		t.Fatalf("notifications %v %+v", err, mine)
	}
	if _, err := testDB.Pool.Exec(ctx, "DELETE FROM quote_events WHERE quote_id = $1", uuid.MustParse(qid)); err == nil {
		t.Error("quote_events is not append-only")
	}
}
