package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	dealacts "github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/activities/notify"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/clock"
	"github.com/dealflow/dealflow/internal/testenv"
	notifywf "github.com/dealflow/dealflow/workflows/notify"
	"github.com/google/uuid"
)

// submitWith records a submitted deal of partner (by actor) whose event writes notes,
// returning the deal id.
func submitWith(t *testing.T, partner uuid.UUID, actor dbq.User, customer string, when time.Time, notes ...dealacts.Notification) string {
	t.Helper()
	dealID := uuid.Must(uuid.NewV7()).String()
	reg := domain.Registration{Customer: domain.Customer{Name: customer, Domain: strings.ToLower(customer) + ".com", Country: "US"},
		RegistrableDomain: strings.ToLower(customer) + ".com", Contact: domain.Contact{Name: "Jo", Email: "jo@example.com"},
		ProductLines: []string{"vpn"}, Amount: 100000, Currency: "USD", ExpectedCloseDate: "2027-03-31"}
	if err := dealacts.New(testDB.Pool).RecordSubmission(context.Background(), dealacts.Submission{DealID: dealID,
		PartnerID: partner.String(), WorkflowID: "deal/" + dealID, Registration: reg,
		Event: dealacts.Event{DealID: dealID, Seq: 1, Type: "submitted", To: domain.StatusSubmitted, OccurredAt: when,
			Actor:    domain.Actor{ID: actor.ID.String(), Name: actor.Name, Role: domain.RolePartnerUser},
			Snapshot: &dealacts.Snapshot{Status: domain.StatusSubmitted, Registration: reg, RequiredApprovals: 1},
			Notify:   notes}}); err != nil {
		t.Fatal(err)
	}
	return dealID
}

// deliverAll delivers every pending notification.
func deliverAll(t *testing.T, acts *notify.Activities) {
	t.Helper()
	ctx := context.Background()
	pending, err := acts.NotifyAwaitPending(ctx, notifywf.AwaitRequest{Max: 100, Wait: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pending {
		if _, err := acts.NotifyDeliver(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// The daily digest: a person whose preference is daily_digest gets one
// e-mail a day listing what was kept for them since their last digest,
// grouped by deal with links; a second run of the same day sends nothing;
// a digest whose record was lost is sent again with the same Message-ID
// and the same contents; people with immediate delivery or e-mail off get
// no digest; the next day lists only what came after.
func TestDigestOncePerPersonAndDay(t *testing.T) {
	ctx := context.Background()
	mp, err := testenv.StartMailpit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer mp.Stop()
	q := dbq.New(testDB.Pool)
	p, err := q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: "Digest Partner", Type: "reseller", Tier: "gold"})
	if err != nil {
		t.Fatal(err)
	}
	gail := person(t, q, "gail@vendor.example", domain.RoleFinance, uuid.Nil) // daily digest
	hugo := person(t, q, "hugo@digest.example", domain.RolePartnerUser, p.ID) // daily digest, then off
	person(t, q, "ivy@vendor.example", domain.RoleFinance, uuid.Nil)          // immediate
	for u, mode := range map[uuid.UUID]string{gail.PersonID.UUID: notify.ModeDigest, hugo.PersonID.UUID: notify.ModeDigest} {
		if err := q.NotifyPreferenceSet(ctx, dbq.NotifyPreferenceSetParams{PersonID: u, EmailMode: mode, UpdatedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	acts := &notify.Activities{Pool: testDB.Pool, Clock: clock.Fixed(at), Poll: 10 * time.Millisecond,
		Settings: notify.Settings{SMTPAddr: mp.SMTPAddr, From: "dealflow <noreply@vendor.example>",
			ConsoleURL: "http://console.example", Secret: "0123456789abcdef"}}
	deal1 := submitWith(t, p.ID, hugo, "Alpha", at,
		dealacts.Notification{Audience: "role:finance", Kind: "closed_won", Subject: "Alpha: closed won"},
		dealacts.Notification{Audience: "partner:" + p.ID.String(), Kind: "approved", Subject: "Alpha: approved"})
	deal2 := submitWith(t, p.ID, hugo, "Beta", at.Add(time.Minute),
		dealacts.Notification{Audience: "role:finance", Kind: "closed_won", Subject: "Beta: closed won"})
	deal1b := func() {
		// A second event of deal 1 after deal 2's: the digest still lists
		// it under deal 1.
		if _, err := testDB.Pool.Exec(ctx, `INSERT INTO deal_events (deal_id, seq, type, from_status, to_status, actor_id, actor_name, actor_role, reason, occurred_at)
			SELECT deal_id, 2, 'closed_lost', to_status, to_status, actor_id, actor_name, actor_role, 'r', occurred_at FROM deal_events WHERE deal_id = $1 AND seq = 1`, deal1); err != nil {
			t.Fatal(err)
		}
		if err := q.NotificationInsert(ctx, dbq.NotificationInsertParams{DealID: uuid.MustParse(deal1), EventSeq: 2, Ordinal: 0,
			Audience: "role:finance", Kind: "closed_lost", Subject: "Alpha: closed lost", CreatedAt: at.Add(2 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	deal1b()
	deliverAll(t, acts)

	// Other tests' people share the database: look at this test's only.
	ours := map[string]bool{gail.PersonID.UUID.String(): true, hugo.PersonID.UUID.String(): true}
	dueOf := func(day string) []string {
		t.Helper()
		all, err := acts.NotifyDigestDue(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range all {
			if ours[p] {
				out = append(out, p)
			}
		}
		return out
	}
	day := "2026-11-27"
	due := dueOf(day)
	if !sameSet(due, gail.PersonID.UUID.String(), hugo.PersonID.UUID.String()) {
		t.Fatalf("due = %v", due)
	}
	sent, err := acts.NotifyDigestSend(ctx, notifywf.DigestRequest{PersonID: gail.PersonID.UUID.String(), Day: day})
	if err != nil || !sent {
		t.Fatalf("send: %v, %v", sent, err)
	}
	gails := func() []testenv.MailSummary {
		msgs, err := mp.Messages(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []testenv.MailSummary
		for _, m := range msgs {
			if m.To[0].Address == "gail@vendor.example" {
				out = append(out, m)
			}
		}
		return out
	}
	got := gails()
	wantID := strings.Trim(notify.DigestMessageID(gail.PersonID.UUID.String(), day, "noreply@vendor.example"), "<>")
	if len(got) != 1 || got[0].MessageID != wantID || got[0].Subject != "Your dealflow digest for 2026-11-27: 3 notifications" {
		t.Fatalf("gail's mail: %+v (want Message-ID %s)", got, wantID)
	}
	full, err := mp.Message(ctx, got[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	alpha, beta := strings.Index(full.Text, "Alpha: closed won"), strings.Index(full.Text, "Beta: closed won")
	lost := strings.Index(full.Text, "Alpha: closed lost")
	if alpha < 0 || beta < 0 || lost < 0 || !(alpha < lost && lost < beta) ||
		!strings.Contains(full.Text, "http://console.example/console/deals/"+deal1) ||
		!strings.Contains(full.HTML, "http://console.example/console/deals/"+deal2) ||
		!strings.Contains(full.Text, "http://console.example/console/notifications") ||
		!strings.Contains(full.Text, "/v1/notifications/unsubscribe?token=") {
		t.Fatalf("digest text:\n%s", full.Text)
	}

	// The same day again: nothing.
	if sent, err := acts.NotifyDigestSend(ctx, notifywf.DigestRequest{PersonID: gail.PersonID.UUID.String(), Day: day}); err != nil || sent {
		t.Fatalf("second send of the day: %v, %v", sent, err)
	}
	if n := len(gails()); n != 1 {
		t.Fatalf("gail holds %d digests", n)
	}
	// The worker died after sending, before recording: the retry sends
	// the same digest with the same Message-ID.
	if _, err := testDB.Pool.Exec(ctx, `DELETE FROM notification_digests WHERE person_id = $1`, gail.PersonID.UUID); err != nil {
		t.Fatal(err)
	}
	if due := dueOf(day); !sameSet(due, gail.PersonID.UUID.String(), hugo.PersonID.UUID.String()) {
		t.Fatalf("due after the lost record = %v", due)
	}
	if sent, err := acts.NotifyDigestSend(ctx, notifywf.DigestRequest{PersonID: gail.PersonID.UUID.String(), Day: day}); err != nil || !sent {
		t.Fatalf("resend: %v, %v", sent, err)
	}
	again := gails()
	if len(again) != 2 || again[0].MessageID != wantID || again[1].MessageID != wantID || again[0].Subject != again[1].Subject {
		t.Fatalf("after the retry gail holds %+v", again)
	}

	// Hugo turned e-mail off: no digest is due for him.
	if err := q.NotifyPreferenceSet(ctx, dbq.NotifyPreferenceSetParams{PersonID: hugo.PersonID.UUID, EmailMode: notify.ModeOff, UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}
	if due := dueOf(day); len(due) != 0 {
		t.Fatalf("due with hugo off = %v", due)
	}
	// Ivy (immediate) received her mails one by one and no digest.
	msgs, _ := mp.Messages(ctx)
	ivy := 0
	for _, m := range msgs {
		if m.To[0].Address == "ivy@vendor.example" {
			ivy++
			if strings.Contains(m.Subject, "digest") {
				t.Errorf("ivy got a digest: %s", m.Subject)
			}
		}
	}
	if ivy != 3 {
		t.Errorf("ivy got %d mails, want 3", ivy)
	}

	// The next day lists only what came after; a day with nothing for a
	// person sends nothing.
	submitWith(t, p.ID, hugo, "Gamma", at.Add(24*time.Hour),
		dealacts.Notification{Audience: "role:finance", Kind: "closed_won", Subject: "Gamma: closed won"})
	deliverAll(t, acts)
	next := "2026-11-28"
	if due := dueOf(next); !sameSet(due, gail.PersonID.UUID.String()) {
		t.Fatalf("due the next day = %v", due)
	}
	if sent, err := acts.NotifyDigestSend(ctx, notifywf.DigestRequest{PersonID: gail.PersonID.UUID.String(), Day: next}); err != nil || !sent {
		t.Fatalf("next day: %v, %v", sent, err)
	}
	latest := gails()
	if len(latest) != 3 || latest[0].Subject != "Your dealflow digest for 2026-11-28: 1 notification" { // newest first
		t.Fatalf("gail's mails: %+v", latest)
	}
	if sent, err := acts.NotifyDigestSend(ctx, notifywf.DigestRequest{PersonID: gail.PersonID.UUID.String(), Day: "2026-11-29"}); err != nil || sent {
		t.Fatalf("a day with nothing for gail: %v, %v", sent, err)
	}
}

func sameSet(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	seen := map[string]bool{}
	for _, g := range got {
		seen[g] = true
	}
	for _, w := range want {
		if !seen[w] {
			return false
		}
	}
	return true
}
