package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/dealflow/dealflow/workflows/cosell"
	"github.com/dealflow/dealflow/workflows/deal"
)

// Co-selling end to end through the real binary: a channel manager gives a
// seller a territory and the CRM gives them an account; a partner asks for
// help on its approved deal, the request is routed to the territory's
// seller, who alone (of the sellers) sees and accepts it; both sides plan,
// note and move the stage; the partner wins the deal and the engagement
// records the outcome (the deal's workflow tells it).
func TestCoSellRequestAcceptPlanWin(t *testing.T) {
	manager, partner, seller, seller2 := stack.tokens["manager"], stack.tokens["partnerA"], stack.tokens["seller"], stack.tokens["seller2"]
	call(t, http.MethodPost, "/v1/cosell/territories", manager,
		map[string]any{"seller_email": "Sam@Vendor.example", "country": "US", "product_line": "firewall"}).must(t, http.StatusCreated)
	call(t, http.MethodPost, "/v1/accounts/import", manager, map[string]any{"accounts": []map[string]any{{"external_id": "cosell-acc-1",
		"name": "Tyrell " + uniqueName(), "domain": uniqueDomain(), "country": "DE", "owner_type": "direct", "owner_email": "sam@vendor.example"}}}).
		must(t, http.StatusOK)
	if got := call(t, http.MethodGet, "/v1/cosell/accounts", seller, nil).must(t, http.StatusOK); len(got.body["accounts"].([]any)) != 1 {
		t.Fatalf("the seller's accounts: %s", got.raw)
	}
	if got := call(t, http.MethodGet, "/v1/cosell/accounts", seller2, nil).must(t, http.StatusOK); len(got.body["accounts"].([]any)) != 0 {
		t.Fatalf("another seller sees accounts: %s", got.raw)
	}

	id := submit(t, partner).str("id")
	needBy := time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly)
	req := map[string]any{"type": "proof_of_concept", "need_by": needBy, "message": "the customer wants a POC on site"}
	call(t, http.MethodPost, "/v1/deals/"+id+"/cosell", partner, req).problem(t, http.StatusConflict, "urn:dealflow:problem:invalid-transition")
	call(t, http.MethodPost, "/v1/deals/"+id+"/approve", manager, map[string]string{"reason": "ok"}).must(t, http.StatusOK)
	call(t, http.MethodPost, "/v1/deals/"+id+"/cosell", stack.tokens["partnerB"], req).must(t, http.StatusNotFound)
	bad := call(t, http.MethodPost, "/v1/deals/"+id+"/cosell", partner, map[string]any{"type": "lunch", "need_by": "2020-01-01", "message": ""})
	if errs := bad.must(t, http.StatusUnprocessableEntity).fieldErrors(); errs["type"] == "" || errs["message"] == "" {
		t.Fatalf("field errors: %s", bad.raw)
	}

	eng := call(t, http.MethodPost, "/v1/deals/"+id+"/cosell", partner, req).must(t, http.StatusCreated)
	eid := eng.str("id")
	if eng.str("status") != "requested" || eng.str("assignee_email") != "sam@vendor.example" || eng.str("routed_via") != "territory" || eng.body["respond_by"] == nil {
		t.Fatalf("engagement: %s", eng.raw)
	}
	call(t, http.MethodPost, "/v1/deals/"+id+"/cosell", partner, req).must(t, http.StatusConflict)
	call(t, http.MethodGet, "/v1/cosell/engagements/"+eid, seller2, nil).must(t, http.StatusNotFound)
	call(t, http.MethodPost, "/v1/cosell/engagements/"+eid+"/accept", seller2, map[string]any{}).must(t, http.StatusNotFound)
	// Other tests of this package share the sellers, so the lists are
	// checked for this engagement rather than counted.
	if l := call(t, http.MethodGet, "/v1/cosell/engagements", seller2, nil).must(t, http.StatusOK); listsEngagement(l, eid) {
		t.Fatalf("another seller lists: %s", l.raw)
	}
	if l := call(t, http.MethodGet, "/v1/cosell/engagements?status=requested", seller, nil).must(t, http.StatusOK); !listsEngagement(l, eid) {
		t.Fatalf("the seller's inbox: %s", l.raw)
	}
	call(t, http.MethodPost, "/v1/cosell/engagements/"+eid+"/decline", seller, map[string]any{}).must(t, http.StatusUnprocessableEntity)
	call(t, http.MethodPost, "/v1/cosell/engagements/"+eid+"/accept", seller, map[string]any{"reason": "happy to help"}).must(t, http.StatusOK)
	call(t, http.MethodPost, "/v1/cosell/engagements/"+eid+"/milestones", partner,
		map[string]any{"title": "POC environment ready", "side": "partner", "owner": "Pat", "due": needBy}).must(t, http.StatusOK)
	call(t, http.MethodPost, "/v1/cosell/engagements/"+eid+"/notes", seller, map[string]any{"body": "customer needs SSO\nand audit logs"}).must(t, http.StatusOK)
	call(t, http.MethodPost, "/v1/cosell/engagements/"+eid+"/stage", partner, map[string]any{"stage": "qualified"}).must(t, http.StatusOK)
	call(t, http.MethodPost, "/v1/cosell/engagements/"+eid+"/stage", seller, map[string]any{"stage": "prospect"}).must(t, http.StatusUnprocessableEntity)
	call(t, http.MethodPost, "/v1/cosell/engagements/"+eid+"/complete-milestone", seller, map[string]any{"id": "m1"}).must(t, http.StatusOK)
	seen := call(t, http.MethodGet, "/v1/cosell/engagements/"+eid, partner, nil).must(t, http.StatusOK)
	if seen.str("stage") != "qualified" || len(seen.body["notes"].([]any)) != 1 || len(seen.body["plan"].([]any)) != 1 {
		t.Fatalf("the partner sees: %s", seen.raw)
	}

	today := time.Now().UTC().Format(time.DateOnly)
	call(t, http.MethodPost, "/v1/deals/"+id+"/close-won", partner, map[string]any{"amount": 1300000, "currency": "USD",
		"product_lines": []string{"firewall"}, "close_date": today}).must(t, http.StatusOK)
	var ended response
	waitFor(t, 20*time.Second, func() bool {
		ended = call(t, http.MethodGet, "/v1/cosell/engagements/"+eid, seller, nil).must(t, http.StatusOK)
		return ended.str("status") == "ended"
	})
	if ended.str("outcome") != "won" || ended.str("stage") != "launched" {
		t.Fatalf("ended: %s", ended.raw)
	}
	recordHistory(t, cosell.WorkflowID(id), "v1-cosell-engagement-won.json")
	recordHistory(t, deal.WorkflowID(id), "v2-deal-won-tells-cosell.json")
}

// listsEngagement reports whether a list of engagements holds id.
func listsEngagement(l response, id string) bool {
	for _, e := range l.body["engagements"].([]any) {
		if e.(map[string]any)["id"] == id {
			return true
		}
	}
	return false
}
