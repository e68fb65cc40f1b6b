package lead_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	leadacts "github.com/dealflow/dealflow/activities/lead"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/google/uuid"
)

// An offer, its reminder, its time-out and a manager's withdrawal each
// notify the partner concerned once (a retried change writes nothing
// more); a close and a withdrawn offer are recorded with the new status
// and outcome.
func TestRecordNotifiesPartners(t *testing.T) {
	ctx := context.Background()
	a := leadacts.New(testDB.Pool, nil)
	q := dbq.New(testDB.Pool)
	prog, err := a.LeadProgram(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	p1 := partnerWithProfile(t, "Notified GmbH "+t.Name(), 5, 1, "US").String()
	p2 := partnerWithProfile(t, "Second GmbH "+t.Name(), 5, 1, "US").String()
	id := uuid.Must(uuid.NewV7()).String()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	mgr := domain.Actor{ID: "m1", Name: "Morgan", Role: domain.RoleChannelManager}
	in := lead.Input{LeadID: id, ProgramID: prog.ProgramID, Source: lead.SourceVendor, Creator: mgr,
		Lead: lead.Lead{Company: domain.Customer{Name: "Notify Corp", Domain: "notify.de", Country: "DE"}, RegistrableDomain: "notify.de",
			Contact: domain.Contact{Name: "Jo", Email: "jo@notify.de"}, ProductLines: []string{"firewall"}, Amount: 100, Currency: "EUR"}}
	raw := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	st := lead.State{LeadID: id, Status: lead.StatusNew, Seq: 1}
	changes := []leadacts.Change{{LeadID: id, Seq: 1, Type: "created", To: lead.StatusNew, Actor: mgr, OccurredAt: at, New: &in, State: st}}
	st.Status, st.Seq, st.Round, st.AcceptDueAt = lead.StatusOffered, 2, 1, at.Add(48*time.Hour)
	changes = append(changes, leadacts.Change{LeadID: id, Seq: 2, Type: "offered", To: lead.StatusOffered, Actor: domain.SystemActor,
		OccurredAt: at, State: st, Offer: []string{p1, p2}},
		leadacts.Change{LeadID: id, Seq: 3, Type: "reminder_sent", To: lead.StatusOffered, Actor: domain.SystemActor,
			OccurredAt: at.Add(24 * time.Hour), State: lead.State{Status: lead.StatusOffered, Seq: 3, Round: 1, AcceptDueAt: st.AcceptDueAt},
			Payload: raw(map[string]any{"partners": []string{p1}})},
		leadacts.Change{LeadID: id, Seq: 4, Type: "closed", To: lead.StatusClosed, Actor: mgr, Reason: "duplicate",
			OccurredAt: at.Add(30 * time.Hour), State: lead.State{Status: lead.StatusClosed, Seq: 4, Round: 1},
			CloseRound: 1, Outcome: "withdrawn", Payload: raw(map[string]any{"withdrawn": []string{p1, p2}, "close_reason": "duplicate"})})
	for range 2 {
		for _, c := range changes {
			if err := a.LeadRecord(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
	}
	got, err := q.LeadNotifications(ctx, uuid.NullUUID{UUID: uuid.MustParse(id), Valid: true})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, n := range got {
		kinds = append(kinds, n.Kind+">"+strings.TrimPrefix(n.Audience, "partner:"))
		if !strings.HasSuffix(n.Subject, ": Notify Corp") {
			t.Fatalf("subject %q", n.Subject)
		}
	}
	want := strings.Join([]string{"lead_offered>" + p1, "lead_offered>" + p2, "lead_reminder>" + p1,
		"lead_withdrawn>" + p1, "lead_withdrawn>" + p2}, " ")
	if strings.Join(kinds, " ") != want {
		t.Fatalf("notifications\n got %s\nwant %s", strings.Join(kinds, " "), want)
	}
	if !strings.Contains(got[0].Body, "2026-03-04 09:00 UTC") {
		t.Fatalf("offer body %q", got[0].Body)
	}
	l, err := q.LeadGet(ctx, dbq.LeadGetParams{ID: uuid.MustParse(id)})
	offers, _ := q.LeadOffers(ctx, dbq.LeadOffersParams{LeadID: uuid.MustParse(id)})
	if err != nil || l.Status != lead.StatusClosed || len(offers) != 2 || offers[0].Outcome != "withdrawn" || offers[1].Outcome != "withdrawn" {
		t.Fatalf("lead %+v offers %+v err %v", l.Status, offers, err)
	}
}
