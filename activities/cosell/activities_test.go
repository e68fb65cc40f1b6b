package cosell_test

import (
	"context"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities/cosell"
	dealacts "github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/crm"
	wf "github.com/dealflow/dealflow/workflows/cosell"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// newDeal stores a partner, its user and a deal for customer (name,
// domain) in country with product lines.
func newDeal(t *testing.T, name, domainName, country string, lines []string) (dealID string, partnerID uuid.UUID, by domain.Actor) {
	t.Helper()
	ctx := context.Background()
	q := dbq.New(testDB.Pool)
	p, err := q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: "Northwind " + t.Name() + name, Type: "reseller", Tier: "gold"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := q.UserEnsure(ctx, dbq.UserEnsureParams{Name: "Pat " + t.Name() + name, Role: "partner_user", PartnerID: uuid.NullUUID{UUID: p.ID, Valid: true}})
	if err != nil {
		t.Fatal(err)
	}
	by = domain.Actor{ID: u.ID.String(), Name: u.Name, Role: domain.RolePartnerUser, PartnerID: p.ID.String()}
	id := uuid.Must(uuid.NewV7()).String()
	reg := domain.Registration{Customer: domain.Customer{Name: name, Domain: domainName, Country: country},
		RegistrableDomain: domainName, Contact: domain.Contact{Name: "Jane", Email: "jane@" + domainName},
		ProductLines: lines, Amount: 100000, Currency: "USD", ExpectedCloseDate: "2027-03-31"}
	err = dealacts.New(testDB.Pool).RecordSubmission(ctx, dealacts.Submission{DealID: id, PartnerID: p.ID.String(), WorkflowID: "deal/" + id,
		Registration: reg, Event: dealacts.Event{DealID: id, Seq: 1, Type: "submitted", To: domain.StatusSubmitted, Actor: by,
			OccurredAt: time.Now(), Snapshot: &dealacts.Snapshot{Status: domain.StatusSubmitted, Registration: reg}}})
	if err != nil {
		t.Fatal(err)
	}
	return id, p.ID, by
}

// Routing follows the account's owner (by domain, else by name), then the
// most specific territory, then the channel managers' queue.
func TestRoute(t *testing.T) {
	ctx := context.Background()
	a := cosell.New(testDB.Pool)
	if _, errs, err := crm.UpsertAccounts(ctx, testDB.Pool, []crm.Account{
		{ExternalID: "acc-1", Name: "Globex", Domain: "globex.example", Country: "DE", OwnerType: "direct", OwnerEmail: "Sam@Vendor.example"},
		{ExternalID: "acc-2", Name: "Initech", Country: "DE", OwnerType: "direct"},
	}); err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	q := dbq.New(testDB.Pool)
	for _, tr := range []dbq.CoSellTerritoryCreateParams{{SellerEmail: "de@vendor.example", Country: "DE"},
		{SellerEmail: "de-vpn@vendor.example", Country: "DE", ProductLine: "vpn"}} {
		if _, err := q.CoSellTerritoryCreate(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name, domain, country string
		lines                 []string
		want                  wf.Assignment
	}{
		{"Globex GmbH", "globex.example", "DE", []string{"vpn"}, wf.Assignment{Email: "sam@vendor.example", Via: wf.ViaAccountOwner}},
		{"Initech", "initech.example", "DE", []string{"vpn", "firewall"}, wf.Assignment{Email: "de-vpn@vendor.example", Via: wf.ViaTerritory}},
		{"Umbrella", "umbrella.example", "DE", []string{"firewall"}, wf.Assignment{Email: "de@vendor.example", Via: wf.ViaTerritory}},
		{"Hooli", "hooli.example", "US", []string{"vpn"}, wf.Assignment{Via: wf.ViaQueue}},
	} {
		id, _, _ := newDeal(t, c.name, c.domain, c.country, c.lines)
		got, err := a.RouteCoSell(ctx, id)
		if err != nil || got != c.want {
			t.Errorf("%s: %+v %v, want %+v", c.name, got, err, c.want)
		}
	}
}

// A request and its steps are recorded once however often retried; the
// projection never moves back to an older event; notifications go with
// their event; history refuses changes.
func TestRecordIdempotentAndProjected(t *testing.T) {
	ctx := context.Background()
	a := cosell.New(testDB.Pool)
	dealID, partnerID, by := newDeal(t, "Acme", "acme.example", "US", []string{"vpn"})
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	in := wf.Input{EngagementID: uuid.NewString(), DealID: dealID, PartnerID: partnerID.String(), Requester: by,
		Request: wf.Request{Type: domain.CoSellProofOfConcept, NeedBy: "2026-04-01", Message: "POC please"}}
	st := wf.State{EngagementID: in.EngagementID, DealID: dealID, PartnerID: partnerID.String(), Status: wf.StatusRequested, Seq: 1}
	start := cosell.Start{WorkflowID: wf.WorkflowID(dealID), Request: in,
		Event: cosell.Event{EngagementID: in.EngagementID, Seq: 1, Type: "requested", Actor: by, OccurredAt: at, State: st}}
	for range 2 {
		if err := a.RecordCoSellRequest(ctx, start); err != nil {
			t.Fatal(err)
		}
	}
	routed := st
	routed.Seq, routed.Assignee, routed.RespondBy = 2, wf.Assignment{Email: "sam@vendor.example", Via: wf.ViaAccountOwner}, at.Add(48*time.Hour)
	ev2 := cosell.Event{EngagementID: in.EngagementID, Seq: 2, Type: "routed", Actor: domain.SystemActor, OccurredAt: at, State: routed,
		Notify: []cosell.Notification{{Audience: "email:sam@vendor.example", Kind: "cosell_request", Subject: "answer"}}}
	accepted := routed
	accepted.Seq, accepted.Status, accepted.Stage = 3, wf.StatusAccepted, domain.StageProspect
	accepted.Milestones = []wf.Milestone{{ID: "m1", Title: "POC", Side: domain.SidePartner, Due: "2026-03-20"}}
	ev3 := cosell.Event{EngagementID: in.EngagementID, Seq: 3, Type: "accepted", Actor: by, OccurredAt: at.Add(time.Hour), State: accepted}
	for _, e := range []cosell.Event{ev2, ev3, ev2, ev3} {
		if err := a.RecordCoSellEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	q := dbq.New(testDB.Pool)
	got, err := q.CoSellEngagementGet(ctx, dbq.CoSellEngagementGetParams{ID: uuid.MustParse(in.EngagementID)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "accepted" || got.AssigneeEmail != "sam@vendor.example" || got.LastEventSeq != 3 || got.ResponseDueAt.Valid ||
		got.Stage != "prospect" || string(got.Plan) == "[]" {
		t.Fatalf("projection %+v", got)
	}
	events, _ := q.CoSellEventList(ctx, got.ID)
	notes, _ := q.CoSellNotificationList(ctx, uuid.NullUUID{UUID: got.ID, Valid: true})
	if len(events) != 3 || len(notes) != 1 {
		t.Fatalf("%d events, %d notifications", len(events), len(notes))
	}
	// Scoping in SQL: another seller and another partner see nothing.
	if _, err := q.CoSellEngagementGet(ctx, dbq.CoSellEngagementGetParams{ID: got.ID, ScopeSellerEmail: text("sue@vendor.example")}); err == nil {
		t.Fatal("another seller reads the engagement")
	}
	if _, err := q.CoSellEngagementGet(ctx, dbq.CoSellEngagementGetParams{ID: got.ID, ScopePartnerID: uuid.NullUUID{UUID: uuid.New(), Valid: true}}); err == nil {
		t.Fatal("another partner reads the engagement")
	}
	if _, err := q.CoSellEngagementGet(ctx, dbq.CoSellEngagementGetParams{ID: got.ID, ScopeSellerEmail: text("sam@vendor.example")}); err != nil {
		t.Fatalf("the assigned seller cannot read it: %v", err)
	}
	if _, err := testDB.Pool.Exec(ctx, "UPDATE cosell_events SET reason = 'x' WHERE engagement_id = $1", got.ID); err == nil {
		t.Fatal("history was changed")
	}
}

func text(s string) pgtype.Text { return pgtype.Text{String: s, Valid: true} }
