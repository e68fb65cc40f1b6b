package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The managers' lead queue through the console's forms over HTTP: a
// partner's referral waits in the vendor's queue with the managers' forms
// on it. A partner may not take a manager's step (403) nor read another
// organization's lead (404). A close without its reason code is refused
// and the lead's page says so; assigned to partner B, the lead is in B's
// My leads with its offer; a second referral converted as a referral shows
// its registration on the lead's page, with the timeline's actor and
// reason.
func TestConsoleLeadQueue(t *testing.T) {
	refer := func(name string) string {
		return call(t, http.MethodPost, "/v1/referrals", stack.tokens["partnerA"], leadBody(name)).must(t, http.StatusCreated).str("id")
	}
	id := refer("console-queue.example")
	mgr, csrf := consoleClient(t, "manager")
	queue := get(t, mgr, "/console/leads", http.StatusOK)
	for _, want := range []string{"/console/leads/" + id + "/reoffer", "/console/leads/" + id + "/assign", "/console/leads/" + id + "/close",
		"/console/leads/" + id + "/convert", `name="close_reason"`, `value="EUR"`} {
		if !strings.Contains(queue, want) {
			t.Fatalf("the queue lacks %s", want)
		}
	}

	pa, pcsrf := consoleClient(t, "partnerA")
	for _, step := range []string{"reoffer", "assign", "close", "convert"} {
		res, err := pa.PostForm(stack.baseURL+"/console/leads/"+id+"/"+step, url.Values{"csrf": {pcsrf}, "close_reason": {"junk"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("a partner's %s: %d, want 403", step, res.StatusCode)
		}
	}
	pb, _ := consoleClient(t, "partnerB")
	get(t, pb, "/console/leads/"+id, http.StatusNotFound)
	if page := get(t, pa, "/console/leads/"+id, http.StatusOK); strings.Contains(page, "/close") || strings.Contains(page, "Timeline") {
		t.Fatalf("the referring partner's lead page shows the vendor's parts:\n%s", page)
	}

	msg := postForm(t, mgr, "/console/leads/"+id+"/close", url.Values{"csrf": {csrf}, "reason": {"no code"}})
	if !strings.HasPrefix(msg, "Not done") || !strings.Contains(msg, "close reason is required") {
		t.Fatalf("close without a reason code: %q", msg)
	}
	if page := get(t, mgr, "/console/leads/"+id+"?done="+url.QueryEscape(msg), http.StatusOK); !strings.Contains(page, "Not done: close reason is required") {
		t.Fatal("the lead page does not show the refusal")
	}
	msg = postForm(t, mgr, "/console/leads/"+id+"/close", url.Values{"csrf": {csrf}, "close_reason": {"other"}})
	if !strings.HasPrefix(msg, "Not done") {
		t.Fatalf("close as other without a reason: %q", msg)
	}
	if msg := postForm(t, mgr, "/console/leads/"+id+"/assign", url.Values{"csrf": {csrf}, "partner_id": {stack.partnerB}, "reason": {"B covers it"}}); msg != "Done: assign" {
		t.Fatalf("assign: %q", msg)
	}
	if page := get(t, pb, "/console/leads", http.StatusOK); !strings.Contains(page, "My leads") || !strings.Contains(page, "Lead Co console-queue.example") ||
		!strings.Contains(page, "/console/leads/"+id+"/accept") {
		t.Fatalf("partner B's My leads lacks the offer:\n%s", page)
	}
	page := get(t, mgr, "/console/leads/"+id, http.StatusOK)
	if !strings.Contains(page, "s-offered") || !strings.Contains(page, "B covers it") || !strings.Contains(page, "console-queue.example") {
		t.Fatalf("the lead page after assignment:\n%s", page)
	}

	id = refer("console-convert.example")
	if msg := postForm(t, mgr, "/console/leads/"+id+"/convert", url.Values{"csrf": {csrf}, "kind": {"referral"}, "amount": {"12.x"}, "currency": {"EUR"}}); !strings.HasPrefix(msg, "Not done: amount") {
		t.Fatalf("convert with a bad amount: %q", msg)
	}
	if msg := postForm(t, mgr, "/console/leads/"+id+"/convert", url.Values{"csrf": {csrf}, "kind": {"referral"}, "amount": {"50000.00"},
		"currency": {"EUR"}, "reason": {"qualified by phone"}}); msg != "Done: convert" {
		t.Fatalf("convert: %q", msg)
	}
	r := call(t, http.MethodGet, "/v1/leads/"+id, stack.tokens["manager"], nil).must(t, http.StatusOK)
	dealID := r.str("deal_id")
	if r.str("status") != "converted" || dealID == "" {
		t.Fatalf("converted: %s", r.raw)
	}
	page = get(t, mgr, "/console/leads/"+id, http.StatusOK)
	for _, want := range []string{"/console/deals/" + dealID, "s-converted", "qualified by phone", "Attribution"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the converted lead's page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "/console/leads/"+id+"/convert") {
		t.Fatal("a converted lead still offers the managers' forms")
	}
	d := call(t, http.MethodGet, "/v1/deals/"+dealID, stack.tokens["partnerA"], nil).must(t, http.StatusOK)
	if !strings.Contains(string(d.raw), `"kind":"referral"`) || !strings.Contains(string(d.raw), `"amount":5000000`) {
		t.Fatalf("the converted deal: %s", d.raw)
	}
}
