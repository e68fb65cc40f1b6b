package api

import (
	"net/http"
	"strings"
	"testing"
)

// /metrics is not served on the API's address (finding 10c): it has an
// address of its own (MetricsHandler, served by `dealflow serve` and
// `dealflow dev` on DEALFLOW_API_METRICS_ADDR).
func TestMetricsOffTheAPIAddress(t *testing.T) {
	s := unreachableServer(t)
	if rec := serve(s.Handler(), http.MethodGet, "/metrics", nil); rec.Code != http.StatusNotFound {
		t.Fatalf("GET /metrics on the API: %d", rec.Code)
	}
	for _, rt := range s.Routes() {
		if rt.Path == "/metrics" {
			t.Fatal("/metrics is still an API route")
		}
	}
	serve(s.Handler(), http.MethodGet, "/healthz", nil)
	rec := serve(s.MetricsHandler(), http.MethodGet, "/metrics", nil)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `dealflow_http_request_duration_seconds_bucket{code="200",method="GET",route="/healthz"`) {
		t.Fatalf("metrics handler: %d\n%.500s", rec.Code, rec.Body)
	}
}
