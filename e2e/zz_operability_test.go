package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// /metrics exposes HTTP latency by route and the figures read from
// PostgreSQL: deals by status, SLA breaches, cycles, ledger totals. It is
// served on an address of its own (DEALFLOW_API_METRICS_ADDR), not on the
// API's (finding 10c).
func TestMetrics(t *testing.T) {
	submit(t, stack.tokens["partnerA"])
	call(t, http.MethodGet, "/metrics", "", nil).problem(t, http.StatusNotFound, "urn:dealflow:problem:not-found")
	res, err := http.Get(stack.metricsURL + "/metrics")
	if err != nil {
		t.Fatalf("/metrics on its own address: %v", err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", res.StatusCode)
	}
	body := string(raw)
	// Cycles and ledger totals appear once incentives ran (the incentive
	// tests run before this file's in the full suite).
	if strings.Contains(body, "dealflow_ledger_entries{") && !strings.Contains(body, `dealflow_ledger_minor_units{account="cash"`) {
		t.Error("ledger entries without cash totals")
	}
	for _, want := range []string{
		`dealflow_http_request_duration_seconds_bucket{code="201",method="POST",route="/v1/deals"`,
		`dealflow_deals{status="pending_approval"}`, `dealflow_deals_sla_breached{status=`, `dealflow_database_up 1`,
		`go_goroutines`, `temporal_request_total{`, `temporal_workflow_task_execution_latency_seconds_bucket{`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// /openapi.json describes every route the server has, from the router.
func TestOpenAPIServed(t *testing.T) {
	r := call(t, http.MethodGet, "/openapi.json", "", nil).must(t, http.StatusOK)
	paths, _ := r.body["paths"].(map[string]any)
	if r.body["openapi"] != "3.1.0" || paths["/v1/deals/{id}/approve"] == nil || paths["/v1/statement-lines/{id}/explain"] == nil {
		t.Fatalf("openapi.json: %.300s", r.raw)
	}
}

// Runs last (the file sorts last): nothing the API and the worker logged
// at debug level during every test above contains a token.
func TestNoSecretsInLogs(t *testing.T) {
	logs := stack.devLog.String()
	if !strings.Contains(logs, "http request") {
		t.Fatalf("the dev log holds no request lines; is it captured? %.200s", logs)
	}
	for who, tok := range stack.tokens {
		if strings.Contains(logs, tok) || strings.Contains(logs, tok[4:20]) {
			t.Errorf("the token of %s appears in the logs", who)
		}
	}
	if strings.Contains(logs, "Bearer ") {
		t.Error("an Authorization header appears in the logs")
	}
}
