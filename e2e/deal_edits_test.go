package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/workflows/deal"
)

// Issue 12, finding 5, through the API: manager 1 approves a deal needing
// two approvals, manager 2 asks a question, the partner answers and
// multiplies the amount by 5000. Manager 2's approval is then the first of
// two, not the second: the earlier approval was cleared, with an event by
// the system saying what changed.
func TestMaterialEditClearsApprovalsOverHTTP(t *testing.T) {
	b := dealBody()
	b["amount"] = 25_000_000
	id := call(t, http.MethodPost, "/v1/deals", stack.tokens["partnerA"], b).must(t, http.StatusCreated).str("id")
	d := "/v1/deals/" + id
	post(t, d+"/approve", "manager", map[string]string{"reason": "fine"}).must(t, http.StatusOK)
	post(t, d+"/request-info", "managerB2", map[string]string{"question": "How many seats?"}).must(t, http.StatusOK)
	answered := post(t, d+"/answer-info", "partnerA", map[string]any{"answer": "many more",
		"changes": map[string]any{"amount": 25_000_000 * 5000}}).must(t, http.StatusOK)
	if answered.body["approvals"] != float64(0) || answered.body["required_approvals"] != float64(2) {
		t.Fatalf("after the answer: %s", answered.raw)
	}
	second := post(t, d+"/approve", "managerB2", nil).must(t, http.StatusOK)
	if second.str("status") != "pending_approval" || second.body["approvals"] != float64(1) || second.body["required_approvals"] != float64(2) {
		t.Fatalf("manager 2's approval made it %s, %v of %v", second.str("status"), second.body["approvals"], second.body["required_approvals"])
	}
	if got := types(t, second); got != "submitted screening_started review_requested approval_recorded info_requested info_answered approvals_cleared approval_recorded" {
		t.Fatalf("timeline = %s", got)
	}
	var cleared map[string]any
	for _, e := range second.timeline(t) {
		if e["type"] == "approvals_cleared" {
			cleared = e
		}
	}
	if cleared["actor"].(map[string]any)["role"] != "system" || !strings.Contains(cleared["reason"].(string), "amount 25000000 → 125000000000") {
		t.Fatalf("approvals_cleared = %v", cleared)
	}
	if post(t, d+"/approve", "manager", map[string]string{"reason": "seen the new figures"}).must(t, http.StatusOK).str("status") != "approved" {
		t.Fatal("manager 1's approval of the new figures did not approve")
	}
	recordHistory(t, deal.WorkflowID(id), "v1-material-edit-clears-approvals.json")
}

// Issue 12, finding 9, through the API: a partner's upward correction of a
// won amount waits for review (the won amount incentives read is unchanged
// meanwhile, and the deal is in the manager inbox); one at a time; a
// channel manager approves it, finance denies another; a downward one
// applies at once. A close date before the submission is refused naming
// close_date.
func TestPartnerCorrectionReviewOverHTTP(t *testing.T) {
	id := submit(t, stack.tokens["partnerA"]).str("id")
	d := "/v1/deals/" + id
	post(t, d+"/approve", "manager", nil).must(t, http.StatusOK)
	early := time.Now().UTC().AddDate(0, 0, -3).Format(time.DateOnly)
	won := map[string]any{"amount": 1_300_000, "currency": "USD", "product_lines": []string{"firewall"}, "close_date": early}
	refused := post(t, d+"/close-won", "partnerA", won).problem(t, 422, "urn:dealflow:problem:validation")
	if msg := refused.fieldErrors()["close_date"]; !strings.Contains(msg, "before the registration was submitted") {
		t.Fatalf("close date before submission: %s", refused.raw)
	}
	post(t, d+"/close-lost", "partnerA", map[string]any{"close_date": early}).problem(t, 422, "urn:dealflow:problem:validation")
	won["close_date"] = todayDate()
	post(t, d+"/close-won", "partnerA", won).must(t, http.StatusOK)

	asked := post(t, d+"/correct-outcome", "partnerA", map[string]any{"amount": 1_000_000_000_000_000, "reason": "more seats"}).must(t, http.StatusOK)
	if asked.body["outcome"].(map[string]any)["amount"] != float64(1_300_000) || asked.body["pending_correction_amount"] != float64(1_000_000_000_000_000) ||
		asked.body["sla_due_at"] == nil {
		t.Fatalf("after the request: %s", asked.raw)
	}
	var wonAmount int64
	if err := stack.pool.QueryRow(t.Context(), "SELECT won_amount FROM deals WHERE id = $1", id).Scan(&wonAmount); err != nil || wonAmount != 1_300_000 {
		t.Fatalf("won_amount while the correction awaits review: %d (%v)", wonAmount, err)
	}
	inbox := call(t, http.MethodGet, "/v1/inbox?limit=200", stack.tokens["manager"], nil).must(t, http.StatusOK)
	if !strings.Contains(string(inbox.raw), `"action":"correction_review","deal":{"id":"`+id) {
		t.Fatalf("inbox lacks the correction review for %s", id)
	}
	post(t, d+"/correct-outcome", "partnerA", map[string]any{"amount": 2_000_000, "reason": "again"}).
		problem(t, http.StatusConflict, "urn:dealflow:problem:invalid-transition")
	post(t, d+"/correct-outcome", "finance", map[string]any{"amount": 1_000_000, "reason": "meanwhile"}).
		problem(t, http.StatusConflict, "urn:dealflow:problem:invalid-transition")
	post(t, d+"/decide-correction", "partnerA", map[string]any{"approve": true}).must(t, http.StatusForbidden)
	post(t, d+"/decide-correction", "manager", map[string]any{}).problem(t, 422, "urn:dealflow:problem:validation")
	if fe := post(t, d+"/decide-correction", "finance", map[string]any{"approve": false}).
		problem(t, 422, "urn:dealflow:problem:validation").fieldErrors(); fe["reason"] == "" {
		t.Fatalf("a denial without a reason: %v", fe)
	}
	denied := post(t, d+"/decide-correction", "finance", map[string]any{"approve": false, "reason": "no invoice"}).must(t, http.StatusOK)
	if denied.body["outcome"].(map[string]any)["amount"] != float64(1_300_000) || denied.body["pending_correction_amount"] != nil {
		t.Fatalf("after the denial: %s", denied.raw)
	}
	post(t, d+"/correct-outcome", "partnerA", map[string]any{"amount": 1_500_000, "reason": "two seats invoiced"}).must(t, http.StatusOK)
	approved := post(t, d+"/decide-correction", "manager", map[string]any{"approve": true, "reason": "invoice seen"}).must(t, http.StatusOK)
	if approved.body["outcome"].(map[string]any)["amount"] != float64(1_500_000) || approved.body["pending_correction_amount"] != nil {
		t.Fatalf("after the approval: %s", approved.raw)
	}
	post(t, d+"/decide-correction", "manager", map[string]any{"approve": true}).problem(t, http.StatusConflict, "urn:dealflow:problem:invalid-transition")
	down := post(t, d+"/correct-outcome", "partnerA", map[string]any{"amount": 1_400_000, "reason": "discount"}).must(t, http.StatusOK)
	if down.body["outcome"].(map[string]any)["amount"] != float64(1_400_000) {
		t.Fatalf("a downward correction did not apply at once: %s", down.raw)
	}
	if got := types(t, call(t, http.MethodGet, d, stack.tokens["manager"], nil)); got != "submitted screening_started review_requested approved closed_won"+
		" correction_requested correction_denied correction_requested outcome_corrected outcome_corrected" {
		t.Fatalf("timeline = %s", got)
	}
	var notified int
	if err := stack.pool.QueryRow(t.Context(), `SELECT count(*) FROM notifications WHERE deal_id = $1 AND kind = 'correction_review_needed'`,
		id).Scan(&notified); err != nil || notified != 4 {
		t.Fatalf("correction_review_needed notifications: %d (%v), want 2 requests × managers and finance", notified, err)
	}
	recordHistory(t, deal.WorkflowID(id), "v1-correction-review.json")
}

// The console serves the correction review from the same step table: the
// partner's raise through the deal page's form, the manager's inbox and
// deal page showing it with the decision form, a denial refused without a
// reason, then the approval.
func TestConsoleCorrectionReview(t *testing.T) {
	partner, pcsrf := consoleClient(t, "partnerA")
	manager, mcsrf := consoleClient(t, "manager")
	id := submit(t, stack.tokens["partnerA"]).str("id")
	post(t, "/v1/deals/"+id+"/approve", "manager", nil).must(t, http.StatusOK)
	post(t, "/v1/deals/"+id+"/close-won", "partnerA", map[string]any{"amount": 1_000_000, "currency": "USD",
		"product_lines": []string{"vpn"}, "close_date": todayDate()}).must(t, http.StatusOK)
	d := "/console/deals/" + id
	if got := postForm(t, partner, d+"/correct-outcome", url.Values{"csrf": {pcsrf}, "amount": {"15000.00"}, "reason": {"more seats"}}); got != "Done: correct outcome" {
		t.Fatalf("correct-outcome: %q", got)
	}
	if page := get(t, partner, d, http.StatusOK); !strings.Contains(page, "Correction awaiting review") || strings.Contains(page, "/decide-correction") {
		t.Fatal("the partner's page does not show its correction awaiting review, or offers to decide it")
	}
	if inbox := get(t, manager, "/console/inbox", http.StatusOK); !strings.Contains(inbox, "correction to review") {
		t.Fatal("the console inbox does not list the correction")
	}
	page := get(t, manager, d, http.StatusOK)
	if !strings.Contains(page, `action="/console/deals/`+id+`/decide-correction"`) || !strings.Contains(page, "15000.00 USD") {
		t.Fatal("the manager's deal page lacks the decision form")
	}
	steps := []struct {
		form url.Values
		want string
	}{
		{url.Values{"approve": {"no"}}, "Not done: reason is required when denying"},
		{url.Values{"approve": {"yes"}, "reason": {"invoice seen"}}, "Done: decide correction"},
	}
	for _, st := range steps {
		st.form.Set("csrf", mcsrf)
		if got := postForm(t, manager, d+"/decide-correction", st.form); got != st.want {
			t.Fatalf("decide-correction: %q, want %q", got, st.want)
		}
	}
	if got := call(t, http.MethodGet, "/v1/deals/"+id, stack.tokens["partnerA"], nil).body["outcome"].(map[string]any)["amount"]; got != float64(1_500_000) {
		t.Fatalf("won amount after the console approval: %v", got)
	}
}
