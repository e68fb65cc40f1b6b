package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestEveryTemplateLinksTheDealAndUnsubscribe(t *testing.T) {
	m := Mail{NotificationID: 7, From: "dealflow <noreply@vendor.example>", To: "ann@partner.example", Kind: "approved",
		Subject: "Acme <Corp>: approved", Customer: "Acme <Corp>", DealURL: "http://c.example/console/deals/d1",
		UnsubscribeURL: "http://c.example/v1/notifications/unsubscribe?token=a.b", Date: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	text, html, err := Render(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Your deal registration was approved", "Acme <Corp>", m.DealURL, m.UnsubscribeURL} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{`href="http://c.example/console/deals/d1"`, "Acme &lt;Corp&gt;", "token=a.b"} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "<Corp>") {
		t.Error("html does not escape the customer's name")
	}
	m.UnsubscribeURL = ""
	if text, _, _ := Render(m); strings.Contains(text, "Stop these e-mails") {
		t.Error("unsubscribe line without a link")
	}
	for kind := range wordings {
		if w := WordingFor(kind); w.Headline == "" || w.Action == "" {
			t.Errorf("%s: empty wording", kind)
		}
	}
	if w := WordingFor("something_new"); w.Headline == "" {
		t.Error("no generic wording")
	}
}

func TestMessageIDIsStablePerNotificationAndRecipient(t *testing.T) {
	a := MessageID(7, "ann@partner.example", "dealflow <noreply@vendor.example>")
	if a != MessageID(7, "ANN@partner.example", "dealflow <noreply@vendor.example>") {
		t.Error("the id depends on the address's case")
	}
	if a == MessageID(8, "ann@partner.example", "noreply@vendor.example") || a == MessageID(7, "bob@partner.example", "noreply@vendor.example") {
		t.Error("two deliveries share an id")
	}
	if !strings.HasPrefix(a, "<notification-7.") || !strings.HasSuffix(a, "@vendor.example>") {
		t.Errorf("id = %s", a)
	}
	msg, err := Compose(Mail{NotificationID: 7, From: "noreply@vendor.example", To: "ann@partner.example", Kind: "approved",
		Subject: "Ünïcode: approved", DealURL: "http://x/console/deals/1", UnsubscribeURL: "http://x/u"})
	if err != nil {
		t.Fatal(err)
	}
	s := string(msg)
	for _, want := range []string{"Message-ID: " + MessageID(7, "ann@partner.example", "noreply@vendor.example") + "\r\n",
		"List-Unsubscribe: <http://x/u>", "multipart/alternative", "text/plain; charset=utf-8", "text/html; charset=utf-8", "=?utf-8?q?"} {
		if !strings.Contains(s, want) {
			t.Errorf("message lacks %q", want)
		}
	}
}

func TestParseAudience(t *testing.T) {
	p := uuid.New()
	for in, want := range map[string]Audience{"role:channel_manager": {Role: "channel_manager"},
		"partner:" + p.String(): {Partner: p}, "email:Esc@Vendor.example": {Email: "esc@vendor.example"}} {
		if got, err := ParseAudience(in); err != nil || got != want {
			t.Errorf("%s: %+v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "role:", "partner:nope", "email:nobody", "team:x", "channel_manager"} {
		if _, err := ParseAudience(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// An invitation concerns no deal: its own text (with its single-use link)
// is the mail, with no deal link and no customer line.
func TestInvitationMailCarriesItsLink(t *testing.T) {
	m := Mail{NotificationID: 9, From: "noreply@vendor.example", To: "ivy@partner.example", Kind: "invitation",
		Subject: "Your invitation to dealflow", Body: "Open http://c.example/console/invitations/accept?token=t1 to set your password.",
		Date: time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC)}
	text, html, err := Render(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{text, html} {
		if !strings.Contains(out, "accept?token=t1") || !strings.Contains(out, "You are invited to dealflow") {
			t.Errorf("the invitation lacks its link or headline:\n%s", out)
		}
		if strings.Contains(out, "Customer:") || strings.Contains(out, "Open the deal") {
			t.Errorf("an invitation names no deal:\n%s", out)
		}
	}
}
