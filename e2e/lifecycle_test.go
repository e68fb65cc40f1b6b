package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func post(t *testing.T, path, who string, body any) response {
	t.Helper()
	return call(t, http.MethodPost, path, stack.tokens[who], body)
}

func types(t *testing.T, r response) string {
	t.Helper()
	var out []string
	for _, e := range r.timeline(t) {
		out = append(out, fmt.Sprint(e["type"]))
	}
	return strings.Join(out, " ")
}

func todayDate() string { return time.Now().UTC().Format(time.DateOnly) }

// The happy path to closed-won: approval, protection until expires_at, an
// extension granted (a second one refused by the program's limit), the win
// with its final figures, and a correction by finance recorded as an event.
func TestHappyPathToClosedWon(t *testing.T) {
	id := submit(t, stack.tokens["partnerA"]).str("id")
	d := "/v1/deals/" + id
	approved := post(t, d+"/approve", "manager", map[string]string{"reason": "go"}).must(t, http.StatusOK)
	exp, err := time.Parse(time.RFC3339Nano, approved.str("expires_at"))
	if err != nil || exp.Sub(time.Now()) < 89*24*time.Hour || exp.Sub(time.Now()) > 91*24*time.Hour {
		t.Fatalf("expires_at = %q (%v)", approved.str("expires_at"), err)
	}
	post(t, d+"/request-extension", "partnerA", map[string]string{}).problem(t, 422, "urn:dealflow:problem:validation")
	ext := post(t, d+"/request-extension", "partnerA", map[string]string{"reason": "board meets in spring"}).must(t, http.StatusOK)
	if ext.body["extension_requested"] != true {
		t.Fatalf("extension request = %s", ext.raw)
	}
	inbox := call(t, http.MethodGet, "/v1/inbox?limit=200", stack.tokens["manager"], nil).must(t, http.StatusOK)
	if !strings.Contains(string(inbox.raw), `"action":"extension_decision","deal":{"id":"`+id) {
		t.Fatalf("inbox lacks the extension decision for %s", id)
	}
	granted := post(t, d+"/decide-extension", "manager", map[string]any{"grant": true, "reason": "fine"}).must(t, http.StatusOK)
	exp2, _ := time.Parse(time.RFC3339Nano, granted.str("expires_at"))
	if exp2.Sub(exp) != 30*24*time.Hour || granted.body["extensions_used"] != float64(1) {
		t.Fatalf("after grant: expires %v (was %v), %s", exp2, exp, granted.raw)
	}
	post(t, d+"/request-extension", "partnerA", map[string]string{"reason": "again"}).
		problem(t, http.StatusConflict, "urn:dealflow:problem:limit-reached")
	won := post(t, d+"/close-won", "partnerA", map[string]any{"amount": 1300000, "currency": "usd",
		"product_lines": []string{"Firewall", "support"}, "close_date": todayDate()}).must(t, http.StatusOK)
	o := won.body["outcome"].(map[string]any)
	if won.str("status") != "closed_won" || o["won"] != true || o["amount"] != float64(1300000) || o["currency"] != "USD" {
		t.Fatalf("won = %s", won.raw)
	}
	post(t, d+"/close-lost", "partnerA", nil).problem(t, http.StatusConflict, "urn:dealflow:problem:invalid-transition")
	post(t, d+"/correct-outcome", "manager", map[string]any{"amount": 1, "reason": "x"}).must(t, http.StatusForbidden)
	corr := post(t, d+"/correct-outcome", "finance", map[string]any{"amount": 1200000, "reason": "credit note CN-7"}).must(t, http.StatusOK)
	if corr.body["outcome"].(map[string]any)["amount"] != float64(1200000) {
		t.Fatalf("corrected = %s", corr.raw)
	}
	tl := call(t, http.MethodGet, d+"/timeline", stack.tokens["partnerA"], nil).must(t, http.StatusOK)
	want := "submitted screening_started review_requested approved extension_requested extension_granted closed_won outcome_corrected"
	var got []string
	for _, e := range tl.body["events"].([]any) {
		got = append(got, e.(map[string]any)["type"].(string))
	}
	if strings.Join(got, " ") != want {
		t.Fatalf("timeline = %v", got)
	}
}

// The info loop: a question pauses review; the partner answers and edits
// the amount; the deal is back in review and can be approved.
func TestInfoLoop(t *testing.T) {
	id := submit(t, stack.tokens["partnerA"]).str("id")
	d := "/v1/deals/" + id
	asked := post(t, d+"/request-info", "manager", map[string]string{"question": "Which sites?"}).must(t, http.StatusOK)
	if asked.str("status") != "info_requested" || asked.str("info_question") != "Which sites?" || asked.body["sla_due_at"] != nil {
		t.Fatalf("asked = %s", asked.raw)
	}
	post(t, d+"/approve", "manager", nil).problem(t, http.StatusConflict, "urn:dealflow:problem:invalid-transition")
	post(t, d+"/answer-info", "partnerB", map[string]string{"answer": "x"}).problem(t, http.StatusNotFound, "urn:dealflow:problem:not-found")
	post(t, d+"/answer-info", "partnerA", map[string]any{"answer": "Berlin and Paris",
		"changes": map[string]any{"amount": -1}}).problem(t, 422, "urn:dealflow:problem:validation")
	answered := post(t, d+"/answer-info", "partnerA", map[string]any{"answer": "Berlin and Paris",
		"changes": map[string]any{"amount": 1500000, "product_lines": []string{"firewall", "sd-wan"}}}).must(t, http.StatusOK)
	if answered.str("status") != "pending_approval" || answered.body["amount"] != float64(1500000) || answered.body["sla_due_at"] == nil {
		t.Fatalf("answered = %s", answered.raw)
	}
	post(t, d+"/approve", "manager", nil).must(t, http.StatusOK)
	if got := types(t, call(t, http.MethodGet, d, stack.tokens["partnerA"], nil)); got !=
		"submitted screening_started review_requested info_requested info_answered approved" {
		t.Fatalf("timeline = %s", got)
	}
}

// A withdrawn deal takes no further step.
func TestWithdrawal(t *testing.T) {
	id := submit(t, stack.tokens["partnerA"]).str("id")
	d := "/v1/deals/" + id
	post(t, d+"/withdraw", "partnerB", nil).problem(t, http.StatusNotFound, "urn:dealflow:problem:not-found")
	w := post(t, d+"/withdraw", "adminA", map[string]string{"reason": "customer paused the project"}).must(t, http.StatusOK)
	if w.str("status") != "withdrawn" {
		t.Fatalf("withdrawn = %s", w.raw)
	}
	post(t, d+"/withdraw", "partnerA", nil).problem(t, http.StatusConflict, "urn:dealflow:problem:invalid-transition")
	post(t, d+"/approve", "manager", nil).problem(t, http.StatusConflict, "urn:dealflow:problem:invalid-transition")
}

// At or above the program's threshold two different managers must approve.
func TestFourEyesOverHTTP(t *testing.T) {
	b := dealBody()
	b["amount"] = 25_000_000
	id := call(t, http.MethodPost, "/v1/deals", stack.tokens["partnerA"], b).must(t, http.StatusCreated).str("id")
	d := "/v1/deals/" + id
	first := post(t, d+"/approve", "manager", nil).must(t, http.StatusOK)
	if first.str("status") != "pending_approval" || first.body["approvals"] != float64(1) || first.body["required_approvals"] != float64(2) {
		t.Fatalf("first = %s", first.raw)
	}
	post(t, d+"/approve", "manager", nil).problem(t, http.StatusConflict, "urn:dealflow:problem:four-eyes")
	if post(t, d+"/approve", "managerB2", nil).must(t, http.StatusOK).str("status") != "approved" {
		t.Fatal("second approval did not approve")
	}
}

// Idempotent submission: the same key and body give the same deal (also
// concurrently, and after the workflow has ended); the same key with
// another body is refused; one key makes exactly one deal.
func TestIdempotentSubmission(t *testing.T) {
	key := fmt.Sprintf("order-%d", time.Now().UnixNano())
	body := dealBody()
	send := func(b any) response {
		req := map[string]string{"Idempotency-Key": key}
		return callWithHeaders(t, http.MethodPost, "/v1/deals", stack.tokens["partnerA"], b, req)
	}
	var wg sync.WaitGroup
	ids := make([]string, 5)
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := send(body)
			if r.status != http.StatusCreated {
				t.Errorf("attempt %d: %d %s", i, r.status, r.raw)
			}
			ids[i] = r.str("id")
		}(i)
	}
	wg.Wait()
	for _, id := range ids[1:] {
		if id != ids[0] || id == "" {
			t.Fatalf("ids differ: %v", ids)
		}
	}
	again := send(body)
	if again.status != http.StatusCreated || again.str("id") != ids[0] || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay = %d %s", again.status, again.raw)
	}
	other := dealBody()
	send(other).problem(t, http.StatusUnprocessableEntity, "urn:dealflow:problem:idempotency-key-reused")
	var n int
	if err := stack.pool.QueryRow(t.Context(), "SELECT count(*) FROM deals WHERE idempotency_key = $1", key).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d deals for one key (%v)", n, err)
	}
	// After the workflow has ended the key still answers from the record.
	post(t, "/v1/deals/"+ids[0]+"/withdraw", "partnerA", nil).must(t, http.StatusOK)
	if late := send(body); late.status != http.StatusCreated || late.str("id") != ids[0] || late.str("status") != "withdrawn" {
		t.Fatalf("after the end: %d %s", late.status, late.raw)
	}
	// The same key from another organization is another deal.
	r := callWithHeaders(t, http.MethodPost, "/v1/deals", stack.tokens["partnerB"], body, map[string]string{"Idempotency-Key": key})
	if r.status != http.StatusCreated || r.str("id") == ids[0] {
		t.Fatalf("other org, same key: %d %s", r.status, r.raw)
	}
}

// Every step a deal's status does not allow answers 409 and changes nothing.
func TestIllegalTransitions(t *testing.T) {
	pending := submit(t, stack.tokens["partnerA"]).str("id")
	approved := submit(t, stack.tokens["partnerA"]).str("id")
	post(t, "/v1/deals/"+approved+"/approve", "manager", nil).must(t, http.StatusOK)
	rejected := submit(t, stack.tokens["partnerA"]).str("id")
	post(t, "/v1/deals/"+rejected+"/reject", "manager", map[string]string{"reason": "no"}).must(t, http.StatusOK)

	ext := map[string]any{"grant": true, "reason": "x"}
	won := map[string]any{"amount": 5, "currency": "USD", "product_lines": []string{"a"}, "close_date": todayDate()}
	reason := map[string]string{"reason": "x"}
	cases := []struct {
		deal, step, who string
		body            any
	}{
		{pending, "decide-extension", "manager", ext},
		{pending, "request-extension", "partnerA", reason},
		{pending, "close-won", "partnerA", won},
		{pending, "close-lost", "partnerA", reason},
		{pending, "answer-info", "partnerA", map[string]string{"answer": "x"}},
		{pending, "resolve-conflict", "manager", map[string]string{"outcome": "proceed", "reason": "x"}},
		{pending, "correct-outcome", "finance", map[string]any{"amount": 1, "reason": "x"}},
		{approved, "approve", "managerB2", nil},
		{approved, "reject", "manager", reason},
		{approved, "request-info", "manager", map[string]string{"question": "?"}},
		{approved, "decide-extension", "manager", ext},
		{approved, "answer-info", "partnerA", map[string]string{"answer": "x"}},
		{rejected, "approve", "manager", nil},
		{rejected, "reject", "manager", reason},
		{rejected, "request-info", "manager", map[string]string{"question": "?"}},
		{rejected, "withdraw", "partnerA", nil},
		{rejected, "request-extension", "partnerA", reason},
		{rejected, "close-won", "partnerA", won},
	}
	before := map[string]int{}
	for _, id := range []string{pending, approved, rejected} {
		before[id] = len(call(t, http.MethodGet, "/v1/deals/"+id, stack.tokens["manager"], nil).timeline(t))
	}
	for _, c := range cases {
		r := post(t, "/v1/deals/"+c.deal+"/"+c.step, c.who, c.body)
		if r.status != http.StatusConflict || r.str("current_status") == "" {
			t.Errorf("%s on a %s deal: %d %s", c.step, map[string]string{pending: "pending", approved: "approved", rejected: "rejected"}[c.deal], r.status, r.raw)
		}
	}
	for id, n := range before {
		if got := len(call(t, http.MethodGet, "/v1/deals/"+id, stack.tokens["manager"], nil).timeline(t)); got != n {
			t.Errorf("deal %s: %d events before, %d after refused steps", id, n, got)
		}
	}
}

// Two partners registering the same customer: the second goes to conflict
// review, shows in the inbox, and a manager resolves it.
func TestConflictReviewOverHTTP(t *testing.T) {
	b := dealBody()
	post(t, "/v1/deals", "partnerA", b).must(t, http.StatusCreated)
	c := dealBody()
	c["customer"].(map[string]any)["domain"] = "https://sales." + b["customer"].(map[string]any)["domain"].(string)
	second := post(t, "/v1/deals", "partnerB", c).must(t, http.StatusCreated)
	if second.str("status") != "conflict_review" {
		t.Fatalf("second registration = %s", second.raw)
	}
	id := second.str("id")
	inbox := call(t, http.MethodGet, "/v1/inbox?limit=200", stack.tokens["manager"], nil).must(t, http.StatusOK)
	if !strings.Contains(string(inbox.raw), `"action":"conflict_review","deal":{"id":"`+id) {
		t.Fatalf("inbox lacks the conflict review")
	}
	post(t, "/v1/deals/"+id+"/approve", "manager", nil).problem(t, http.StatusConflict, "urn:dealflow:problem:invalid-transition")
	r := post(t, "/v1/deals/"+id+"/resolve-conflict", "manager", map[string]string{"outcome": "reject", "reason": "partner A registered first"})
	if r.must(t, http.StatusOK).str("status") != "rejected" {
		t.Fatalf("resolved = %s", r.raw)
	}
}
