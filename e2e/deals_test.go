package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

func submit(t *testing.T, token string) response {
	t.Helper()
	return call(t, http.MethodPost, "/v1/deals", token, dealBody()).must(t, http.StatusCreated)
}

// The slice end to end: a partner submits, the deal is persisted and
// awaits review; a channel manager approves; the timeline says who did what,
// when and why.
func TestSubmitApproveTimeline(t *testing.T) {
	created := submit(t, stack.tokens["partnerA"])
	id := created.str("id")
	if created.str("status") != "pending_approval" || created.str("partner_id") != stack.partnerA {
		t.Fatalf("created = %s", created.raw)
	}
	if loc := created.header.Get("Location"); loc != "/v1/deals/"+id {
		t.Fatalf("Location = %q", loc)
	}
	if created.body["amount"] != float64(1250000) || created.str("currency") != "USD" {
		t.Fatalf("money = %v %v", created.body["amount"], created.body["currency"])
	}
	if tl := created.timeline(t); len(tl) != 3 || tl[0]["type"] != "submitted" || tl[1]["to"] != "screening" || tl[2]["to"] != "pending_approval" {
		t.Fatalf("timeline after submit = %v", tl)
	}

	approved := call(t, http.MethodPost, "/v1/deals/"+id+"/approve", stack.tokens["manager"],
		map[string]string{"reason": "strategic account"}).must(t, http.StatusOK)
	if approved.str("status") != "approved" {
		t.Fatalf("approved = %s", approved.raw)
	}

	got := call(t, http.MethodGet, "/v1/deals/"+id, stack.tokens["partnerA"], nil).must(t, http.StatusOK)
	tl := got.timeline(t)
	if len(tl) != 4 {
		t.Fatalf("timeline = %v", tl)
	}
	last := tl[3]
	actor := last["actor"].(map[string]any)
	if last["type"] != "approved" || last["from"] != "pending_approval" || last["to"] != "approved" ||
		last["reason"] != "strategic account" || actor["name"] != "Morgan Manager" || actor["role"] != "channel_manager" ||
		last["occurred_at"] == "" {
		t.Fatalf("approval entry = %v", last)
	}
	// The partner's admin and every vendor role read the deal too.
	for _, who := range []string{"adminA", "manager", "finance", "admin"} {
		call(t, http.MethodGet, "/v1/deals/"+id, stack.tokens[who], nil).must(t, http.StatusOK)
	}
}

// Rejection needs a reason; once rejected, approving or rejecting again is
// refused with 409 and changes nothing.
func TestRejectThenInvalidTransitions(t *testing.T) {
	id := submit(t, stack.tokens["partnerA"]).str("id")
	r := call(t, http.MethodPost, "/v1/deals/"+id+"/reject", stack.tokens["manager"], nil)
	r.problem(t, http.StatusBadRequest, "urn:dealflow:problem:malformed-request")
	r = call(t, http.MethodPost, "/v1/deals/"+id+"/reject", stack.tokens["manager"], map[string]string{"reason": ""})
	if r.problem(t, http.StatusUnprocessableEntity, "urn:dealflow:problem:validation").fieldErrors()["reason"] == "" {
		t.Fatalf("no reason error: %s", r.raw)
	}
	call(t, http.MethodPost, "/v1/deals/"+id+"/reject", stack.tokens["manager"],
		map[string]string{"reason": "existing direct account"}).must(t, http.StatusOK)

	for _, step := range []string{"approve", "reject"} {
		r := call(t, http.MethodPost, "/v1/deals/"+id+"/"+step, stack.tokens["managerB2"], map[string]string{"reason": "again"})
		r.problem(t, http.StatusConflict, "urn:dealflow:problem:invalid-transition")
		if r.str("current_status") != "rejected" {
			t.Fatalf("%s: %s", step, r.raw)
		}
	}
	got := call(t, http.MethodGet, "/v1/deals/"+id, stack.tokens["manager"], nil).must(t, http.StatusOK)
	if got.str("status") != "rejected" || len(got.timeline(t)) != 4 {
		t.Fatalf("after refused transitions: %s", got.raw)
	}
}

// Approving twice: the second approval is refused (409) and the deal keeps
// exactly one approval event.
func TestApproveTwice(t *testing.T) {
	id := submit(t, stack.tokens["partnerA"]).str("id")
	call(t, http.MethodPost, "/v1/deals/"+id+"/approve", stack.tokens["manager"], nil).must(t, http.StatusOK)
	call(t, http.MethodPost, "/v1/deals/"+id+"/approve", stack.tokens["managerB2"], nil).
		problem(t, http.StatusConflict, "urn:dealflow:problem:invalid-transition")
	if n := len(call(t, http.MethodGet, "/v1/deals/"+id, stack.tokens["manager"], nil).timeline(t)); n != 4 {
		t.Fatalf("timeline has %d entries, want 4", n)
	}
}

// A partner never sees or acts on another organization's deal: it answers
// 404, exactly as for a deal that does not exist.
func TestOtherOrganizationSeesNothing(t *testing.T) {
	id := submit(t, stack.tokens["partnerA"]).str("id")
	other := call(t, http.MethodGet, "/v1/deals/"+id, stack.tokens["partnerB"], nil)
	other.problem(t, http.StatusNotFound, "urn:dealflow:problem:not-found")
	missing := call(t, http.MethodGet, "/v1/deals/00000000-0000-7000-8000-000000000000", stack.tokens["partnerB"], nil)
	missing.problem(t, http.StatusNotFound, "urn:dealflow:problem:not-found")
	if other.str("detail") != missing.str("detail") {
		t.Fatalf("another's deal and a missing deal answer differently: %q vs %q", other.str("detail"), missing.str("detail"))
	}
	call(t, http.MethodGet, "/v1/deals/not-a-uuid", stack.tokens["partnerB"], nil).
		problem(t, http.StatusNotFound, "urn:dealflow:problem:not-found")
	if strings.Contains(string(other.raw), "Acme") {
		t.Fatalf("404 leaks deal data: %s", other.raw)
	}
}

// Function-level authorization: each role reaches only its endpoints.
func TestRoles(t *testing.T) {
	id := submit(t, stack.tokens["adminA"]).str("id")
	for _, c := range []struct {
		who, method, path string
	}{
		{"partnerA", http.MethodPost, "/v1/deals/" + id + "/approve"},
		{"adminA", http.MethodPost, "/v1/deals/" + id + "/reject"},
		{"finance", http.MethodPost, "/v1/deals/" + id + "/approve"},
		{"manager", http.MethodPost, "/v1/deals"},
		{"finance", http.MethodPost, "/v1/deals"},
		{"admin", http.MethodPost, "/v1/deals"},
	} {
		r := call(t, c.method, c.path, stack.tokens[c.who], map[string]string{"reason": "x"})
		if r.status != http.StatusForbidden {
			t.Errorf("%s %s %s: status %d, want 403", c.who, c.method, c.path, r.status)
		}
	}
	if got := call(t, http.MethodGet, "/v1/deals/"+id, stack.tokens["manager"], nil).must(t, http.StatusOK); got.str("status") != "pending_approval" {
		t.Fatalf("a refused call changed the deal: %s", got.raw)
	}
}

// Without a token, or with a wrong one, every endpoint answers 401.
func TestAuthentication(t *testing.T) {
	for _, h := range []string{"", "dft_not-a-real-token", "Bearer"} {
		r := call(t, http.MethodGet, "/v1/deals/00000000-0000-7000-8000-000000000000", h, nil)
		r.problem(t, http.StatusUnauthorized, "urn:dealflow:problem:unauthenticated")
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Fatalf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
		}
	}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, stack.baseURL+"/v1/deals", nil)
	req.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("Basic auth: %d", resp.StatusCode)
	}
}

// Health: /healthz answers for the process, /readyz for its dependencies;
// unknown routes and methods answer problems too.
func TestHealthAndRouting(t *testing.T) {
	call(t, http.MethodGet, "/healthz", "", nil).must(t, http.StatusOK)
	ready := call(t, http.MethodGet, "/readyz", "", nil).must(t, http.StatusOK)
	checks := ready.body["checks"].(map[string]any)
	if checks["postgres"] != "ok" || checks["temporal"] != "ok" {
		t.Fatalf("readyz = %s", ready.raw)
	}
	call(t, http.MethodGet, "/v1/nope", stack.tokens["manager"], nil).problem(t, http.StatusNotFound, "urn:dealflow:problem:not-found")
	call(t, http.MethodDelete, "/v1/deals", stack.tokens["manager"], nil).problem(t, http.StatusMethodNotAllowed, "urn:dealflow:problem:method-not-allowed")
}
