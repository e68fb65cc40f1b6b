package deal_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
)

// fixture creates a partner and a partner user to submit deals as.
func fixture(t *testing.T) (partnerID uuid.UUID, submitter domain.Actor) {
	t.Helper()
	ctx := context.Background()
	q := dbq.New(testDB.Pool)
	p, err := q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: "Northwind Resellers", Type: "reseller", Tier: "gold"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := q.UserEnsure(ctx, dbq.UserEnsureParams{Name: "Pat " + t.Name(), Role: "partner_user",
		PartnerID: uuid.NullUUID{UUID: p.ID, Valid: true}})
	if err != nil {
		t.Fatal(err)
	}
	return p.ID, domain.Actor{ID: u.ID.String(), Name: u.Name, Role: domain.RolePartnerUser}
}

func submission(partnerID uuid.UUID, submitter domain.Actor, at time.Time) deal.Submission {
	id := uuid.Must(uuid.NewV7()).String()
	s := deal.Submission{
		DealID: id, PartnerID: partnerID.String(), WorkflowID: "deal/" + id,
		Registration: domain.Registration{
			Customer:          domain.Customer{Name: "Acme Corp", Domain: "sales.acme.com", Country: "US"},
			RegistrableDomain: "acme.com",
			Contact:           domain.Contact{Name: "Jane Doe", Email: "jane@acme.com"},
			ProductLines:      []string{"firewall", "vpn"}, Amount: 1250000, Currency: "USD",
			ExpectedCloseDate: "2027-03-31", Notes: "'; DROP TABLE deals; --",
		},
		Event: deal.Event{DealID: id, Seq: 1, Type: "submitted", To: domain.StatusSubmitted, Actor: submitter, OccurredAt: at},
	}
	s.Event.Snapshot = snapshot(s.Registration, domain.StatusSubmitted)
	return s
}

func snapshot(r domain.Registration, status domain.Status) *deal.Snapshot {
	return &deal.Snapshot{Status: status, Registration: r, RequiredApprovals: 1}
}

// RecordSubmission writes the deal and its first event once, however often
// it is retried, and stores every field verbatim.
func TestRecordSubmissionIdempotent(t *testing.T) {
	ctx := context.Background()
	partnerID, submitter := fixture(t)
	a := deal.New(testDB.Pool)
	at := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	s := submission(partnerID, submitter, at)
	for i := 0; i < 3; i++ {
		if err := a.RecordSubmission(ctx, s); err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	q := dbq.New(testDB.Pool)
	d, err := q.DealGet(ctx, dbq.DealGetParams{ID: uuid.MustParse(s.DealID)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != "submitted" || d.LastEventSeq != 1 || d.Amount != 1250000 || d.CustomerRegistrableDomain != "acme.com" ||
		d.Notes != "'; DROP TABLE deals; --" || len(d.ProductLines) != 2 || !d.CreatedAt.Equal(at) ||
		d.ExpectedCloseDate.Format(time.DateOnly) != "2027-03-31" {
		t.Fatalf("stored deal = %+v", d)
	}
	events, err := q.DealEventList(ctx, dbq.DealEventListParams{DealID: d.ID})
	if err != nil || len(events) != 1 {
		t.Fatalf("events = %v, %v", events, err)
	}
	if e := events[0]; e.ActorID != submitter.ID || e.ActorRole != "partner_user" || e.FromStatus.Valid {
		t.Fatalf("event = %+v", e)
	}
}

// RecordEvent moves the projection with its event in one transaction; a
// retried or stale event changes nothing.
func TestRecordEventMovesProjectionOnce(t *testing.T) {
	ctx := context.Background()
	partnerID, submitter := fixture(t)
	a := deal.New(testDB.Pool)
	at := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	s := submission(partnerID, submitter, at)
	if err := a.RecordSubmission(ctx, s); err != nil {
		t.Fatal(err)
	}
	manager := domain.Actor{ID: uuid.NewString(), Name: "Morgan", Role: domain.RoleChannelManager}
	review := deal.Event{DealID: s.DealID, Seq: 2, Type: "review_requested", From: domain.StatusSubmitted,
		To: domain.StatusPendingApproval, Actor: domain.SystemActor, OccurredAt: at.Add(time.Second),
		Snapshot: snapshot(s.Registration, domain.StatusPendingApproval),
		Notify:   []deal.Notification{{Audience: "role:channel_manager", Kind: "review_needed", Subject: "Acme Corp: review"}}}
	approvedSnap := snapshot(s.Registration, domain.StatusApproved)
	approvedSnap.Approvals = 1
	approvedSnap.ExpiresAt = at.Add(90 * 24 * time.Hour)
	approvedSnap.Registration.Amount = 1300000
	approve := deal.Event{DealID: s.DealID, Seq: 3, Type: "approved", From: domain.StatusPendingApproval,
		To: domain.StatusApproved, Actor: manager, Reason: "good fit", OccurredAt: at.Add(time.Hour),
		Payload: json.RawMessage(`{"level":1}`), Snapshot: approvedSnap,
		Notify: []deal.Notification{{Audience: "partner:" + partnerID.String(), Kind: "approved", Subject: "Acme Corp: approved"}}}
	for _, e := range []deal.Event{review, approve, approve, review} {
		if err := a.RecordEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	q := dbq.New(testDB.Pool)
	d, err := q.DealGet(ctx, dbq.DealGetParams{ID: uuid.MustParse(s.DealID)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != "approved" || d.LastEventSeq != 3 || !d.UpdatedAt.Equal(at.Add(time.Hour)) || d.Approvals != 1 ||
		d.Amount != 1300000 || !d.ExpiresAt.Time.Equal(at.Add(90*24*time.Hour)) || d.SlaDueAt.Valid {
		t.Fatalf("projection = %+v", d)
	}
	notes, err := q.NotificationListForDeal(ctx, d.ID)
	if err != nil || len(notes) != 2 || notes[0].Audience != "role:channel_manager" || notes[1].Kind != "approved" {
		t.Fatalf("notifications = %+v, %v", notes, err)
	}
	events, err := q.DealEventList(ctx, dbq.DealEventListParams{DealID: d.ID})
	if err != nil || len(events) != 3 {
		t.Fatalf("events = %d, %v", len(events), err)
	}
	if e := events[2]; e.Reason != "good fit" || e.ActorName != "Morgan" || string(e.Payload) != `{"level": 1}` {
		t.Fatalf("approval event = %+v payload %s", e, e.Payload)
	}
}

// The event history is append-only: the database itself refuses UPDATE and
// DELETE, whoever asks.
func TestDealEventsAppendOnly(t *testing.T) {
	ctx := context.Background()
	partnerID, submitter := fixture(t)
	s := submission(partnerID, submitter, time.Now().UTC())
	if err := deal.New(testDB.Pool).RecordSubmission(ctx, s); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"UPDATE deal_events SET reason = 'edited' WHERE deal_id = $1",
		"DELETE FROM deal_events WHERE deal_id = $1",
	} {
		if _, err := testDB.Pool.Exec(ctx, stmt, s.DealID); err == nil {
			t.Fatalf("%q succeeded on an append-only table", stmt)
		}
	}
}
