package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	dealacts "github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/activities/notify"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/clock"
	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/dealflow/dealflow/internal/unsubscribe"
	notifywf "github.com/dealflow/dealflow/workflows/notify"
	"github.com/google/uuid"
)

var at = time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)

func person(t *testing.T, q *dbq.Queries, email string, role domain.Role, partner uuid.UUID) dbq.User {
	t.Helper()
	u, err := db.EnsureTokenHolder(context.Background(), q, db.TokenHolder{Email: email, Role: role,
		PartnerID: uuid.NullUUID{UUID: partner, Valid: partner != uuid.Nil}})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// A deal's notifications reach every recipient of their audience once, by
// a real SMTP server (Mailpit, read back through its API): a partner's
// people, a role's people, an address; each person's preference honoured;
// a repeated delivery sends nothing; a delivery whose recording was lost
// sends again with the same Message-ID.
func TestDeliverSendsOncePerRecipientHonouringPreferences(t *testing.T) {
	ctx := context.Background()
	mp, err := testenv.StartMailpit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer mp.Stop()
	q := dbq.New(testDB.Pool)
	p, err := q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: "Northwind", Type: "reseller", Tier: "gold"})
	if err != nil {
		t.Fatal(err)
	}
	ann := person(t, q, "ann@northwind.example", domain.RolePartnerUser, p.ID)
	bob := person(t, q, "bob@northwind.example", domain.RolePartnerAdmin, p.ID)
	carol := person(t, q, "carol@vendor.example", domain.RoleChannelManager, uuid.Nil)
	person(t, q, "dave@vendor.example", domain.RoleChannelManager, uuid.Nil)
	for u, mode := range map[dbq.User]string{bob: notify.ModeOff, carol: notify.ModeDigest} {
		if err := q.NotifyPreferenceSet(ctx, dbq.NotifyPreferenceSetParams{PersonID: u.PersonID.UUID, EmailMode: mode, UpdatedAt: at}); err != nil {
			t.Fatal(err)
		}
	}

	dealID := uuid.Must(uuid.NewV7()).String()
	deals := dealacts.New(testDB.Pool)
	reg := domain.Registration{Customer: domain.Customer{Name: "Acme Corp", Domain: "acme.com", Country: "US"},
		RegistrableDomain: "acme.com", Contact: domain.Contact{Name: "Jane", Email: "jane@acme.com"},
		ProductLines: []string{"vpn"}, Amount: 100000, Currency: "USD", ExpectedCloseDate: "2027-03-31"}
	actor := domain.Actor{ID: ann.ID.String(), Name: ann.Name, Role: domain.RolePartnerUser}
	sub := dealacts.Submission{DealID: dealID, PartnerID: p.ID.String(), WorkflowID: "deal/" + dealID, Registration: reg,
		Event: dealacts.Event{DealID: dealID, Seq: 1, Type: "submitted", To: domain.StatusSubmitted, Actor: actor, OccurredAt: at,
			Snapshot: &dealacts.Snapshot{Status: domain.StatusSubmitted, Registration: reg, RequiredApprovals: 1},
			Notify: []dealacts.Notification{
				{Audience: "role:channel_manager", Kind: "review_needed", Subject: "Acme Corp: registration awaits review"},
				{Audience: "partner:" + p.ID.String(), Kind: "approved", Subject: "Acme Corp: approved"},
				{Audience: "email:Escalations@Vendor.example", Kind: "escalated", Subject: "Acme Corp: review SLA missed"}}}}
	if err := deals.RecordSubmission(ctx, sub); err != nil {
		t.Fatal(err)
	}
	acts := &notify.Activities{Pool: testDB.Pool, Clock: clock.Fixed(at.Add(time.Minute)), Poll: 10 * time.Millisecond,
		Settings: notify.Settings{SMTPAddr: mp.SMTPAddr, From: "dealflow <noreply@vendor.example>",
			ConsoleURL: "http://console.example", Secret: "0123456789abcdef"}}
	pending, err := acts.NotifyAwaitPending(ctx, notifywf.AwaitRequest{Max: 10, Wait: time.Second})
	if err != nil || len(pending) != 3 || pending[0].DealID != dealID || pending[0].ID >= pending[1].ID {
		t.Fatalf("pending = %+v, %v", pending, err)
	}
	want := []string{"sent 1 digest 1", "sent 1 off 1", "sent 1"}
	for i, n := range pending {
		out, err := acts.NotifyDeliver(ctx, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := summary(out); got != want[i] {
			t.Errorf("notification %d: %s, want %s", i, got, want[i])
		}
		again, err := acts.NotifyDeliver(ctx, n.ID)
		if err != nil || summary(again) != "" {
			t.Errorf("repeated delivery: %+v, %v", again, err)
		}
	}
	if left, _ := acts.NotifyAwaitPending(ctx, notifywf.AwaitRequest{Max: 10, Wait: 50 * time.Millisecond}); len(left) != 0 {
		t.Errorf("still pending: %+v", left)
	}

	msgs, err := mp.Messages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	to := map[string][]testenv.MailSummary{}
	for _, m := range msgs {
		to[m.To[0].Address] = append(to[m.To[0].Address], m)
	}
	if len(msgs) != 3 || len(to["ann@northwind.example"]) != 1 || len(to["dave@vendor.example"]) != 1 || len(to["escalations@vendor.example"]) != 1 {
		t.Fatalf("mailpit holds %d messages: %v", len(msgs), to)
	}
	annMsg := to["ann@northwind.example"][0]
	full, err := mp.Message(ctx, annMsg.ID)
	if err != nil {
		t.Fatal(err)
	}
	link := "http://console.example/console/deals/" + dealID
	unsub := "http://console.example/v1/notifications/unsubscribe?token=" + unsubscribe.Token("0123456789abcdef", ann.PersonID.UUID)
	if full.Subject != "Acme Corp: approved" || !strings.Contains(full.Text, link) || !strings.Contains(full.HTML, link) ||
		!strings.Contains(full.Text, unsub) || !strings.Contains(full.Text, "Your deal registration was approved") {
		t.Errorf("ann's mail: %+v", full)
	}
	wantID := strings.Trim(notify.MessageID(pending[1].ID, "ann@northwind.example", "noreply@vendor.example"), "<>")
	if annMsg.MessageID != wantID {
		t.Errorf("Message-ID = %q, want %q", annMsg.MessageID, wantID)
	}

	// The worker died after sending, before recording: the retry sends
	// again, with the same Message-ID.
	for _, sql := range []string{`DELETE FROM notification_deliveries WHERE notification_id = $1 AND recipient = 'ann@northwind.example'`,
		`UPDATE notifications SET delivered_at = NULL WHERE id = $1`} {
		if _, err := testDB.Pool.Exec(ctx, sql, pending[1].ID); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := acts.NotifyDeliver(ctx, pending[1].ID); err != nil || summary(out) != "sent 1 already 1" {
		t.Fatalf("redelivery: %+v, %v", out, err)
	}
	msgs, _ = mp.Messages(ctx)
	var ids []string
	for _, m := range msgs {
		if m.To[0].Address == "ann@northwind.example" {
			ids = append(ids, m.MessageID)
		}
	}
	if len(ids) != 2 || ids[0] != wantID || ids[1] != wantID {
		t.Errorf("ann's messages after the retry: %v", ids)
	}
	rows, err := q.NotifyDeliveriesFor(ctx, pending[0].ID)
	if err != nil || len(rows) != 2 || rows[0].Recipient != "carol@vendor.example" || rows[0].Status != "digest" || rows[1].Status != "sent" {
		t.Errorf("deliveries of the managers' notification: %+v, %v", rows, err)
	}
}

// With the SMTP server unreachable a delivery fails to be retried and
// records nothing.
func TestDeliverWithSMTPDownRecordsNothing(t *testing.T) {
	ctx := context.Background()
	q := dbq.New(testDB.Pool)
	p, err := q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: "Contoso", Type: "reseller", Tier: "gold"})
	if err != nil {
		t.Fatal(err)
	}
	u := person(t, q, "erin@contoso.example", domain.RolePartnerUser, p.ID)
	dealID := uuid.Must(uuid.NewV7()).String()
	reg := domain.Registration{Customer: domain.Customer{Name: "Fabrikam", Domain: "fabrikam.com", Country: "US"},
		RegistrableDomain: "fabrikam.com", Contact: domain.Contact{Name: "Jo", Email: "jo@fabrikam.com"},
		ProductLines: []string{"vpn"}, Amount: 100000, Currency: "USD", ExpectedCloseDate: "2027-03-31"}
	if err := dealacts.New(testDB.Pool).RecordSubmission(ctx, dealacts.Submission{DealID: dealID, PartnerID: p.ID.String(),
		WorkflowID: "deal/" + dealID, Registration: reg,
		Event: dealacts.Event{DealID: dealID, Seq: 1, Type: "submitted", To: domain.StatusSubmitted, OccurredAt: at,
			Actor:    domain.Actor{ID: u.ID.String(), Name: u.Name, Role: domain.RolePartnerUser},
			Snapshot: &dealacts.Snapshot{Status: domain.StatusSubmitted, Registration: reg, RequiredApprovals: 1},
			Notify:   []dealacts.Notification{{Audience: "partner:" + p.ID.String(), Kind: "approved", Subject: "Fabrikam: approved"}}}}); err != nil {
		t.Fatal(err)
	}
	notes, err := q.NotificationListForDeal(ctx, uuid.MustParse(dealID))
	if err != nil || len(notes) != 1 {
		t.Fatal(notes, err)
	}
	acts := &notify.Activities{Pool: testDB.Pool, Settings: notify.Settings{SMTPAddr: "127.0.0.1:1", From: "noreply@vendor.example"}}
	if _, err := acts.NotifyDeliver(ctx, notes[0].ID); err == nil {
		t.Fatal("delivered with no SMTP server")
	}
	if rows, _ := q.NotifyDeliveriesFor(ctx, notes[0].ID); len(rows) != 0 {
		t.Errorf("recorded %+v", rows)
	}
}

func summary(o interface{ String() string }) string { return o.String() }
