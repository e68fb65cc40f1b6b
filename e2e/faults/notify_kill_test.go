package faults

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	dealacts "github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/google/uuid"
)

// 1,000 notifications in the outbox (four deals' events), delivered by
// e-mail and to a webhook subscription, the worker delivering them
// SIGKILLed twice mid-way and restarted: every one arrives in Mailpit and
// at the webhook receiver (each webhook's signature verified); an address
// that got a message twice got it with one Message-ID, an event that
// arrived twice with one webhook-id; each deal's events arrived in order;
// nothing is lost.
func TestNotificationsSurviveKilledWorker(t *testing.T) {
	const total = 1000
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	mp, err := testenv.StartMailpit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer mp.Stop()
	s := newFaultStack(ctx, t, "", "DEALFLOW_SMTP_ADDR="+mp.SMTPAddr, "DEALFLOW_MAIL_FROM=noreply@vendor.example")
	partner := s.run(ctx, t, "partner", "create", "--name", "Northwind", "--type", "reseller", "--tier", "gold")
	pool, err := db.Connect(ctx, s.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	s.run(ctx, t, "token", "create", "--role", "partner_user", "--partner", partner, "--name", "Pat", "--email", "pat@northwind.example")
	var userID string
	if err := pool.QueryRow(ctx, `SELECT id::text FROM users WHERE partner_id = $1`, partner).Scan(&userID); err != nil {
		t.Fatal(err)
	}
	hooks := newHookReceiver(t)
	if _, err := dbq.New(pool).WebhookSubscriptionCreate(ctx, dbq.WebhookSubscriptionCreateParams{ID: uuid.Must(uuid.NewV7()),
		Url: hooks.srv.URL + "/hooks", EventTypes: []string{}, Secret: hooks.secret, CreatedBy: uuid.MustParse(userID),
		CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	// Four deals' submissions carrying the 1,000 notifications, each to an
	// address of its own.
	const deals = 4
	for d := 0; d < deals; d++ {
		notes := make([]dealacts.Notification, total/deals)
		for j := range notes {
			i := d*total/deals + j
			notes[j] = dealacts.Notification{Audience: fmt.Sprintf("email:r%04d@example.com", i), Kind: "approved", Subject: fmt.Sprintf("note %04d", i)}
		}
		dealID := uuid.Must(uuid.NewV7()).String()
		reg := domain.Registration{Customer: domain.Customer{Name: fmt.Sprintf("Acme %d", d), Domain: fmt.Sprintf("acme%d.com", d), Country: "US"},
			RegistrableDomain: fmt.Sprintf("acme%d.com", d), Contact: domain.Contact{Name: "Jo", Email: "jo@acme.com"},
			ProductLines: []string{"vpn"}, Amount: 100000, Currency: "USD", ExpectedCloseDate: "2027-03-31"}
		if err := dealacts.New(pool).RecordSubmission(ctx, dealacts.Submission{DealID: dealID, PartnerID: partner,
			WorkflowID: "deal/" + dealID, Registration: reg,
			Event: dealacts.Event{DealID: dealID, Seq: 1, Type: "submitted", To: domain.StatusSubmitted, OccurredAt: time.Now().UTC(),
				Actor:    domain.Actor{ID: userID, Name: "Pat", Role: domain.RolePartnerUser},
				Snapshot: &dealacts.Snapshot{Status: domain.StatusSubmitted, Registration: reg, RequiredApprovals: 1},
				Notify:   notes}}); err != nil {
			t.Fatal(err)
		}
	}

	var log bytes.Buffer
	w := s.process(&log, "worker")
	w.start(t)
	count := func() int {
		msgs, err := mp.Messages(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(msgs)
	}
	// Each kill comes when either channel reaches the mark, so that both
	// are in the middle of their delivery.
	for _, at := range []int{150, 500} {
		for mails := count(); mails < at && hooks.distinct() < at; mails = count() {
			if ctx.Err() != nil {
				t.Fatalf("only %d mails and %d webhooks before the kill at %d\n%s", mails, hooks.distinct(), at, log.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		w.kill()
		t.Logf("worker killed after %d mails and %d webhooks", count(), hooks.distinct())
		w.start(t)
	}
	for {
		var left int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE delivered_at IS NULL`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("%d notifications never delivered\n%s", left, log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	defer w.kill()
	for hooks.distinct() < total {
		if ctx.Err() != nil {
			t.Fatalf("%d of %d webhooks arrived\n%s", hooks.distinct(), total, log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	hooks.check(t, total, deals)
	msgs, err := mp.Messages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]map[string]bool{}
	for _, m := range msgs {
		to := m.To[0].Address
		if ids[to] == nil {
			ids[to] = map[string]bool{}
		}
		ids[to][m.MessageID] = true
	}
	if len(ids) != total {
		t.Fatalf("%d addresses received mail, want %d", len(ids), total)
	}
	for to, set := range ids {
		if len(set) != 1 {
			t.Errorf("%s received %d different Message-IDs", to, len(set))
		}
	}
	var sent int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM notification_deliveries WHERE status = 'sent'`).Scan(&sent); err != nil || sent != total {
		t.Errorf("deliveries recorded = %d, %v", sent, err)
	}
	t.Logf("%d messages for %d notifications (%d duplicates, each with its original's Message-ID)", len(msgs), total, len(msgs)-total)
}
