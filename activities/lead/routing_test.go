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
	"github.com/jackc/pgx/v5/pgtype"
)

// With weighting "scorecard", routing weighs partners by their lead
// scorecard read from PostgreSQL: a partner that accepts quickly is chosen
// over one that lets offers time out, where static weights (round-robin
// counts alone) choose the other.
func TestRouteScorecardWeighting(t *testing.T) {
	ctx := context.Background()
	a := leadacts.New(testDB.Pool, nil)
	q := dbq.New(testDB.Pool)
	prog, err := a.LeadProgram(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	tagged := func(name string) uuid.UUID {
		p, err := q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: name + " " + t.Name(), Type: "reseller", Tier: "gold"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := q.LeadProfileUpsert(ctx, dbq.LeadProfileUpsertParams{PartnerID: p.ID, Countries: []string{}, ProductLines: []string{},
			Tags: []string{"scorecard-test"}, Capacity: 100, Weight: 1}); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	strong, weak := tagged("Quick GmbH"), tagged("Slow GmbH")
	// strong has had one more lead so far: static round-robin picks weak.
	if err := q.LeadProfileAssigned(ctx, []uuid.UUID{strong}); err != nil {
		t.Fatal(err)
	}
	// A lead with five closed offers to each: strong accepted within the
	// hour, weak let them time out.
	id := uuid.Must(uuid.NewV7())
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	in := lead.Input{LeadID: id.String(), ProgramID: prog.ProgramID, Source: lead.SourceVendor, Creator: domain.SystemActor,
		Lead: lead.Lead{Company: domain.Customer{Name: "History", Domain: "history.fr", Country: "FR"}, RegistrableDomain: "history.fr",
			Contact: domain.Contact{Name: "Jo", Email: "jo@history.fr"}, ProductLines: []string{"vpn"}, Amount: 1, Currency: "EUR"}}
	if err := a.LeadRecord(ctx, leadacts.Change{LeadID: id.String(), Seq: 1, Type: "created", To: lead.StatusNew, Actor: domain.SystemActor,
		OccurredAt: at, New: &in, State: lead.State{Status: lead.StatusNew, Seq: 1}}); err != nil {
		t.Fatal(err)
	}
	for round := int32(1); round <= 5; round++ {
		for p, outcome := range map[uuid.UUID]string{strong: "accepted", weak: "timed_out"} {
			if err := q.LeadOfferInsert(ctx, dbq.LeadOfferInsertParams{LeadID: id, Round: round, PartnerID: p, OfferedAt: at, DueAt: at.Add(48 * time.Hour)}); err != nil {
				t.Fatal(err)
			}
			if err := q.LeadOfferDecide(ctx, dbq.LeadOfferDecideParams{LeadID: id, Round: round, PartnerID: uuid.NullUUID{UUID: p, Valid: true},
				Outcome: outcome, DecidedAt: pgtype.Timestamptz{Time: at.Add(time.Hour), Valid: true}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	rules, _ := json.Marshal([]domain.RoutingRule{{Name: "tagged", PartnerTags: []string{"scorecard-test"}}})
	round := 5
	route := func(policy string) string {
		t.Helper()
		round++
		if _, err := q.LeadProgramSetRouting(ctx, dbq.LeadProgramSetRoutingParams{ID: uuid.MustParse(prog.ProgramID),
			LeadPolicy: json.RawMessage(policy), LeadRules: rules}); err != nil {
			t.Fatal(err)
		}
		r, err := a.LeadRoute(ctx, leadacts.RouteInput{LeadID: id.String(), Round: round, ProgramID: prog.ProgramID, Facts: domain.LeadFacts{Country: "FR"}, N: 1})
		if err != nil || len(r.Partners) != 1 {
			t.Fatalf("route %s: %+v %v", policy, r, err)
		}
		return r.Partners[0]
	}
	// (scorecard first: each route counts its pick, and strong's lead
	// more is what the scorecard has to outweigh)
	if got := route(`{"weighting": "scorecard"}`); got != strong.String() {
		t.Fatalf("scorecard weights chose %s, want the quick acceptor %s", got, strong)
	}
	if got := route(`{}`); got != weak.String() {
		t.Fatalf("static weights chose %s, want the partner with fewer leads %s", got, weak)
	}
}
