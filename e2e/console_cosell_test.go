package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Co-selling in the console: a seller signs in and lands on their
// engagements (not a 403), opens the one routed to them, accepts it and
// adds a note; a NUL in a note is refused by the form; the partner sees
// the note on its engagement page, and another seller does not see the
// engagement at all.
func TestConsoleCoSellSellerAcceptsAndNotes(t *testing.T) {
	manager, partner := stack.tokens["manager"], stack.tokens["partnerA"]
	body := dealBody()
	body["customer"].(map[string]any)["country"] = "CA" // the seller's territory (no CRM account: TestCoSellRequestAcceptPlanWin counts Sam's)
	call(t, http.MethodPost, "/v1/cosell/territories", manager, map[string]any{"seller_email": "sam@vendor.example", "country": "CA"}).
		must(t, http.StatusCreated)
	id := call(t, http.MethodPost, "/v1/deals", partner, body).must(t, http.StatusCreated).str("id")
	call(t, http.MethodPost, "/v1/deals/"+id+"/approve", manager, map[string]string{"reason": "ok"}).must(t, http.StatusOK)
	eng := call(t, http.MethodPost, "/v1/deals/"+id+"/cosell", partner, map[string]any{"type": "executive_sponsor",
		"need_by": time.Now().UTC().AddDate(0, 0, 20).Format(time.DateOnly), "message": "meet the CFO"}).must(t, http.StatusCreated)
	eid := eng.str("id")
	if eng.str("assignee_email") != "sam@vendor.example" {
		t.Fatalf("not routed to the seller: %s", eng.raw)
	}

	seller, scsrf := consoleClient(t, "seller") // lands on its home page (a 200)
	res, err := seller.Get(stack.baseURL + "/console")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); loc != "/console/cosell/engagements" {
		t.Fatalf("a seller's home: %d %q", res.StatusCode, loc)
	}
	list := get(t, seller, "/console/cosell/engagements", http.StatusOK)
	if !strings.Contains(list, "/console/cosell/engagements/"+eid) || !strings.Contains(list, `href="/console/cosell/engagements">Engagements</a>`) {
		t.Fatalf("the seller's engagements lack %s or the nav link:\n%s", eid, list)
	}
	page := get(t, seller, "/console/cosell/engagements/"+eid, http.StatusOK)
	for _, want := range []string{"meet the CFO", "executive sponsor", "/accept", "/decline", "Respond by"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the engagement page lacks %q:\n%s", want, page)
		}
	}
	path := "/console/cosell/engagements/" + eid
	if done := postForm(t, seller, path+"/accept", url.Values{"csrf": {scsrf}, "reason": {"glad to"}}); done != "Done: accept" {
		t.Fatalf("accept: %q", done)
	}
	if done := postForm(t, seller, path+"/accept", url.Values{"csrf": {scsrf}}); !strings.HasPrefix(done, "Not done: ") {
		t.Fatalf("accepting twice: %q", done)
	}
	if done := postForm(t, seller, path+"/notes", url.Values{"csrf": {scsrf}, "body": {"bad\x00note"}}); !strings.Contains(done, "control characters") {
		t.Fatalf("a NUL in a note: %q", done)
	}
	if done := postForm(t, seller, path+"/notes", url.Values{"csrf": {scsrf}, "body": {"CFO free on Tuesday"}}); !strings.HasPrefix(done, "Done") {
		t.Fatalf("note: %q", done)
	}
	if done := postForm(t, seller, path+"/stage", url.Values{"csrf": {scsrf}, "stage": {"qualified"}}); !strings.HasPrefix(done, "Done") {
		t.Fatalf("stage: %q", done)
	}

	pcl, _ := consoleClient(t, "partnerA")
	seen := get(t, pcl, path, http.StatusOK)
	for _, want := range []string{"CFO free on Tuesday", "Sam Seller", ">accepted<", ">qualified<"} {
		if !strings.Contains(seen, want) {
			t.Fatalf("the partner's page lacks %q:\n%s", want, seen)
		}
	}
	if strings.Contains(seen, path+"/accept") {
		t.Fatal("the partner is offered the seller's accept form")
	}
	other, _ := consoleClient(t, "seller2")
	get(t, other, path, http.StatusNotFound)
	if strings.Contains(get(t, other, "/console/cosell/engagements", http.StatusOK), eid) {
		t.Fatal("another seller lists the engagement")
	}
	pb, _ := consoleClient(t, "partnerB")
	get(t, pb, path, http.StatusNotFound)
}

// The console's reassignment and plan forms: a channel manager picks
// another seller from the list of sellers and reassigns the request (a
// seller may not: 403); the new seller accepts, a milestone with a bad
// due date is refused by the form, a good one is added and marked done,
// and the next steps are set; the seller's inbox filter lists only
// requests awaiting an answer.
func TestConsoleCoSellReassignAndPlan(t *testing.T) {
	manager, partner := stack.tokens["manager"], stack.tokens["partnerA"]
	body := dealBody()
	body["customer"].(map[string]any)["country"] = "IE"
	call(t, http.MethodPost, "/v1/cosell/territories", manager, map[string]any{"seller_email": "sam@vendor.example", "country": "IE"}).
		must(t, http.StatusCreated)
	id := call(t, http.MethodPost, "/v1/deals", partner, body).must(t, http.StatusCreated).str("id")
	call(t, http.MethodPost, "/v1/deals/"+id+"/approve", manager, map[string]string{"reason": "ok"}).must(t, http.StatusOK)
	eid := call(t, http.MethodPost, "/v1/deals/"+id+"/cosell", partner, map[string]any{"type": "pricing_support",
		"need_by": time.Now().UTC().AddDate(0, 0, 20).Format(time.DateOnly), "message": "price a 3-year term"}).must(t, http.StatusCreated).str("id")
	path := "/console/cosell/engagements/" + eid

	mcl, mcsrf := consoleClient(t, "manager")
	page := get(t, mcl, path, http.StatusOK)
	for _, want := range []string{`action="` + path + `/reassign"`, `<option value="sue@vendor.example"`, "Sue Seller"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the manager's page lacks %q:\n%s", want, page)
		}
	}
	scl, scsrf := consoleClient(t, "seller")
	res, err := scl.PostForm(stack.baseURL+path+"/reassign", url.Values{"csrf": {scsrf}, "seller_email": {"sue@vendor.example"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("a seller reassigns: %d", res.StatusCode)
	}
	if done := postForm(t, mcl, path+"/reassign", url.Values{"csrf": {mcsrf}, "seller_email": {"not an address"}}); !strings.HasPrefix(done, "Not done: ") {
		t.Fatalf("reassign to no address: %q", done)
	}
	if done := postForm(t, mcl, path+"/reassign", url.Values{"csrf": {mcsrf}, "seller_email": {"sue@vendor.example"}, "reason": {"Sam is away"}}); done != "Done: reassign" {
		t.Fatalf("reassign: %q", done)
	}
	get(t, scl, path, http.StatusNotFound) // no longer Sam's

	sue, sucsrf := consoleClient(t, "seller2")
	if inbox := get(t, sue, "/console/cosell/engagements?status=requested", http.StatusOK); !strings.Contains(inbox, eid) || !strings.Contains(inbox, " left") {
		t.Fatalf("Sue's inbox lacks the request or its countdown:\n%s", inbox)
	}
	if done := postForm(t, sue, path+"/accept", url.Values{"csrf": {sucsrf}}); done != "Done: accept" {
		t.Fatalf("accept: %q", done)
	}
	if inbox := get(t, sue, "/console/cosell/engagements?status=requested", http.StatusOK); strings.Contains(inbox, eid) {
		t.Fatal("an accepted engagement is still in the inbox")
	}
	due := time.Now().UTC().AddDate(0, 0, 10).Format(time.DateOnly)
	if done := postForm(t, sue, path+"/milestones", url.Values{"csrf": {sucsrf}, "title": {"Pricing approved"}, "side": {"vendor"}, "due": {"next week"}}); !strings.Contains(done, "due") {
		t.Fatalf("a milestone without a date: %q", done)
	}
	if done := postForm(t, sue, path+"/milestones", url.Values{"csrf": {sucsrf}, "title": {"Pricing approved"}, "side": {"vendor"}, "owner": {"Sue"}, "due": {due}}); done != "Done: add-milestone" {
		t.Fatalf("milestone: %q", done)
	}
	if done := postForm(t, sue, path+"/complete-milestone", url.Values{"csrf": {sucsrf}, "id": {"m9"}}); !strings.HasPrefix(done, "Not done: ") {
		t.Fatalf("completing no such milestone: %q", done)
	}
	if done := postForm(t, sue, path+"/complete-milestone", url.Values{"csrf": {sucsrf}, "id": {"m1"}}); done != "Done: complete-milestone" {
		t.Fatalf("complete: %q", done)
	}
	if done := postForm(t, sue, path+"/next-steps", url.Values{"csrf": {sucsrf}, "next_steps": {"send the quote"}}); done != "Done: set-next-steps" {
		t.Fatalf("next steps: %q", done)
	}
	seen := call(t, http.MethodGet, "/v1/cosell/engagements/"+eid, partner, nil).must(t, http.StatusOK)
	plan := seen.body["plan"].([]any)
	if seen.str("assignee_email") != "sue@vendor.example" || seen.str("next_steps") != "send the quote" || len(plan) != 1 || plan[0].(map[string]any)["done"] != true {
		t.Fatalf("the engagement after the forms: %s", seen.raw)
	}
	if strings.Contains(get(t, mcl, path, http.StatusOK), path+"/reassign") {
		t.Fatal("an accepted engagement still offers reassignment")
	}
}
