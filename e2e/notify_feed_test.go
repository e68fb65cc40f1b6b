package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/dealflow/dealflow/workflows/notify"
	"go.temporal.io/sdk/client"
)

// feedOf reads the caller's unread feed (first page) and unread count.
func feedOf(t *testing.T, token string) ([]map[string]any, int) {
	t.Helper()
	r := call(t, http.MethodGet, "/v1/me/notifications?unread=true&limit=200", token, nil).must(t, http.StatusOK)
	items, _ := r.body["notifications"].([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		out = append(out, it.(map[string]any))
	}
	n := call(t, http.MethodGet, "/v1/me/notifications/unread-count", token, nil).must(t, http.StatusOK)
	return out, int(n.body["unread"].(float64))
}

// aboutDeal returns the feed items on deal.
func aboutDeal(items []map[string]any, deal string) []map[string]any {
	var out []map[string]any
	for _, it := range items {
		if it["deal_id"] == deal {
			out = append(out, it)
		}
	}
	return out
}

// The in-console feed: a deal's notifications appear in the feeds of the
// people they are addressed to (the partner's users, the channel managers)
// and no one else's (another partner's user, finance); reading one lowers
// the unread count; another's notification cannot be marked (404); read-all
// empties the unread feed; pages follow next_before.
func TestNotificationFeedIsTheCallersOwn(t *testing.T) {
	id := submit(t, stack.tokens["partnerA"]).str("id")
	call(t, http.MethodPost, "/v1/deals/"+id+"/approve", stack.tokens["manager"],
		map[string]string{"reason": "strategic account"}).must(t, http.StatusOK)

	pat, patUnread := feedOf(t, stack.tokens["partnerA"])
	mine := aboutDeal(pat, id)
	if len(mine) == 0 || patUnread < len(mine) {
		t.Fatalf("pat's feed has %d of the deal's notifications (unread %d)", len(mine), patUnread)
	}
	kinds := map[any]bool{}
	for _, it := range mine {
		kinds[it["kind"]] = true
		if it["read"] != false || it["link"] != "/console/deals/"+id {
			t.Errorf("pat's item %v", it)
		}
	}
	if !kinds["approved"] {
		t.Errorf("pat's feed lacks the approval: %v", mine)
	}
	morgan, _ := feedOf(t, stack.tokens["manager"])
	if m := aboutDeal(morgan, id); len(m) == 0 || m[0]["kind"] != "review_needed" && m[len(m)-1]["kind"] != "review_needed" {
		t.Errorf("the manager's feed about the deal: %v", m)
	}
	bo, _ := feedOf(t, stack.tokens["partnerB"])
	if len(aboutDeal(bo, id)) != 0 {
		t.Fatalf("another partner's user sees the deal's notifications")
	}
	fin, _ := feedOf(t, stack.tokens["finance"])
	if len(aboutDeal(fin, id)) != 0 {
		t.Errorf("finance sees notifications addressed to others")
	}

	// Another organization's user cannot mark pat's notification read.
	nid := fmt.Sprint(int64(mine[0]["id"].(float64)))
	call(t, http.MethodPost, "/v1/me/notifications/"+nid+"/read", stack.tokens["partnerB"], nil).must(t, http.StatusNotFound)
	call(t, http.MethodPost, "/v1/me/notifications/not-a-number/read", stack.tokens["partnerA"], nil).must(t, http.StatusNotFound)
	call(t, http.MethodPost, "/v1/me/notifications/"+nid+"/read", stack.tokens["partnerA"], nil).must(t, http.StatusNoContent)
	call(t, http.MethodPost, "/v1/me/notifications/"+nid+"/read", stack.tokens["partnerA"], nil).must(t, http.StatusNoContent)
	after, afterUnread := feedOf(t, stack.tokens["partnerA"])
	if afterUnread != patUnread-1 || len(aboutDeal(after, id)) != len(mine)-1 {
		t.Fatalf("after reading one: unread %d (was %d)", afterUnread, patUnread)
	}
	all := call(t, http.MethodGet, "/v1/me/notifications?limit=1", stack.tokens["partnerA"], nil).must(t, http.StatusOK)
	if next := all.str("next_before"); next != "" {
		page2 := call(t, http.MethodGet, "/v1/me/notifications?limit=1&before="+next, stack.tokens["partnerA"], nil).must(t, http.StatusOK)
		first := all.body["notifications"].([]any)[0].(map[string]any)["id"].(float64)
		second := page2.body["notifications"].([]any)[0].(map[string]any)["id"].(float64)
		if second >= first {
			t.Errorf("page 2 starts at %v after %v", second, first)
		}
	}
	call(t, http.MethodGet, "/v1/me/notifications?unread=maybe&before=-1", stack.tokens["partnerA"], nil).problem(t, http.StatusUnprocessableEntity, "urn:dealflow:problem:validation")
	call(t, http.MethodPost, "/v1/me/notifications/read-all", stack.tokens["partnerA"], nil).must(t, http.StatusOK)
	if _, n := feedOf(t, stack.tokens["partnerA"]); n != 0 {
		t.Errorf("after read-all: %d unread", n)
	}
	// Bo's feed is untouched by pat's reading.
	if _, n := feedOf(t, stack.tokens["partnerB"]); n != len(bo) {
		t.Errorf("bo's unread count moved: %d, was %d", n, len(bo))
	}
}

// The daily digest end to end: a person who chose the digest receives no
// immediate mail but, when the digest runs (here asked at once with the
// digest-now signal), one digest listing the deal's notification with its
// console link; running it again the same day sends nothing more.
func TestDailyDigestArrivesOnce(t *testing.T) {
	ada := stack.tokens["adminA"]
	prefs := "/v1/me/notification-preferences"
	call(t, http.MethodPut, prefs, ada, map[string]string{"email": "daily_digest"}).must(t, http.StatusOK)
	defer call(t, http.MethodPut, prefs, ada, map[string]string{"email": "immediate"})

	body := dealBody()
	customer := body["customer"].(map[string]any)["name"].(string)
	id := call(t, http.MethodPost, "/v1/deals", stack.tokens["partnerA"], body).must(t, http.StatusCreated).str("id")
	call(t, http.MethodPost, "/v1/deals/"+id+"/approve", stack.tokens["manager"],
		map[string]string{"reason": "strategic account"}).must(t, http.StatusOK)
	// Pat (immediate) gets the approval now; ada's is kept for the digest.
	if len(mailsTo(t, "pat@northwind.example", customer, 1, 20*time.Second)) != 1 {
		t.Fatal("pat did not receive the approval")
	}
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var kept int
		if err := stack.pool.QueryRow(ctx, `SELECT count(*) FROM notification_deliveries nd JOIN notifications n ON n.id = nd.notification_id
			WHERE n.deal_id = $1 AND nd.recipient = 'ada@northwind.example' AND nd.status = 'digest'`, id).Scan(&kept); err != nil {
			t.Fatal(err)
		}
		if kept > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("ada's notification was never kept for the digest")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := len(mailsTo(t, "ada@northwind.example", customer, 1, 0)); n != 0 {
		t.Fatalf("ada chose the digest but received %d immediate mails", n)
	}

	tc, err := client.Dial(client.Options{HostPort: stack.temporal, Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	desc, err := tc.DescribeWorkflowExecution(ctx, notify.DigestWorkflowID, "")
	if err != nil {
		t.Fatal(err)
	}
	run := desc.WorkflowExecutionInfo.Execution.RunId
	if err := notify.NewClient(tc).DigestNow(ctx); err != nil {
		t.Fatal(err)
	}
	digests := mailsTo(t, "ada@northwind.example", "Your dealflow digest for", 1, 30*time.Second)
	if len(digests) != 1 {
		t.Fatalf("ada received %d digests\n%s", len(digests), stack.devLog.String())
	}
	full, err := stack.mailpit.Message(ctx, digests[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(full.Text, customer) || !strings.Contains(full.Text, stack.baseURL+"/console/deals/"+id) ||
		!strings.Contains(full.HTML, stack.baseURL+"/console/deals/"+id) || !strings.Contains(full.Text, "/v1/notifications/unsubscribe?token=") ||
		!strings.HasPrefix(digests[0].MessageID, "digest-") {
		t.Fatalf("digest: %s\n%s", digests[0].MessageID, full.Text)
	}
	// Again the same day: nothing more.
	if err := notify.NewClient(tc).DigestNow(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if n := len(mailsTo(t, "ada@northwind.example", "Your dealflow digest for", 2, 0)); n != 1 {
		t.Fatalf("ada holds %d digests after a second run the same day", n)
	}
	recordRun(t, notify.DigestWorkflowID, run, "v1-notification-digest.json")
}

// recordRun writes one run's history to DEALFLOW_RECORD_REPLAY (see
// recordHistory), for a workflow that continues as new.
func recordRun(t *testing.T, workflowID, runID, name string) {
	t.Helper()
	dir := os.Getenv("DEALFLOW_RECORD_REPLAY")
	if dir == "" {
		return
	}
	cli, err := testenv.TemporalCLI()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(cli, "workflow", "show", "--address", stack.temporal, "-w", workflowID, "-r", runID, "-o", "json").Output()
	if err != nil {
		t.Fatalf("record %s: %v", workflowID, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), out, 0o644); err != nil {
		t.Fatal(err)
	}
}
