package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Shared opportunities in the console: a seller shares one from the form
// (seller_chooses, two partners by id), partner A expresses interest and
// partner B declines (a decline without a reason is refused) on their
// Invitations pages, the seller sees the invitation states and chooses A.
func TestConsoleSharedOpportunity(t *testing.T) {
	seller, scsrf := consoleClient(t, "seller")
	customer := "Initech " + uniqueName()
	form := url.Values{"csrf": {scsrf}, "customer_name": {customer}, "domain": {uniqueDomain()}, "country": {"DE"},
		"product_lines": {"firewall, vpn"}, "amount": {"1500000"}, "currency": {"EUR"}, "capabilities": {"on-site install"},
		"expected_close_date": {time.Now().UTC().AddDate(0, 1, 0).Format(time.DateOnly)}, "mode": {"seller_chooses"},
		"partner_ids": {stack.partnerA + ", " + stack.partnerB}}
	if done := postForm(t, seller, "/console/cosell/opportunities", form); done != "Done: shared with 2 partner(s)" {
		t.Fatalf("share: %q", done)
	}
	list := get(t, seller, "/console/cosell/opportunities", http.StatusOK)
	if !strings.Contains(list, customer) || !strings.Contains(list, `href="/console/cosell/opportunities">Shared opportunities</a>`) {
		t.Fatalf("the seller's page lacks the opportunity or the nav link:\n%s", list)
	}
	var id string
	err := stack.pool.QueryRow(t.Context(), `SELECT id::text FROM cosell_opportunities WHERE customer_name = $1`, customer).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}

	pa, acsrf := consoleClient(t, "partnerA")
	if page := get(t, pa, "/console/cosell/invitations", http.StatusOK); !strings.Contains(page, customer) || !strings.Contains(page, "/console/cosell/invitations/"+id+"/interest") {
		t.Fatalf("partner A's invitations:\n%s", page)
	}
	if done := postForm(t, pa, "/console/cosell/invitations/"+id+"/interest", url.Values{"csrf": {acsrf}, "reason": {"our customer"}}); done != "Done: interest" {
		t.Fatalf("interest: %q", done)
	}
	pb, bcsrf := consoleClient(t, "partnerB")
	if done := postForm(t, pb, "/console/cosell/invitations/"+id+"/decline", url.Values{"csrf": {bcsrf}}); !strings.HasPrefix(done, "Not done: ") {
		t.Fatalf("decline without a reason: %q", done)
	}
	if done := postForm(t, pb, "/console/cosell/invitations/"+id+"/decline", url.Values{"csrf": {bcsrf}, "reason": {"no capacity"}}); done != "Done: decline" {
		t.Fatalf("decline: %q", done)
	}
	list = get(t, seller, "/console/cosell/opportunities", http.StatusOK)
	for _, want := range []string{"interested", "declined — no capacity", "/console/cosell/opportunities/" + id + "/choose"} {
		if !strings.Contains(list, want) {
			t.Fatalf("the seller's page lacks %q:\n%s", want, list)
		}
	}
	if done := postForm(t, seller, "/console/cosell/opportunities/"+id+"/choose", url.Values{"csrf": {scsrf}, "partner_id": {stack.partnerA}}); done != "Done: choose" {
		t.Fatalf("choose: %q", done)
	}
	if page := get(t, pa, "/console/cosell/invitations", http.StatusOK); !strings.Contains(page, "your registration") {
		t.Fatalf("partner A's invitation after the choice:\n%s", page)
	}
	other, _ := consoleClient(t, "seller2")
	if strings.Contains(get(t, other, "/console/cosell/opportunities", http.StatusOK), customer) {
		t.Fatal("another seller lists the opportunity")
	}
}
