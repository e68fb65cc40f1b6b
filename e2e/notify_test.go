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
	recordHistory(t, notify.EmailWorkflowID, "v1-notification-delivery.json")
}
