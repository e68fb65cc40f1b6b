package lifecycle

import (
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/quote"
)

// notified lists every notification the recorded events carry, as
// "event>audience:kind".
func (d *quoteDB) notified() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for _, e := range d.events {
		for _, n := range e.Notify {
			out = append(out, e.Type+">"+n.Audience+":"+n.Kind)
		}
	}
	return out
}

// An approval that waits past its SLA reminds the approvers whose turn it
// is, at twice it escalates to them and the admins, both through the
// notifications outbox (so they are e-mailed); before the quote expires
// its partner is reminded, and told when it has expired — each at its
// virtual time, with time skipping.
func TestQuoteReminderNotifications(t *testing.T) {
	h := newHarness(t)
	in := input
	in.Lines = []domain.LineRequest{{SKU: "SEAT", Quantity: 10, AdditionalBP: 1500}} // a manager, then finance
	h.do(time.Hour, quote.UpdateSubmit, quote.Decision{Actor: partnerActor})
	h.do(2*time.Hour, quote.UpdateApprove, quote.Decision{Actor: manager})
	h.run(in)
	partner := "partner:" + partnerID
	want := []string{
		"submitted>role:channel_manager:quote_approval_needed",
		"approval_recorded>role:finance:quote_approval_needed",
		"approval_reminder>role:finance:quote_approval_reminder",
		"approval_escalated>role:finance:quote_escalated",
		"approval_escalated>role:admin:quote_escalated",
		"expiry_reminder>" + partner + ":quote_expiring",
		"expired>" + partner + ":quote_expired",
	}
	if got := h.db.notified(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("notifications\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	at := map[string]time.Time{}
	for _, e := range h.db.events {
		at[e.Type] = e.OccurredAt
		for _, n := range e.Notify {
			if !strings.Contains(n.Subject, "quote v1, 850.00 USD") || !strings.Contains(n.Body, "/console/quotes/q-1/document.html") {
				t.Errorf("%s notification %+v", e.Type, n)
			}
		}
	}
	for typ, want := range map[string]time.Time{"approval_reminder": start.Add(time.Hour + day), "approval_escalated": start.Add(time.Hour + 2*day),
		"expiry_reminder": start.Add(25 * day), "expired": start.Add(30 * day)} {
		if !at[typ].Equal(want) {
			t.Errorf("%s at %s, want %s", typ, at[typ], want)
		}
	}
}

// A decision tells the partner; a quote approved automatically tells
// nobody but the partner.
func TestQuoteDecisionNotifications(t *testing.T) {
	h := newHarness(t)
	h.do(time.Hour, quote.UpdateSubmit, quote.Decision{Actor: partnerActor})
	h.do(2*time.Hour, quote.UpdateWithdraw, quote.Decision{Actor: partnerActor})
	h.run(input)
	if got, want := strings.Join(h.db.notified(), " "), "approved>partner:"+partnerID+":quote_approved"; got != want {
		t.Errorf("notifications %q, want %q", got, want)
	}
}
