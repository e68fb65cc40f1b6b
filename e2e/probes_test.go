package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/workflows/deal"
	"github.com/dealflow/dealflow/workflows/incentive"
	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// idempotencyNamespace is the API's: a deal's id is derived from its
// partner and Idempotency-Key, so a probe can name the deal (and the
// workflow) a refused registration must not have made.
var idempotencyNamespace = uuid.MustParse("6b0c3f0e-4d1c-5b7a-9a57-1f3f3c0e2d11")

func keyedDealID(partner, key string) string {
	return uuid.NewSHA1(idempotencyNamespace, []byte(partner+"\x00"+key)).String()
}

// historyLength is the number of events in a workflow's history that
// record something: every event but the workflow tasks, which Temporal
// may persist (empty) for an Update the workflow's validator rejected.
func historyLength(t *testing.T, tc client.Client, workflowID string) int {
	t.Helper()
	n := 0
	it := tc.GetWorkflowHistory(t.Context(), workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", workflowID, err)
		}
		switch e.EventType {
		case enums.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enums.EVENT_TYPE_WORKFLOW_TASK_STARTED, enums.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
		default:
			n++
		}
	}
	return n
}

func dialTemporal(t *testing.T) client.Client {
	t.Helper()
	tc, err := client.Dial(client.Options{HostPort: stack.temporal, Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)
	return tc
}

// The review's probes (issue 12), replayed against the running stack with
// the answers the issue promises; a refused probe writes nothing, in
// PostgreSQL or in a workflow's history. Finding 3 (formula cells in
// every CSV) is TestExportsNeutraliseFormulas, finding 7 (200 bad tokens
// and 50 sign-in guesses meet 429) TestGuessingTokensIsThrottled; the
// sweep of every route is TestProbeSweepAnswersNo5xx.
func TestProbesOfTheReview(t *testing.T) {
	tc := dialTemporal(t)

	t.Run("finding 1: a NUL in an adjustment is refused and the cycle goes on", func(t *testing.T) {
		id := cycleInReview(t)
		c := "/v1/cycles/" + id
		lines, _ := call(t, http.MethodGet, c+"/lines", stack.tokens["finance"], nil).must(t, http.StatusOK).body["lines"].([]any)
		if len(lines) == 0 {
			t.Fatal("no lines")
		}
		line := lines[0].(map[string]any)
		adjust := c + "/lines/" + line["id"].(string) + "/adjust"
		history := historyLength(t, tc, incentive.CycleWorkflowID(id))
		events := countRows(t, "cycle_events", "cycle_id = $1", id)
		start := time.Now()
		fe := post(t, adjust, "finance", map[string]any{"amount": 1, "reason": "x\u0000"}).
			problem(t, http.StatusUnprocessableEntity, "urn:dealflow:problem:validation").fieldErrors()
		if fe["reason"] == "" {
			t.Fatalf("field errors %v", fe)
		}
		// A line or partner of no cycle is not found before the workflow
		// hears of it.
		unknown := post(t, c+"/lines/"+uuid.NewString()+"/adjust", "finance", map[string]any{"amount": 1, "reason": "x"})
		unknown.problem(t, http.StatusNotFound, "urn:dealflow:problem:not-found")
		post(t, c+"/partners/"+uuid.NewString()+"/hold", "finance", map[string]any{"reason": "x"}).
			problem(t, http.StatusNotFound, "urn:dealflow:problem:not-found")
		if strings.Contains(string(unknown.raw), "(type:") {
			t.Errorf("404 detail shows internals: %s", unknown.raw)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("the refusals took %v", d)
		}
		if h := historyLength(t, tc, incentive.CycleWorkflowID(id)); h != history {
			t.Errorf("refused steps grew the cycle's history from %d to %d events", history, h)
		}
		if n := countRows(t, "cycle_events", "cycle_id = $1", id); n != events {
			t.Errorf("refused steps wrote %d cycle events", n-events)
		}
		ml := "two\nlines\tare fine"
		post(t, c+"/partners/"+line["partner_id"].(string)+"/hold", "finance", map[string]any{"reason": "W-9\nmissing"}).must(t, http.StatusOK)
		post(t, c+"/partners/"+line["partner_id"].(string)+"/release", "finance", map[string]any{"reason": "W-9\treceived"}).must(t, http.StatusOK)
		post(t, adjust, "finance", map[string]any{"amount": 200_00, "reason": ml}).must(t, http.StatusOK)
		post(t, c+"/approve", "finance2", map[string]any{"reason": "checked\r\nagainst CRM"}).must(t, http.StatusOK)
		waitFor(t, 30*time.Second, func() bool {
			return call(t, http.MethodGet, c, stack.tokens["finance"], nil).must(t, http.StatusOK).str("status") == "paid"
		})
		if n := countRows(t, "cycle_events", "cycle_id = $1 AND reason IN ($2, $3, $4, $5)", id, ml, "W-9\nmissing", "W-9\treceived",
			"checked\r\nagainst CRM"); n != 4 {
			t.Errorf("%d of 4 multi-line reasons stored as sent", n)
		}
	})

	t.Run("finding 1: multi-line text keeps its line breaks and tabs in every deal step", func(t *testing.T) {
		ml := func(what string) string { return what + " line one\nline two\twith a tab" }
		b := dealBody()
		b["notes"] = ml("notes")
		id := post(t, "/v1/deals", "partnerA", b).must(t, http.StatusCreated).str("id")
		d := "/v1/deals/" + id
		post(t, d+"/request-info", "manager", map[string]any{"question": ml("question")}).must(t, http.StatusOK)
		post(t, d+"/answer-info", "partnerA", map[string]any{"answer": ml("answer"), "changes": map[string]any{"notes": ml("changed notes")}}).
			must(t, http.StatusOK)
		post(t, d+"/approve", "manager", map[string]any{"reason": ml("approve")}).must(t, http.StatusOK)
		post(t, d+"/request-extension", "partnerA", map[string]any{"reason": ml("extension")}).must(t, http.StatusOK)
		post(t, d+"/decide-extension", "manager", map[string]any{"grant": true, "reason": ml("grant")}).must(t, http.StatusOK)
		post(t, d+"/close-won", "partnerA", map[string]any{"amount": 1_300_000, "currency": "USD", "product_lines": []string{"firewall"},
			"close_date": todayDate()}).must(t, http.StatusOK)
		post(t, d+"/correct-outcome", "partnerA", map[string]any{"amount": 1_400_000, "reason": ml("raise")}).must(t, http.StatusOK)
		post(t, d+"/decide-correction", "manager", map[string]any{"approve": true, "reason": ml("decide")}).must(t, http.StatusOK)
		post(t, d+"/correct-outcome", "finance", map[string]any{"amount": 1_200_000, "reason": ml("lower")}).must(t, http.StatusOK)
		want := []string{"question", "answer", "approve", "extension", "grant", "raise", "decide", "lower"}

		other := func() string {
			return post(t, "/v1/deals", "partnerA", dealBody()).must(t, http.StatusCreated).str("id")
		}
		ids := []string{id}
		for _, st := range []struct{ who, step, first string }{
			{"manager", "reject", ""}, {"partnerA", "withdraw", ""}, {"partnerA", "close-lost", "approve"},
		} {
			o := other()
			if st.first != "" {
				post(t, "/v1/deals/"+o+"/"+st.first, "manager", nil).must(t, http.StatusOK)
			}
			post(t, "/v1/deals/"+o+"/"+st.step, st.who, map[string]any{"reason": ml(st.step)}).must(t, http.StatusOK)
			want, ids = append(want, st.step), append(ids, o)
		}
		first := dealBody()
		post(t, "/v1/deals", "partnerA", first).must(t, http.StatusCreated)
		second := dealBody()
		second["customer"].(map[string]any)["domain"] = "https://sales." + first["customer"].(map[string]any)["domain"].(string)
		conflicted := post(t, "/v1/deals", "partnerB", second).must(t, http.StatusCreated)
		if conflicted.str("status") != "conflict_review" {
			t.Fatalf("no conflict review: %s", conflicted.raw)
		}
		post(t, "/v1/deals/"+conflicted.str("id")+"/resolve-conflict", "manager", map[string]any{"outcome": "proceed",
			"reason": ml("resolve")}).must(t, http.StatusOK)
		want, ids = append(want, "resolve"), append(ids, conflicted.str("id"))

		for _, w := range want {
			if n := countRows(t, "deal_events", "deal_id = ANY($1::uuid[]) AND reason = $2", ids, ml(w)); n != 1 {
				t.Errorf("the %s's text is stored %d times as sent", w, n)
			}
		}
		if n := countRows(t, "deals", "id = $1 AND notes = $2", id, ml("changed notes")); n != 1 {
			t.Errorf("the changed notes are not stored as sent")
		}
	})

	t.Run("finding 2: a NUL in a keyed registration writes nothing and poisons nothing", func(t *testing.T) {
		key := "probe-nul-" + tag()
		dealID := keyedDealID(stack.partnerA, key)
		send := func(body any) response {
			return callWithHeaders(t, http.MethodPost, "/v1/deals", stack.tokens["partnerA"], body, map[string]string{"Idempotency-Key": key})
		}
		body := dealBody()
		body["notes"] = "a\u0000b"
		start := time.Now()
		if fe := send(body).problem(t, http.StatusUnprocessableEntity, "urn:dealflow:problem:validation").fieldErrors(); fe["notes"] == "" {
			t.Fatalf("field errors %v", fe)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("the refusal took %v", d)
		}
		if n := countRows(t, "deals", "id = $1 OR idempotency_key = $2", dealID, key); n != 0 {
			t.Fatalf("%d deals written", n)
		}
		var nf *serviceerror.NotFound
		if _, err := tc.DescribeWorkflowExecution(t.Context(), deal.WorkflowID(dealID), ""); !errors.As(err, &nf) {
			t.Fatalf("a workflow exists for the refused registration: %v", err)
		}
		body["notes"] = "a b"
		if r := send(body).must(t, http.StatusCreated); r.str("id") != dealID {
			t.Fatalf("the clean registration is deal %s, want %s", r.str("id"), dealID)
		}
		if r := send(body).must(t, http.StatusCreated); r.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("no replay: %s", r.raw)
		}
	})

	t.Run("data PostgreSQL refuses at intake answers 422, not 503", func(t *testing.T) {
		// A customer name without a letter or digit has no name keys: it is
		// stored, and checked for conflicts, all the same.
		for _, name := range []string{"!!!", "\ufffd", "®"} {
			b := dealBody()
			b["customer"].(map[string]any)["name"] = name
			if r := post(t, "/v1/deals", "partnerA", b).must(t, http.StatusCreated); r.str("status") != "pending_approval" {
				t.Errorf("%q: %s", name, r.raw)
			}
			post(t, "/v1/conflict-checks", "partnerA", map[string]any{"customer": map[string]any{"name": name, "domain": uniqueDomain()}}).
				must(t, http.StatusOK)
		}
		// Whatever else PostgreSQL refuses for good (here a constraint the
		// test adds) is the client's data: 422, and the key stays usable.
		name := "Refused Industries " + tag()
		constraint := "e2e_probe_" + tag()
		if _, err := stack.pool.Exec(t.Context(), fmt.Sprintf("ALTER TABLE deals ADD CONSTRAINT %s CHECK (customer_name <> '%s') NOT VALID",
			constraint, name)); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if _, err := stack.pool.Exec(context.Background(), "ALTER TABLE deals DROP CONSTRAINT IF EXISTS "+constraint); err != nil {
				t.Error(err)
			}
		}()
		b := dealBody()
		b["customer"].(map[string]any)["name"] = name
		r := callWithHeaders(t, http.MethodPost, "/v1/deals", stack.tokens["partnerA"], b, map[string]string{"Idempotency-Key": "refused-" + tag()})
		r.problem(t, http.StatusUnprocessableEntity, "urn:dealflow:problem:validation")
		if d := r.str("detail"); strings.Contains(d, "SQLSTATE") || strings.Contains(d, "(type:") || strings.Contains(d, constraint) {
			t.Errorf("the detail shows internals: %s", d)
		}
		cl, csrf := consoleClient(t, "partnerA")
		res, err := cl.PostForm(stack.baseURL+"/console/deals", map[string][]string{"csrf": {csrf}, "customer_name": {name},
			"customer_domain": {uniqueDomain()}, "customer_country": {"US"}, "contact_name": {"Jane Doe"}, "contact_email": {"jane@acme.com"},
			"product_lines": {"firewall"}, "amount": {"12500.00"}, "currency": {"USD"}, "expected_close_date": {"2027-03-31"},
			"idempotency_key": {uuid.NewString()}})
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(page), "cannot be stored") {
			t.Errorf("the console's registration: %d\n%.400s", res.StatusCode, page)
		}
		if n := countRows(t, "deals", "customer_name = $1", name); n != 0 {
			t.Errorf("%d deals written", n)
		}
	})

	t.Run("findings 6 and 9: dates and upward corrections", func(t *testing.T) {
		id := submit(t, stack.tokens["partnerA"]).str("id")
		d := "/v1/deals/" + id
		post(t, d+"/request-info", "manager", map[string]any{"question": "when?"}).must(t, http.StatusOK)
		events := countRows(t, "deal_events", "deal_id = $1", id)
		fe := post(t, d+"/answer-info", "partnerA", map[string]any{"answer": "long ago", "changes": map[string]any{"expected_close_date": "1900-01-01"}}).
			problem(t, http.StatusUnprocessableEntity, "urn:dealflow:problem:validation").fieldErrors()
		if fe["changes.expected_close_date"] == "" {
			t.Fatalf("field errors %v", fe)
		}
		if n := countRows(t, "deal_events", "deal_id = $1", id); n != events {
			t.Fatalf("the refused answer wrote %d events", n-events)
		}
		post(t, d+"/answer-info", "partnerA", map[string]any{"answer": "soon"}).must(t, http.StatusOK)
		post(t, d+"/approve", "manager", nil).must(t, http.StatusOK)
		won := map[string]any{"amount": 1_300_000, "currency": "USD", "product_lines": []string{"firewall"}, "close_date": "0001-01-01"}
		if fe := post(t, d+"/close-won", "partnerA", won).problem(t, 422, "urn:dealflow:problem:validation").fieldErrors(); fe["close_date"] == "" {
			t.Fatalf("field errors %v", fe)
		}
		won["close_date"] = todayDate()
		post(t, d+"/close-won", "partnerA", won).must(t, http.StatusOK)
		asked := post(t, d+"/correct-outcome", "partnerA", map[string]any{"amount": 1_000_000_000_000_000, "reason": "more"}).must(t, http.StatusOK)
		if asked.body["outcome"].(map[string]any)["amount"] != float64(1_300_000) || asked.body["pending_correction_amount"] != float64(1e15) {
			t.Fatalf("after the raise: %s", asked.raw)
		}
		if n := countRows(t, "deals", "id = $1 AND won_amount = 1300000", id); n != 1 {
			t.Fatal("the won amount changed before review")
		}
	})

	t.Run("findings 8 and 15: cycles for impossible periods", func(t *testing.T) {
		lastMonth := time.Date(time.Now().UTC().Year(), time.Now().UTC().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
		prog := post(t, "/v1/incentive-programs", "finance", map[string]any{"code": "probe-periods-" + tag(), "name": "Periods",
			"kind": "spiff", "currency": "USD", "period": "month", "grace_days": 3, "starts_on": lastMonth.Format(time.DateOnly),
			"rules": map[string]any{"amount": 100, "per": "deal", "product_lines": []string{"vpn"}}}).must(t, http.StatusCreated).str("id")
		for what, day := range map[string]string{"year 1": "0001-01-01", "the current period": todayDate(),
			"before the program": lastMonth.AddDate(0, -1, 0).Format(time.DateOnly), "impossible": "2026-02-30"} {
			if fe := post(t, "/v1/cycles", "finance", map[string]any{"program_id": prog, "period_start": day}).
				problem(t, 422, "urn:dealflow:problem:validation").fieldErrors(); fe["period_start"] == "" {
				t.Errorf("%s: field errors %v", what, fe)
			}
		}
		if n := countRows(t, "incentive_cycles", "program_id = $1", prog); n != 0 {
			t.Fatalf("%d cycles written", n)
		}
	})

	t.Run("findings 10, 11 and 17: small things", func(t *testing.T) {
		unknown := uuid.NewString()
		for _, p := range []string{"/v1/cycles/" + unknown + "/statements.csv", "/v1/cycles/" + unknown + "/payouts.csv",
			"/v1/cycles/" + unknown + "/lines", "/v1/cycles/" + unknown + "/excluded-deals", "/v1/cycles/" + unknown,
			"/v1/statements/" + unknown + "/lines?partner_id=" + stack.partnerA, "/v1/statement-lines/" + unknown + "/explain",
			"/v1/deals/" + unknown} {
			r := call(t, http.MethodGet, p, stack.tokens["finance"], nil).problem(t, http.StatusNotFound, "urn:dealflow:problem:not-found")
			if strings.Contains(r.str("detail"), "(type:") || strings.Contains(r.str("detail"), "retryable") {
				t.Errorf("%s: %s", p, r.raw)
			}
		}
		if root := call(t, http.MethodGet, "/", "", nil); root.status != http.StatusOK || !strings.Contains(string(root.raw), "csrf") {
			t.Errorf("GET /, redirects followed, is not the console's sign-in: %d", root.status)
		}
		res, err := clientFrom("127.0.0.1").Get(stack.baseURL + "/")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console" {
			t.Errorf("GET /: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		call(t, http.MethodGet, "/metrics", "", nil).must(t, http.StatusNotFound)
		static := call(t, http.MethodGet, "/console/static/", "", nil)
		if static.status != http.StatusNotFound || strings.Contains(string(static.raw), "<a href") {
			t.Errorf("/console/static/: %d %.200s", static.status, static.raw)
		}
		for _, r := range []response{call(t, http.MethodGet, "/v1/deals?limit=1", stack.tokens["manager"], nil),
			call(t, http.MethodGet, "/v1/ledger.csv", stack.tokens["finance"], nil), call(t, http.MethodGet, "/v1/nope", stack.tokens["manager"], nil),
			call(t, http.MethodGet, "/v1/deals", "", nil), static} {
			if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("%d %s: headers %v", r.status, r.header.Get("Content-Type"), r.header)
			}
		}
		out, stderr, err := dealflow("partner", "create", "--help")
		if help := out + stderr; !strings.Contains(help, "-name") || !strings.Contains(help, "-tier") || strings.TrimSpace(help) == "flag: help requested" {
			t.Errorf("partner create --help (%v): %s", err, help)
		}
	})
}
