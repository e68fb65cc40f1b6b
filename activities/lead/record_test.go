package lead_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	leadacts "github.com/dealflow/dealflow/activities/lead"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/google/uuid"
)

func partnerWithProfile(t *testing.T, name string, capacity, weight int32, countries ...string) uuid.UUID {
	t.Helper()
	q := dbq.New(testDB.Pool)
	p, err := q.PartnerCreate(context.Background(), dbq.PartnerCreateParams{Name: name, Type: "reseller", Tier: "gold"})
	if err != nil {
		t.Fatal(err)
	}
	if countries == nil {
		countries = []string{}
	}
	if _, err := q.LeadProfileUpsert(context.Background(), dbq.LeadProfileUpsertParams{PartnerID: p.ID, Countries: countries,
		ProductLines: []string{}, Tags: []string{}, Capacity: capacity, Weight: weight}); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// Recording is idempotent, writes offers and the projection, and counts
// offers for round-robin; routing sees capacity and load, and a partner
// reaches only leads offered to it (scoped in SQL).
func TestRecordRouteAndScope(t *testing.T) {
	ctx := context.Background()
	a := leadacts.New(testDB.Pool, nil)
	q := dbq.New(testDB.Pool)
	prog, err := a.LeadProgram(ctx, "")
	if err != nil || prog.Policy.AcceptWithin.D() != 48*time.Hour {
		t.Fatalf("default program: %+v %v", prog, err)
	}
	rules, _ := json.Marshal([]domain.RoutingRule{{Name: "dach", Countries: []string{"DE", "AT", "CH"}}})
	if _, err := q.LeadProgramSetRouting(ctx, dbq.LeadProgramSetRoutingParams{ID: uuid.MustParse(prog.ProgramID),
		LeadPolicy: json.RawMessage(`{}`), LeadRules: rules}); err != nil {
		t.Fatal(err)
	}
	heavy := partnerWithProfile(t, "Heavy GmbH "+t.Name(), 1, 3, "DE")
	light := partnerWithProfile(t, "Light AG "+t.Name(), 5, 1)
	partnerWithProfile(t, "Elsewhere Inc "+t.Name(), 5, 100, "US")

	id := uuid.Must(uuid.NewV7()).String()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	in := lead.Input{LeadID: id, ProgramID: prog.ProgramID, Source: lead.SourceVendor,
		Creator: domain.Actor{ID: "m1", Name: "Morgan", Role: domain.RoleChannelManager},
		Lead: lead.Lead{Company: domain.Customer{Name: "Acme", Domain: "acme.de", Country: "DE"}, RegistrableDomain: "acme.de",
			Contact: domain.Contact{Name: "Jo", Email: "jo@acme.de"}, ProductLines: []string{"firewall"}, Amount: 5000000, Currency: "EUR"}}
	st := lead.State{LeadID: id, ProgramID: prog.ProgramID, Status: lead.StatusNew, Seq: 1}
	created := leadacts.Change{LeadID: id, Seq: 1, Type: "created", To: lead.StatusNew, Actor: in.Creator, OccurredAt: at, New: &in, State: st}
	if err := a.LeadRecord(ctx, created); err != nil {
		t.Fatal(err)
	}

	route := func(round int, tried ...string) []string {
		t.Helper()
		r, err := a.LeadRoute(ctx, leadacts.RouteInput{LeadID: id, Round: round, ProgramID: prog.ProgramID,
			Facts: domain.LeadFacts{Country: "DE"}, Tried: tried, N: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Partners) > 0 && r.Rule != "dach" {
			t.Fatalf("rule %q", r.Rule)
		}
		return r.Partners
	}
	if got := route(1); len(got) != 1 || got[0] != heavy.String() {
		t.Fatalf("first pick %v, want the heavier %s", got, heavy)
	}

	st.Status, st.Seq, st.Round, st.AcceptDueAt = lead.StatusOffered, 2, 1, at.Add(48*time.Hour)
	offered := leadacts.Change{LeadID: id, Seq: 2, Type: "offered", From: lead.StatusNew, To: lead.StatusOffered,
		Actor: domain.SystemActor, OccurredAt: at, State: st, Offer: []string{heavy.String()}, Counted: true}
	for i := 0; i < 2; i++ { // retried: nothing twice
		for _, c := range []leadacts.Change{created, offered} {
			if err := a.LeadRecord(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
	}
	events, _ := q.LeadEvents(ctx, uuid.MustParse(id))
	offers, _ := q.LeadOffers(ctx, dbq.LeadOffersParams{LeadID: uuid.MustParse(id)})
	if len(events) != 2 || len(offers) != 1 || offers[0].Outcome != "open" {
		t.Fatalf("events %d offers %+v", len(events), offers)
	}
	// The offer was counted once, by routing's pick, not again when recorded.
	if n := assigned(t, heavy); n != 1 {
		t.Fatalf("heavy assigned %d, want 1", n)
	}
	// heavy is now at capacity (one open offer): light gets the next round.
	if got := route(2); len(got) != 1 || got[0] != light.String() {
		t.Fatalf("with heavy full: %v", got)
	}
	if got := route(3, light.String()); len(got) != 0 {
		t.Fatalf("tried partners excluded: %v", got)
	}

	scoped := func(p uuid.UUID) int {
		rows, err := q.LeadList(ctx, dbq.LeadListParams{ScopePartnerID: uuid.NullUUID{UUID: p, Valid: true}, MaxRows: 50})
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	if scoped(heavy) != 1 || scoped(light) != 0 {
		t.Fatalf("heavy sees %d, light sees %d", scoped(heavy), scoped(light))
	}
	if _, err := q.LeadGet(ctx, dbq.LeadGetParams{ID: uuid.MustParse(id), ScopePartnerID: uuid.NullUUID{UUID: light, Valid: true}}); err == nil {
		t.Fatal("a partner not offered the lead read it")
	}
	// The decline closes the offer; the history refuses edits.
	st.Seq, st.Offered = 3, nil
	if err := a.LeadRecord(ctx, leadacts.Change{LeadID: id, Seq: 3, Type: "declined", From: lead.StatusOffered, To: lead.StatusOffered,
		Actor: domain.Actor{ID: "u", Role: domain.RolePartnerUser}, Reason: "busy", OccurredAt: at.Add(time.Hour), State: st,
		CloseRound: 1, ClosePartner: heavy.String(), Outcome: "declined"}); err != nil {
		t.Fatal(err)
	}
	offers, _ = q.LeadOffers(ctx, dbq.LeadOffersParams{LeadID: uuid.MustParse(id)})
	if offers[0].Outcome != "declined" || offers[0].Reason != "busy" {
		t.Fatalf("offer %+v", offers[0])
	}
	if _, err := testDB.Pool.Exec(ctx, `UPDATE lead_events SET reason = 'x' WHERE lead_id = $1`, id); err == nil {
		t.Fatal("lead_events accepted an UPDATE")
	}
}

// assigned is partner p's round-robin count.
func assigned(t *testing.T, p uuid.UUID) int64 {
	t.Helper()
	var n int64
	if err := testDB.Pool.QueryRow(context.Background(), `SELECT assigned FROM partner_lead_profiles WHERE partner_id = $1`, p).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
