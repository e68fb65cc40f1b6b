package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

func postCSV(t *testing.T, path, token, body string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, stack.baseURL+path, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, raw: raw}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

func defaultProgram(t *testing.T) string {
	t.Helper()
	r := call(t, http.MethodGet, "/v1/programs", stack.tokens["manager"], nil).must(t, http.StatusOK)
	for _, p := range r.body["programs"].([]any) {
		if m := p.(map[string]any); m["is_default"] == true {
			return m["id"].(string)
		}
	}
	t.Fatal("no default program")
	return ""
}

func leadBody(domainName string) map[string]any {
	return map[string]any{
		"company":       map[string]any{"name": "Lead Co " + domainName, "domain": domainName, "country": "DE"},
		"contact":       map[string]any{"name": "Jo Buyer", "email": "jo@" + domainName},
		"product_lines": []string{"firewall"}, "amount": 4200000, "currency": "EUR",
	}
}

// Through the real binary: a channel manager sets a program's routing
// (broadcast to two) and two partners' profiles, creates a lead, both
// partners accept at once — exactly one wins, and its lead becomes an
// approved vendor-sourced registration; the loser can do nothing more;
// the winner records first contact. Then a CSV import: a bad line refuses
// the whole file (nothing imported), a good file routes round-robin, and a
// partner does not see a lead offered only to another.
func TestLeadBroadcastAcceptRegistersOverHTTP(t *testing.T) {
	mgr := stack.tokens["manager"]
	prog := defaultProgram(t)
	call(t, http.MethodPut, "/v1/programs/"+prog+"/lead-routing", mgr, map[string]any{
		"policy": map[string]any{"mode": "broadcast", "broadcast_to": 2},
		"rules":  []any{map[string]any{"name": "everyone", "partner_tags": []string{"e2e-ab"}}},
	}).must(t, http.StatusOK)
	call(t, http.MethodPut, "/v1/programs/"+prog+"/lead-routing", mgr, map[string]any{
		"policy": map[string]any{"mode": "lottery"},
	}).problem(t, http.StatusUnprocessableEntity, "urn:dealflow:problem:validation")
	for _, p := range []string{stack.partnerA, stack.partnerB} {
		call(t, http.MethodPut, "/v1/partners/"+p+"/lead-profile", mgr, map[string]any{"capacity": 100, "weight": 1, "tags": []string{"e2e-ab"}}).must(t, http.StatusOK)
	}

	d := "lead-" + tag() + ".example.com"
	r := call(t, http.MethodPost, "/v1/leads", mgr, leadBody(d)).must(t, http.StatusCreated)
	id := r.str("id")
	if r.str("status") != "offered" || len(r.body["offers"].([]any)) != 2 {
		t.Fatalf("created: %s", r.raw)
	}

	var wg sync.WaitGroup
	results := map[string]int{}
	var mu sync.Mutex
	for _, who := range []string{"partnerA", "partnerB"} {
		wg.Add(1)
		go func(who string) {
			defer wg.Done()
			st := call(t, http.MethodPost, "/v1/leads/"+id+"/accept", stack.tokens[who], nil).status
			mu.Lock()
			results[who] = st
			mu.Unlock()
		}(who)
	}
	wg.Wait()
	winner, loser := "partnerA", "partnerB"
	if results["partnerB"] == http.StatusOK {
		winner, loser = loser, winner
	}
	if results[winner] != http.StatusOK || results[loser] != http.StatusConflict {
		t.Fatalf("accept race: %v, want one 200 and one 409", results)
	}
	r = call(t, http.MethodGet, "/v1/leads/"+id, stack.tokens[winner], nil).must(t, http.StatusOK)
	dealID := r.str("deal_id")
	if r.str("status") != "accepted" || dealID == "" {
		t.Fatalf("after acceptance: %s", r.raw)
	}
	dl := call(t, http.MethodGet, "/v1/deals/"+dealID, stack.tokens[winner], nil).must(t, http.StatusOK)
	if dl.str("kind") != "vendor_sourced" || dl.str("status") != "approved" {
		t.Fatalf("registration: %s", dl.raw)
	}
	call(t, http.MethodPost, "/v1/leads/"+id+"/accept", stack.tokens[loser], nil).problem(t, http.StatusConflict, "urn:dealflow:problem:invalid-transition")
	call(t, http.MethodPost, "/v1/leads/"+id+"/contacted", stack.tokens[loser], nil).problem(t, http.StatusForbidden, "urn:dealflow:problem:forbidden")
	call(t, http.MethodPost, "/v1/leads/"+id+"/decline", stack.tokens[winner], map[string]any{}).must(t, http.StatusConflict)
	r = call(t, http.MethodPost, "/v1/leads/"+id+"/contacted", stack.tokens[winner], map[string]any{"reason": "intro call booked"}).must(t, http.StatusOK)
	if r.str("status") != "working" {
		t.Fatalf("after contact: %s", r.raw)
	}
	recordHistory(t, "lead/"+id, "lead_broadcast_accepted.json")
	card := call(t, http.MethodGet, "/v1/lead-scorecard", stack.tokens[winner], nil).must(t, http.StatusOK)
	lines := card.body["partners"].([]any)
	if len(lines) != 1 || lines[0].(map[string]any)["accepted"].(float64) < 1 {
		t.Fatalf("the winner's scorecard: %s", card.raw)
	}
	recordHistory(t, "deal/"+dealID, "v2-vendor-sourced-approved.json")

	// Import: a bad line refuses the file, naming it; nothing is imported.
	call(t, http.MethodPut, "/v1/programs/"+prog+"/lead-routing", mgr, map[string]any{
		"rules": []any{map[string]any{"name": "everyone", "partner_tags": []string{"e2e-ab"}}},
	}).must(t, http.StatusOK)
	before := countRows(t, "leads", "true")
	t1, t2 := "imp1-"+tag()+".example.com", "imp2-"+tag()+".example.com"
	header := "company_name,company_domain,country,contact_name,contact_email,product_lines,amount,currency\n"
	bad := header + fmt.Sprintf("One,%s,DE,Ann,ann@%s,firewall;vpn,100000,EUR\nTwo,%s,DE,Bob,not-an-email,vpn,12x,EUR\n", t1, t1, t2)
	p := postCSV(t, "/v1/leads/import", mgr, bad).problem(t, http.StatusUnprocessableEntity, "urn:dealflow:problem:validation")
	errs := p.fieldErrors()
	if errs["line 3: contact.email"] == "" || errs["line 3: amount"] == "" || len(errs) != 2 {
		t.Fatalf("line errors: %s", p.raw)
	}
	if after := countRows(t, "leads", "true"); after != before {
		t.Fatalf("a refused import left %d lead(s)", after-before)
	}
	good := header + fmt.Sprintf("One,%s,DE,Ann,ann@%s,firewall;vpn,100000,EUR\nTwo,%s,DE,Bob,bob@%s,vpn,1200000,EUR\n", t1, t1, t2, t2)
	imp := postCSV(t, "/v1/leads/import", mgr, good).must(t, http.StatusCreated)
	ids := imp.body["lead_ids"].([]any)
	if len(ids) != 2 {
		t.Fatalf("import: %s", imp.raw)
	}
	// The leads start concurrently; the answer keeps the file's order.
	for i, domain := range []string{t1, t2} {
		if l := call(t, http.MethodGet, "/v1/leads/"+ids[i].(string), mgr, nil).must(t, http.StatusOK); !strings.Contains(string(l.raw), domain) {
			t.Fatalf("lead_ids[%d] is not line %d's lead: %s", i, i+2, l.raw)
		}
	}
	again := postCSV(t, "/v1/leads/import", mgr, good).must(t, http.StatusCreated)
	if fmt.Sprint(again.body["lead_ids"]) != fmt.Sprint(ids) || countRows(t, "leads", "true") != before+2 {
		t.Fatalf("the same file imported twice made new leads: %s", again.raw)
	}
	// Round-robin with equal weights gives one lead to each partner; each
	// sees only its own.
	holders := map[string]string{}
	for _, raw := range ids {
		lid := raw.(string)
		l := call(t, http.MethodGet, "/v1/leads/"+lid, mgr, nil).must(t, http.StatusOK)
		offers := l.body["offers"].([]any)
		if len(offers) != 1 {
			t.Fatalf("round-robin offered %s", l.raw)
		}
		holders[lid] = offers[0].(map[string]any)["partner_id"].(string)
	}
	if holders[ids[0].(string)] == holders[ids[1].(string)] {
		t.Fatalf("both leads went to one partner: %v", holders)
	}
	for lid, holder := range holders {
		other := "partnerA"
		if holder == stack.partnerA {
			other = "partnerB"
		}
		call(t, http.MethodGet, "/v1/leads/"+lid, stack.tokens[other], nil).problem(t, http.StatusNotFound, "urn:dealflow:problem:not-found")
		list := call(t, http.MethodGet, "/v1/leads", stack.tokens[other], nil).must(t, http.StatusOK)
		if strings.Contains(string(list.raw), lid) {
			t.Fatalf("%s lists a lead offered only to another partner", other)
		}
		call(t, http.MethodPost, "/v1/leads/"+lid+"/accept", stack.tokens[other], nil).problem(t, http.StatusNotFound, "urn:dealflow:problem:not-found")
	}
}

// The console's lead pages: the partner a lead is offered to sees it in
// "My leads" with its deadline, a decline without a reason is refused,
// acceptance works and asks for first contact next; another partner's
// step on it is not found; the vendor sees the queue.
func TestConsoleMyLeads(t *testing.T) {
	mgr := stack.tokens["manager"]
	prog := defaultProgram(t)
	call(t, http.MethodPut, "/v1/programs/"+prog+"/lead-routing", mgr, map[string]any{"rules": []any{map[string]any{"name": "everyone", "partner_tags": []string{"e2e-ab"}}}}).must(t, http.StatusOK)
	for _, p := range []string{stack.partnerA, stack.partnerB} {
		call(t, http.MethodPut, "/v1/partners/"+p+"/lead-profile", mgr, map[string]any{"capacity": 100, "weight": 1, "tags": []string{"e2e-ab"}}).must(t, http.StatusOK)
	}
	d := "console-" + tag() + ".example.com"
	r := call(t, http.MethodPost, "/v1/leads", mgr, leadBody(d)).must(t, http.StatusCreated)
	id := r.str("id")
	holder, other := "partnerA", "partnerB"
	if r.body["offers"].([]any)[0].(map[string]any)["partner_id"] != stack.partnerA {
		holder, other = other, holder
	}
	cl, csrf := consoleClient(t, holder)
	page := get(t, cl, "/console/leads", http.StatusOK)
	if !strings.Contains(page, "Lead Co "+d) || !strings.Contains(page, "accept by") || !strings.Contains(page, "/console/leads/"+id+"/accept") {
		t.Fatalf("My leads lacks the offer:\n%s", page)
	}
	if msg := postForm(t, cl, "/console/leads/"+id+"/decline", url.Values{"csrf": {csrf}}); !strings.HasPrefix(msg, "Not done") {
		t.Fatalf("decline without a reason: %q", msg)
	}
	if msg := postForm(t, cl, "/console/leads/"+id+"/accept", url.Values{"csrf": {csrf}}); msg != "Done: accept" {
		t.Fatalf("accept: %q", msg)
	}
	if page := get(t, cl, "/console/leads", http.StatusOK); !strings.Contains(page, "first contact by") {
		t.Fatalf("after acceptance:\n%s", page)
	}
	ocl, ocsrf := consoleClient(t, other)
	res, err := ocl.PostForm(stack.baseURL+"/console/leads/"+id+"/contacted", url.Values{"csrf": {ocsrf}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("another partner's step: %d", res.StatusCode)
	}
	mcl, _ := consoleClient(t, "manager")
	if page := get(t, mcl, "/console/leads", http.StatusOK); !strings.Contains(page, "Lead queue") || !strings.Contains(page, "Lead Co "+d) {
		t.Fatal("the vendor's queue lacks the lead")
	}
}
