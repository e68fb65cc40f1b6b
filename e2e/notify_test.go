package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/dealflow/dealflow/workflows/notify"
)

// mailsTo waits up to limit for at least n messages to address whose
// subject contains subject, then returns them all.
func mailsTo(t *testing.T, address, subject string, n int, limit time.Duration) []testenv.MailSummary {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		msgs, err := stack.mailpit.Messages(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var out []testenv.MailSummary
		for _, m := range msgs {
			if len(m.To) == 1 && m.To[0].Address == address && strings.Contains(m.Subject, subject) {
				out = append(out, m)
			}
		}
		if len(out) >= n || time.Now().After(deadline) {
			return out
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A deal submitted and approved through the real binary: the partner's
// user receives the approval e-mail from the notify/email workflow, with
// the deal's console link, exactly once; a delivery whose recording is
// lost is sent again with the same Message-ID.
func TestApprovalMailReachesPartnerOnce(t *testing.T) {
	body := dealBody()
	customer := body["customer"].(map[string]any)["name"].(string)
	id := call(t, http.MethodPost, "/v1/deals", stack.tokens["partnerA"], body).must(t, http.StatusCreated).str("id")
	call(t, http.MethodPost, "/v1/deals/"+id+"/approve", stack.tokens["manager"],
		map[string]string{"reason": "strategic account"}).must(t, http.StatusOK)

	got := mailsTo(t, "pat@northwind.example", customer, 1, 20*time.Second)
	if len(got) != 1 {
		t.Fatalf("pat received %d mails about %s\n%s", len(got), customer, stack.devLog.String())
	}
	full, err := stack.mailpit.Message(context.Background(), got[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	link := stack.baseURL + "/console/deals/" + id
	if !strings.Contains(full.Subject, "approved") || !strings.Contains(full.Text, link) || !strings.Contains(full.HTML, link) ||
		!strings.Contains(full.Text, "/v1/notifications/unsubscribe?token=") {
		t.Fatalf("approval mail = %+v", full)
	}
	// The manager was told of the review; nobody outside the partner got
	// the partner's mail.
	if len(mailsTo(t, "morgan@vendor.example", customer, 1, 10*time.Second)) != 1 {
		t.Error("the channel manager was not told of the review")
	}
	if len(mailsTo(t, "bo@contoso.example", customer, 1, 0)) != 0 {
		t.Error("another partner's user received the mail")
	}
	// Nothing more arrives for pat: exactly once.
	time.Sleep(time.Second)
	if again := mailsTo(t, "pat@northwind.example", customer, 2, 0); len(again) != 1 {
		t.Fatalf("pat received %d mails", len(again))
	}

	// The worker died after sending and before recording: the delivery
	// is done again, with the same Message-ID.
	ctx := context.Background()
	var nid int64
	if err := stack.pool.QueryRow(ctx, `SELECT n.id FROM notifications n WHERE n.deal_id = $1 AND n.kind = 'approved'`, id).Scan(&nid); err != nil {
		t.Fatal(err)
	}
	if _, err := stack.pool.Exec(ctx, `DELETE FROM notification_deliveries WHERE notification_id = $1 AND recipient = 'pat@northwind.example'`, nid); err != nil {
		t.Fatal(err)
	}
	if _, err := stack.pool.Exec(ctx, `UPDATE notifications SET delivered_at = NULL WHERE id = $1`, nid); err != nil {
		t.Fatal(err)
	}
	twice := mailsTo(t, "pat@northwind.example", customer, 2, 20*time.Second)
	if len(twice) != 2 || twice[0].MessageID != twice[1].MessageID {
		t.Fatalf("after the retry pat holds %+v; want two copies of one Message-ID", twice)
	}
	recordHistory(t, notify.EmailWorkflowID, "v2-notification-delivery-batched.json")
}

// A person sets their own preference; the e-mail's unsubscribe link (a
// confirmation page, then a post) turns their e-mail off, and the next
// notification skips them while reaching the others.
func TestNotificationPreferencesAndUnsubscribe(t *testing.T) {
	ada := stack.tokens["adminA"]
	prefs := "/v1/me/notification-preferences"
	if r := call(t, http.MethodGet, prefs, ada, nil).must(t, http.StatusOK); r.str("email") != "immediate" {
		t.Fatalf("default preference = %s", r.raw)
	}
	call(t, http.MethodPut, prefs, ada, map[string]string{"email": "weekly"}).problem(t, http.StatusUnprocessableEntity, "urn:dealflow:problem:validation")

	approve := func() string {
		body := dealBody()
		id := call(t, http.MethodPost, "/v1/deals", stack.tokens["partnerA"], body).must(t, http.StatusCreated).str("id")
		call(t, http.MethodPost, "/v1/deals/"+id+"/approve", stack.tokens["manager"],
			map[string]string{"reason": "strategic account"}).must(t, http.StatusOK)
		return body["customer"].(map[string]any)["name"].(string)
	}
	customer := approve()
	got := mailsTo(t, "ada@northwind.example", customer, 1, 20*time.Second)
	if len(got) != 1 {
		t.Fatalf("ada received %d mails", len(got))
	}
	full, err := stack.mailpit.Message(context.Background(), got[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(full.Text, stack.baseURL+"/v1/notifications/unsubscribe?token=")
	if i < 0 {
		t.Fatalf("no unsubscribe link in %q", full.Text)
	}
	link := strings.Fields(full.Text[i:])[0]
	page := call(t, http.MethodGet, strings.TrimPrefix(link, stack.baseURL), "", nil).must(t, http.StatusOK)
	if !strings.Contains(string(page.raw), `method="post"`) {
		t.Fatalf("confirmation page = %s", page.raw)
	}
	if r := call(t, http.MethodGet, prefs, ada, nil); r.str("email") != "immediate" {
		t.Fatal("opening the link changed the preference")
	}
	call(t, http.MethodPost, "/v1/notifications/unsubscribe?token=forged.token", "", nil).must(t, http.StatusNotFound)
	call(t, http.MethodPost, strings.TrimPrefix(link, stack.baseURL), "", nil).must(t, http.StatusOK)
	if r := call(t, http.MethodGet, prefs, ada, nil); r.str("email") != "off" {
		t.Fatalf("after unsubscribing: %s", r.raw)
	}

	next := approve()
	if len(mailsTo(t, "pat@northwind.example", next, 1, 20*time.Second)) != 1 {
		t.Fatal("pat did not receive the next approval")
	}
	time.Sleep(500 * time.Millisecond)
	if n := len(mailsTo(t, "ada@northwind.example", next, 1, 0)); n != 0 {
		t.Errorf("ada unsubscribed but received %d mails", n)
	}
	call(t, http.MethodPut, prefs, ada, map[string]string{"email": "immediate"}).must(t, http.StatusOK)
}
