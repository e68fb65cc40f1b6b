package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// Through the real binary: a partner's referral waits in the vendor's
// queue. A partner may not take a manager's step (403); a close without
// its reason code is refused per field (422). The manager assigns the
// queued lead to partner B (a new run of its ended workflow): B is
// offered it and hears of it in its feed; closing it withdraws B's offer.
// A second referral converts into a referral-kind registration credited to
// partner A, and the lead links to its deal.
func TestLeadManagerStepsOverHTTP(t *testing.T) {
	mgr := stack.tokens["manager"]
	refer := func(name string) string {
		return call(t, http.MethodPost, "/v1/referrals", stack.tokens["partnerA"], leadBody(name)).must(t, http.StatusCreated).str("id")
	}
	id := refer("managed-referral.example")
	call(t, http.MethodPost, "/v1/leads/"+id+"/close", stack.tokens["partnerA"], map[string]any{"close_reason": "junk"}).
		problem(t, http.StatusForbidden, "urn:dealflow:problem:forbidden")
	p := call(t, http.MethodPost, "/v1/leads/"+id+"/close", mgr, map[string]any{}).
		problem(t, http.StatusUnprocessableEntity, "urn:dealflow:problem:validation")
	if p.fieldErrors()["close_reason"] == "" {
		t.Fatalf("close without a reason code: %s", p.raw)
	}
	call(t, http.MethodPost, "/v1/leads/"+id+"/convert", mgr, map[string]any{"kind": "vendor_sourced"}).
		problem(t, http.StatusUnprocessableEntity, "urn:dealflow:problem:validation")

	r := call(t, http.MethodPost, "/v1/leads/"+id+"/assign", mgr, map[string]any{"partner_id": stack.partnerB, "reason": "B covers this account"}).must(t, http.StatusOK)
	if r.str("status") != "offered" {
		t.Fatalf("assigned: %s", r.raw)
	}
	call(t, http.MethodGet, "/v1/leads/"+id, stack.tokens["partnerB"], nil).must(t, http.StatusOK)
	feed := call(t, http.MethodGet, "/v1/me/notifications", stack.tokens["partnerB"], nil).must(t, http.StatusOK)
	if !strings.Contains(string(feed.raw), "lead_offered") || !strings.Contains(string(feed.raw), "managed-referral.example") {
		t.Fatalf("partner B's feed has no lead offer: %s", feed.raw)
	}
	r = call(t, http.MethodPost, "/v1/leads/"+id+"/close", mgr, map[string]any{"close_reason": "duplicate", "reason": "same as last week's"}).must(t, http.StatusOK)
	if r.str("status") != "closed" || !strings.Contains(string(r.raw), `"outcome":"withdrawn"`) {
		t.Fatalf("closed: %s", r.raw)
	}
	call(t, http.MethodPost, "/v1/leads/"+id+"/reoffer", mgr, nil).problem(t, http.StatusConflict, "urn:dealflow:problem:invalid-transition")
	recordHistory(t, "lead/"+id, "lead_assigned_then_closed.json")

	id = refer("converted-referral.example")
	r = call(t, http.MethodPost, "/v1/leads/"+id+"/convert", mgr, map[string]any{"kind": "referral", "reason": "qualified by phone"}).must(t, http.StatusOK)
	dealID := r.str("deal_id")
	if r.str("status") != "converted" || dealID == "" || r.str("partner_id") != stack.partnerA {
		t.Fatalf("converted: %s", r.raw)
	}
	d := call(t, http.MethodGet, "/v1/deals/"+dealID, stack.tokens["partnerA"], nil).must(t, http.StatusOK)
	if !strings.Contains(string(d.raw), `"kind":"referral"`) {
		t.Fatalf("the converted deal: %s", d.raw)
	}
	recordHistory(t, "lead/"+id, "lead_referral_converted.json")
}
