package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealflow/dealflow/api"
	"github.com/dealflow/dealflow/internal/stdwebhook"
	"github.com/dealflow/dealflow/workflows/webhook"
)

// hook is a webhook subscription of another organization (partner B's),
// as the vendor admin read it before the probes.
type hook struct {
	id, raw string
}

// otherOrganizationsWebhook makes a subscription of partner B's admin.
func otherOrganizationsWebhook(t *testing.T) hook {
	t.Helper()
	tok := partnerBAdmin(t)
	id := call(t, http.MethodPost, "/v1/webhooks/subscriptions", tok, map[string]any{"url": "http://127.0.0.1:9/b"}).
		must(t, http.StatusCreated).str("id")
	return hook{id: id, raw: string(call(t, http.MethodGet, "/v1/webhooks/subscriptions/"+id, stack.tokens["admin"], nil).must(t, http.StatusOK).raw)}
}

// unchanged fails the test when the subscription changed, or when partner
// A's admin lists it.
func (h hook) unchanged(t *testing.T) {
	t.Helper()
	if now := string(call(t, http.MethodGet, "/v1/webhooks/subscriptions/"+h.id, stack.tokens["admin"], nil).must(t, http.StatusOK).raw); now != h.raw {
		t.Errorf("another organization's subscription changed:\n%s\n%s", h.raw, now)
	}
	if r := call(t, http.MethodGet, "/v1/webhooks/subscriptions", stack.tokens["adminA"], nil).must(t, http.StatusOK); strings.Contains(string(r.raw), h.id) {
		t.Errorf("partner A's admin lists partner B's subscription: %s", r.raw)
	}
}

var partnerBAdminToken = sync.OnceValues(func() (string, error) {
	return cliLine("token", "create", "--role", "partner_admin", "--partner", stack.partnerB, "--name", "Bea Admin",
		"--email", "bea."+tag()+"@contoso.example")
})

func partnerBAdmin(t *testing.T) string {
	t.Helper()
	tok, err := partnerBAdminToken()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// webhookBody is a valid body of a webhook route, so that the object
// check, not validation, answers.
func webhookBody(rt api.Route) any {
	switch {
	case rt.Method == http.MethodPatch:
		return map[string]any{"description": "x"}
	case strings.HasSuffix(rt.Path, "/replay"):
		return map[string]any{"from_event_id": 1}
	case strings.HasSuffix(rt.Path, "/rotate-secret"):
		return map[string]any{}
	}
	return nil
}

// receiver is a webhook receiver the test runs: it keeps what arrives at
// each path.
type receiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got map[string][]delivery
	// flaky paths answer 503 to the first attempt of each event (not
	// to test events), which is then retried with its webhook-id.
	flaky map[string]bool
	seen  map[string]bool
}

type delivery struct {
	header http.Header
	body   []byte
	event  struct {
		Type string `json:"type"`
		Data struct {
			EventID int64  `json:"event_id"`
			DealID  string `json:"deal_id"`
		} `json:"data"`
	}
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{got: map[string][]delivery{}, flaky: map[string]bool{"/a": true}, seen: map[string]bool{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var d delivery
		d.header = req.Header.Clone()
		d.body, _ = io.ReadAll(req.Body)
		_ = json.Unmarshal(d.body, &d.event)
		r.mu.Lock()
		defer r.mu.Unlock()
		if id := d.header.Get(stdwebhook.HeaderID); r.flaky[req.URL.Path] && d.event.Type != "webhook.test" && !r.seen[id] {
			r.seen[id] = true
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		r.got[req.URL.Path] = append(r.got[req.URL.Path], d)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// wait returns what reached path once one delivery satisfies ok.
func (r *receiver) wait(t *testing.T, path string, ok func(delivery) bool) delivery {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		for _, d := range r.got[path] {
			if ok(d) {
				r.mu.Unlock()
				return d
			}
		}
		r.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing matching reached %s; got %d deliveries", path, len(r.all(path)))
	return delivery{}
}

func (r *receiver) all(path string) []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got[path]...)
}

// A partner admin's subscription receives its organization's approval,
// signed with its secret and a stable webhook-id; another organization's
// subscription receives none of it; the vendor's (filtered to approved)
// receives it too. The test event, a rotation's overlap (both signatures),
// the delivery log and a replay (the same webhook-id again) work end to
// end; a partner admin cannot subscribe for another organization.
func TestWebhooksDeliverSignedEventsToTheirOrganization(t *testing.T) {
	rc := newReceiver(t)
	sub := func(token, path string, types []string) (string, string) {
		r := call(t, http.MethodPost, "/v1/webhooks/subscriptions", token, map[string]any{"url": rc.srv.URL + path,
			"event_types": types}).must(t, http.StatusCreated)
		if !strings.HasPrefix(r.str("secret"), "whsec_") {
			t.Fatalf("no secret: %s", r.raw)
		}
		return r.str("id"), r.str("secret")
	}
	idA, secretA := sub(stack.tokens["adminA"], "/a", nil)
	_, secretB := sub(partnerBAdmin(t), "/b", nil)
	_, secretV := sub(stack.tokens["admin"], "/v", []string{"approved"})
	call(t, http.MethodPost, "/v1/webhooks/subscriptions", stack.tokens["adminA"], map[string]any{"url": rc.srv.URL + "/x",
		"partner_id": stack.partnerB}).must(t, http.StatusUnprocessableEntity)
	if r := call(t, http.MethodGet, "/v1/webhooks/subscriptions/"+idA, stack.tokens["adminA"], nil).must(t, http.StatusOK); r.str("secret") != "" {
		t.Errorf("the secret is shown again: %s", r.raw)
	}

	deal := submit(t, stack.tokens["partnerA"]).str("id")
	post(t, "/v1/deals/"+deal+"/approve", "manager", map[string]string{"reason": "webhook e2e"}).must(t, http.StatusOK)
	isApproval := func(d delivery) bool { return d.event.Type == "approved" && d.event.Data.DealID == deal }
	got := rc.wait(t, "/a", isApproval)
	if err := stdwebhook.Verify(secretA, got.header, got.body, time.Now()); err != nil {
		t.Errorf("partner A's webhook: %v", err)
	}
	v := rc.wait(t, "/v", isApproval)
	if err := stdwebhook.Verify(secretV, v.header, v.body, time.Now()); err != nil {
		t.Errorf("the vendor's webhook: %v", err)
	}
	for _, d := range rc.all("/v") {
		if d.event.Type != "approved" {
			t.Errorf("the vendor's approved-only subscription received %q", d.event.Type)
		}
	}
	for _, d := range rc.all("/b") {
		if strings.Contains(string(d.body), deal) || stdwebhook.Verify(secretB, d.header, d.body, time.Now()) != nil {
			t.Errorf("partner B's subscription received partner A's event: %s", d.body)
		}
	}

	// The delivery log has it, delivered at the second attempt (the
	// receiver answered the first 503), with the webhook-id sent.
	base := "/v1/webhooks/subscriptions/" + idA
	// (The receiver has it before the attempt is recorded: wait for that.)
	var log response
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		log = call(t, http.MethodGet, base+"/deliveries?limit=200", stack.tokens["adminA"], nil).must(t, http.StatusOK)
		if strings.Contains(string(log.raw), `"status":"delivered"`) || time.Now().After(deadline) {
			break
		}
	}
	if !strings.Contains(string(log.raw), `"webhook_id":"`+got.header.Get(stdwebhook.HeaderID)+`"`) || !strings.Contains(string(log.raw), `"status":"delivered"`) ||
		!strings.Contains(string(log.raw), `"attempts":2`) {
		t.Errorf("delivery log: %s", log.raw)
	}
	call(t, http.MethodGet, base+"/deliveries?limit=0", stack.tokens["adminA"], nil).must(t, http.StatusUnprocessableEntity)

	// A test event now; after a rotation, signed with both secrets.
	if r := post(t, base+"/test", "adminA", nil).must(t, http.StatusOK); r.body["delivered"] != true {
		t.Errorf("test event: %s", r.raw)
	}
	rot := post(t, base+"/rotate-secret", "adminA", map[string]any{"overlap_seconds": 3600}).must(t, http.StatusOK)
	post(t, base+"/test", "adminA", nil).must(t, http.StatusOK)
	tests := 0
	for _, d := range rc.all("/a") {
		if d.event.Type != "webhook.test" {
			continue
		}
		if tests++; tests == 2 {
			if n := len(strings.Fields(d.header.Get(stdwebhook.HeaderSignature))); n != 2 {
				t.Errorf("during the overlap %d signatures", n)
			}
			for _, s := range []string{secretA, rot.str("secret")} {
				if err := stdwebhook.Verify(s, d.header, d.body, time.Now()); err != nil {
					t.Errorf("overlap: %v", err)
				}
			}
		}
	}
	if tests != 2 {
		t.Errorf("%d test events arrived, want 2", tests)
	}

	// Replay from the approval: it arrives again with its webhook-id.
	before := len(rc.all("/a"))
	post(t, base+"/replay", "adminA", map[string]any{"from_event_id": got.event.Data.EventID}).must(t, http.StatusAccepted)
	var again delivery
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if all := rc.all("/a"); len(all) > before {
			if i := lastApproval(all[before:], isApproval); i >= 0 {
				again = all[before+i]
				break
			}
		}
	}
	if again.header.Get(stdwebhook.HeaderID) != got.header.Get(stdwebhook.HeaderID) {
		t.Errorf("replayed with webhook-id %q, first %q", again.header.Get(stdwebhook.HeaderID), got.header.Get(stdwebhook.HeaderID))
	}
	if n := countID(rc.all("/a"), got.header.Get(stdwebhook.HeaderID)); n < 2 {
		t.Errorf("the approval arrived %d times after the replay", n)
	}
	recordHistory(t, webhook.WorkflowID(idA), "v1-webhook-delivery.json")
	call(t, http.MethodDelete, base, stack.tokens["adminA"], nil).must(t, http.StatusOK)
	call(t, http.MethodGet, base, stack.tokens["adminA"], nil).must(t, http.StatusNotFound)
}

func lastApproval(ds []delivery, ok func(delivery) bool) int {
	for i := len(ds) - 1; i >= 0; i-- {
		if ok(ds[i]) {
			return i
		}
	}
	return -1
}

func countID(ds []delivery, id string) int {
	n := 0
	for _, d := range ds {
		if d.header.Get(stdwebhook.HeaderID) == id {
			n++
		}
	}
	return n
}
