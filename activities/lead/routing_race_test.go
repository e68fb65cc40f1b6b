package lead_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	leadacts "github.com/dealflow/dealflow/activities/lead"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/google/uuid"
)

// Leads of one program routed at the same time (an import starts them
// eight at a time) each see the others' picks: 20 leads routed at once
// between two equal-weight partners split 10/10, and each partner's
// round-robin count is 10. Routing a round again (a retried or
// re-executed activity) returns its pick as kept and counts nothing; the
// offer recorded from the pick is not counted again, an offer a manager
// assigned is.
func TestRouteConcurrentPicksSplitEvenly(t *testing.T) {
	ctx := context.Background()
	a := leadacts.New(testDB.Pool, nil)
	prog, partners := routingProgram(t, "Race", 100, 100)
	const leads = 20
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ids := make([]string, leads)
	for i := range ids {
		ids[i] = uuid.Must(uuid.NewV7()).String()
		in := lead.Input{LeadID: ids[i], ProgramID: prog.ID.String(), Source: lead.SourceImport, Creator: domain.SystemActor,
			Lead: lead.Lead{Company: domain.Customer{Name: fmt.Sprintf("Race %d", i), Domain: fmt.Sprintf("race%d.de", i), Country: "DE"},
				RegistrableDomain: fmt.Sprintf("race%d.de", i), Contact: domain.Contact{Name: "Jo", Email: "jo@race.de"},
				ProductLines: []string{"vpn"}, Amount: 1, Currency: "EUR"}}
		if err := a.LeadRecord(ctx, leadacts.Change{LeadID: ids[i], Seq: 1, Type: "created", To: lead.StatusNew, Actor: domain.SystemActor,
			OccurredAt: at, New: &in, State: lead.State{LeadID: ids[i], ProgramID: prog.ID.String(), Status: lead.StatusNew, Seq: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	route := func(id string) leadacts.RouteResult {
		r, err := a.LeadRoute(ctx, leadacts.RouteInput{LeadID: id, Round: 1, ProgramID: prog.ID.String(),
			Facts: domain.LeadFacts{Country: "DE"}, N: 1})
		if err != nil || len(r.Partners) != 1 || r.Rule != "all" {
			t.Errorf("route %s: %+v %v", id, r, err)
		}
		return r
	}
	// routeAll routes round 1 of every lead at once.
	routeAll := func() []leadacts.RouteResult {
		out := make([]leadacts.RouteResult, leads)
		var wg sync.WaitGroup
		release := make(chan struct{})
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-release
				out[i] = route(id)
			}()
		}
		close(release)
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		return out
	}
	split := func(picks []leadacts.RouteResult) map[string]int {
		n := map[string]int{}
		for _, r := range picks {
			n[r.Partners[0]]++
		}
		return n
	}
	want := map[string]int{partners[0].String(): leads / 2, partners[1].String(): leads / 2}
	counts := func() map[string]int {
		return map[string]int{partners[0].String(): int(assigned(t, partners[0])), partners[1].String(): int(assigned(t, partners[1]))}
	}

	first := routeAll()
	if got := split(first); !maps.Equal(got, want) {
		t.Fatalf("picks split %v, want %v", got, want)
	}
	if got := counts(); !maps.Equal(got, want) {
		t.Fatalf("assigned %v, want %v", got, want)
	}

	// The same rounds again, at once: the same picks, nothing counted.
	again := routeAll()
	for i := range first {
		if !slices.Equal(again[i].Partners, first[i].Partners) || again[i].Rule != first[i].Rule {
			t.Fatalf("lead %s routed again: %+v, first %+v", ids[i], again[i], first[i])
		}
	}
	if got := counts(); !maps.Equal(got, want) {
		t.Fatalf("assigned after routing again %v, want %v", got, want)
	}

	// Recording the offer of a pick counts nothing more; an offer a manager
	// assigned (not routing's pick) is counted when recorded.
	offer := func(id string, seq int32, round int, p string, counted bool) {
		t.Helper()
		st := lead.State{LeadID: id, ProgramID: prog.ID.String(), Status: lead.StatusOffered, Seq: seq, Round: round,
			Offered: []string{p}, AcceptDueAt: at.Add(48 * time.Hour)}
		if err := a.LeadRecord(ctx, leadacts.Change{LeadID: id, Seq: seq, Type: "offered", From: lead.StatusNew, To: lead.StatusOffered,
			Actor: domain.SystemActor, OccurredAt: at, State: st, Offer: []string{p}, Counted: counted}); err != nil {
			t.Fatal(err)
		}
	}
	p0 := first[0].Partners[0]
	offer(ids[0], 2, 1, p0, true)
	if got := counts(); !maps.Equal(got, want) {
		t.Fatalf("assigned after recording the picked offer %v, want %v", got, want)
	}
	offer(ids[1], 2, 2, p0, false) // an assignment in round 2: no pick kept
	want[p0]++
	if got := counts(); !maps.Equal(got, want) {
		t.Fatalf("assigned after an assigned offer %v, want %v", got, want)
	}
	// An offer marked counted whose pick was not kept (routed by a worker
	// from before picks were counted) is counted when recorded.
	offer(ids[2], 2, 3, p0, true)
	want[p0]++
	if got := counts(); !maps.Equal(got, want) {
		t.Fatalf("assigned after an offer routed without a kept pick %v, want %v", got, want)
	}
}

// A pick is load from the moment it is made, before its offer is recorded:
// a partner with room for one lead, picked for one, is not picked for a
// second routed in between (the second is queued), nor once the first's
// offer is recorded; once that offer is declined the partner has room
// again. A pick whose offer never came (its workflow stopped between the
// two steps) stops counting an hour after it was made, and routing its
// round again then makes it afresh; a pick whose offer was recorded
// stands.
func TestRouteCountsPicksAwaitingTheirOffer(t *testing.T) {
	ctx := context.Background()
	a := leadacts.New(testDB.Pool, nil)
	prog, solo := routingProgram(t, "Capacity", 1)
	p := solo[0]
	at := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC) // a year's last half hour
	newLead := func(i int) string {
		id := uuid.Must(uuid.NewV7()).String()
		in := lead.Input{LeadID: id, ProgramID: prog.ID.String(), Source: lead.SourceImport, Creator: domain.SystemActor,
			Lead: lead.Lead{Company: domain.Customer{Name: fmt.Sprintf("Cap %d", i), Domain: fmt.Sprintf("cap%d.de", i), Country: "DE"},
				RegistrableDomain: fmt.Sprintf("cap%d.de", i), Contact: domain.Contact{Name: "Jo", Email: "jo@cap.de"},
				ProductLines: []string{"vpn"}, Amount: 1, Currency: "EUR"}}
		if err := a.LeadRecord(ctx, leadacts.Change{LeadID: id, Seq: 1, Type: "created", To: lead.StatusNew, Actor: domain.SystemActor,
			OccurredAt: at, New: &in, State: lead.State{LeadID: id, ProgramID: prog.ID.String(), Status: lead.StatusNew, Seq: 1}}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	route := func(id string, when time.Time) []string {
		t.Helper()
		r, err := a.LeadRoute(ctx, leadacts.RouteInput{LeadID: id, Round: 1, ProgramID: prog.ID.String(),
			Facts: domain.LeadFacts{Country: "DE"}, N: 1, At: when})
		if err != nil {
			t.Fatal(err)
		}
		return r.Partners
	}
	first, second := newLead(1), newLead(2)
	if got := route(first, at); len(got) != 1 || got[0] != p.String() {
		t.Fatalf("the first lead: %v", got)
	}
	if got := route(second, at.Add(time.Second)); len(got) != 0 {
		t.Fatalf("the second lead, routed before the first's offer is recorded: %v, want nobody (the partner is full)", got)
	}
	st := lead.State{LeadID: first, ProgramID: prog.ID.String(), Status: lead.StatusOffered, Seq: 2, Round: 1,
		Offered: []string{p.String()}, AcceptDueAt: at.Add(48 * time.Hour)}
	if err := a.LeadRecord(ctx, leadacts.Change{LeadID: first, Seq: 2, Type: "offered", From: lead.StatusNew, To: lead.StatusOffered,
		Actor: domain.SystemActor, OccurredAt: at.Add(2 * time.Second), State: st, Offer: []string{p.String()}, Counted: true}); err != nil {
		t.Fatal(err)
	}
	third := newLead(3)
	if got := route(third, at.Add(3*time.Second)); len(got) != 0 {
		t.Fatalf("a lead routed once the offer is recorded: %v, want nobody", got)
	}
	st.Seq, st.Status, st.Offered = 3, lead.StatusNew, nil
	if err := a.LeadRecord(ctx, leadacts.Change{LeadID: first, Seq: 3, Type: "declined", From: lead.StatusOffered, To: lead.StatusNew,
		Actor: domain.SystemActor, Reason: "no bandwidth", OccurredAt: at.Add(4 * time.Second), State: st,
		CloseRound: 1, ClosePartner: p.String(), Outcome: "declined"}); err != nil {
		t.Fatal(err)
	}
	fourth := newLead(4)
	if got := route(fourth, at.Add(5*time.Second)); len(got) != 1 {
		t.Fatalf("a lead routed once the offer is declined: %v, want the partner", got)
	}
	// The fourth's offer never comes: its pick holds the partner's room
	// for an hour, no longer.
	fifth := newLead(5)
	if got := route(fifth, at.Add(59*time.Minute)); len(got) != 0 {
		t.Fatalf("a lead routed 59 minutes after a pick whose offer never came: %v, want nobody", got)
	}
	sixth := newLead(6)
	if got := route(sixth, at.Add(5*time.Second+time.Hour)); len(got) != 1 {
		t.Fatalf("a lead routed an hour after a pick whose offer never came: %v, want the partner", got)
	}
	// The fourth's run resumed two hours on routes its round again: the
	// lapsed pick is taken back (its count too) and made afresh, and the
	// partner, held by the sixth's pick now, is not picked.
	before := assigned(t, p)
	if got := route(fourth, at.Add(2*time.Hour)); len(got) != 0 {
		t.Fatalf("a lapsed pick routed again: %v, want nobody (the partner is full)", got)
	}
	if got := assigned(t, p); got != before-1 {
		t.Fatalf("round-robin count after a lapsed pick was taken back: %d, want %d", got, before-1)
	}
	// A pick whose offer was recorded stands however late its round is
	// routed again (a reset run replaying it).
	if got := route(first, at.Add(3*time.Hour)); len(got) != 1 || got[0] != p.String() {
		t.Fatalf("the first lead's recorded round routed again: %v, want its pick", got)
	}
	if got := assigned(t, p); got != before-1 {
		t.Fatalf("round-robin count after the recorded round routed again: %d, want %d", got, before-1)
	}
}

// routingProgram makes a program whose one rule takes every lead, with a
// partner of weight 1 for each capacity given.
func routingProgram(t *testing.T, name string, capacities ...int32) (dbq.Program, []uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	q := dbq.New(testDB.Pool)
	prog, err := q.ProgramCreate(ctx, dbq.ProgramCreateParams{Name: name + " " + t.Name(), Policy: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	rules, _ := json.Marshal([]domain.RoutingRule{{Name: "all"}})
	if _, err := q.LeadProgramSetRouting(ctx, dbq.LeadProgramSetRoutingParams{ID: prog.ID, LeadPolicy: json.RawMessage(`{}`), LeadRules: rules}); err != nil {
		t.Fatal(err)
	}
	var partners []uuid.UUID
	for i, capacity := range capacities {
		p, err := q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: fmt.Sprintf("%s partner %d %s", name, i, t.Name()), Type: "reseller",
			Tier: "gold", ProgramID: uuid.NullUUID{UUID: prog.ID, Valid: true}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := q.LeadProfileUpsert(ctx, dbq.LeadProfileUpsertParams{PartnerID: p.ID, Countries: []string{}, ProductLines: []string{},
			Tags: []string{}, Capacity: capacity, Weight: 1}); err != nil {
			t.Fatal(err)
		}
		partners = append(partners, p.ID)
	}
	return prog, partners
}
