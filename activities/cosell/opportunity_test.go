package cosell_test

import (
	"context"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities/cosell"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	wf "github.com/dealflow/dealflow/workflows/cosell"
	"github.com/google/uuid"
)

// Recording a shared opportunity: the projection, one invitation per
// partner, the events and the outbox; retried, nothing doubles; the
// partner's listing is its own; and a second accepted invitation on one
// opportunity is refused by the database.
func TestRecordSharedOpportunity(t *testing.T) {
	ctx := context.Background()
	q := dbq.New(testDB.Pool)
	u, err := q.UserEnsure(ctx, dbq.UserEnsureParams{Name: "Sam " + t.Name(), Role: "sales_rep"})
	if err != nil {
		t.Fatal(err)
	}
	var partners []string
	for _, n := range []string{"A", "B"} {
		p, err := q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: "Opp partner " + n + t.Name(), Type: "si", Tier: "gold"})
		if err != nil {
			t.Fatal(err)
		}
		partners = append(partners, p.ID.String())
	}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	seller := wf.Caller{Actor: domain.Actor{ID: u.ID.String(), Name: u.Name, Role: domain.RoleSalesRep}, Email: "sam@vendor.example"}
	id := uuid.NewString()
	in := wf.OpportunityInput{OpportunityID: id, Seller: seller, Mode: domain.ShareFirstToAccept, Partners: partners,
		ExpiresAt: domain.InvitationExpiry(at, time.Time{}),
		Opportunity: wf.Opportunity{CustomerName: "Globex", RegistrableDomain: "globex.example", Country: "DE",
			ProductLines: []string{"firewall"}, Amount: 100, Currency: "EUR", ExpectedCloseDate: "2026-06-30"}}
	st := wf.OpportunityState{OpportunityID: id, Mode: in.Mode, Status: wf.OpportunityOpen, SellerEmail: seller.Email, Seq: 1,
		InvitedAt: at, UpdatedAt: at}
	for _, p := range partners {
		st.Invitations = append(st.Invitations, wf.Invitation{PartnerID: p, Status: wf.InvitationOpen, ExpiresAt: in.ExpiresAt})
	}
	a := cosell.New(testDB.Pool)
	start := cosell.OpportunityStart{WorkflowID: wf.OpportunityWorkflowID(id), Input: in, Event: cosell.OpportunityEvent{
		OpportunityID: id, Seq: 1, Type: "shared", Actor: seller.Actor, OccurredAt: at, State: st,
		Notify: []cosell.Notification{{Audience: "partner:" + partners[0], Kind: "cosell_invitation", Subject: "x"}}}}
	for i := 0; i < 2; i++ {
		if err := a.RecordSharedOpportunity(ctx, start); err != nil {
			t.Fatal(err)
		}
	}
	won := st
	won.Seq, won.Status, won.WinnerPartnerID, won.DealID = 2, wf.OpportunityAwarded, partners[0], uuid.NewString()
	won.Invitations = []wf.Invitation{
		{PartnerID: partners[0], Status: wf.InvitationAccepted, ExpiresAt: in.ExpiresAt, DecidedAt: at.Add(time.Hour), DealID: won.DealID},
		{PartnerID: partners[1], Status: wf.InvitationLost, ExpiresAt: in.ExpiresAt, DecidedAt: at.Add(time.Hour)}}
	ev := cosell.OpportunityEvent{OpportunityID: id, Seq: 2, Type: "accepted", PartnerID: partners[0],
		Actor: domain.Actor{ID: "u", Name: "Pat", Role: domain.RolePartnerUser, PartnerID: partners[0]}, OccurredAt: at.Add(time.Hour), State: won}
	for i := 0; i < 2; i++ {
		if err := a.RecordSharedOpportunityEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	events, _ := q.SharedOpportunityEventList(ctx, uuid.MustParse(id))
	notes, _ := q.SharedOpportunityNotificationList(ctx, uuid.NullUUID{UUID: uuid.MustParse(id), Valid: true})
	o, err := q.SharedOpportunityGet(ctx, dbq.SharedOpportunityGetParams{ID: uuid.MustParse(id)})
	if err != nil || len(events) != 2 || len(notes) != 1 || o.Status != "awarded" || o.WinnerPartnerID.UUID.String() != partners[0] {
		t.Fatalf("events %d, notifications %d, opportunity %+v (%v)", len(events), len(notes), o, err)
	}
	mine, err := q.PartnerInvitationList(ctx, dbq.PartnerInvitationListParams{PartnerID: uuid.MustParse(partners[1])})
	if err != nil || len(mine) != 1 || mine[0].Status != "lost" || mine[0].DealID.Valid {
		t.Fatalf("partner B's invitations %+v (%v)", mine, err)
	}
	var accepted int
	if err := testDB.Pool.QueryRow(ctx, `SELECT count(*) FROM cosell_invitations WHERE opportunity_id = $1 AND status = 'accepted' AND deal_id = $2`,
		id, won.DealID).Scan(&accepted); err != nil || accepted != 1 {
		t.Fatalf("accepted rows %d (%v)", accepted, err)
	}
	if _, err := testDB.Pool.Exec(ctx, `UPDATE cosell_invitations SET status = 'accepted' WHERE opportunity_id = $1 AND partner_id = $2`, id, partners[1]); err == nil {
		t.Fatal("a second winner was stored")
	}
	if _, err := testDB.Pool.Exec(ctx, `UPDATE cosell_opportunity_events SET reason = 'x' WHERE opportunity_id = $1`, id); err == nil {
		t.Fatal("an event was changed")
	}
}
