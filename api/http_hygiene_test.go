package api

import (
	"net/http"
	"strings"
	"testing"
)

// The console's static files are served, their directory is not listed
// (finding 10a): a directory answers 404 like any unknown path.
func TestConsoleStaticListsNoDirectory(t *testing.T) {
	h := unreachableServer(t).Handler()
	if rec := serve(h, http.MethodGet, "/console/static/console.css", nil); rec.Code != http.StatusOK {
		t.Fatalf("console.css: %d", rec.Code)
	}
	for _, dir := range []string{"/console/static/", "/console/static/."} {
		rec := serve(h, http.MethodGet, dir, nil)
		if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "console.js") {
			t.Errorf("GET %s: %d\n%s", dir, rec.Code, rec.Body)
		}
	}
	// The bare prefix is sent on to the directory, which is not found.
	if rec := serve(h, http.MethodGet, "/console/static", nil); rec.Code == http.StatusOK || strings.Contains(rec.Body.String(), "console.js") {
		t.Errorf("GET /console/static: %d\n%s", rec.Code, rec.Body)
	}
}

// Every answer — JSON, problem, page, static file, redirect — carries
// nosniff and no-store, set in one middleware (finding 10b).
func TestEveryResponseIsNosniffNoStore(t *testing.T) {
	h := unreachableServer(t).Handler()
	for _, req := range []struct{ method, path string }{
		{http.MethodGet, "/healthz"},
		{http.MethodGet, "/openapi.json"},
		{http.MethodGet, "/no/such/route"},
		{http.MethodDelete, "/v1/deals"},
		{http.MethodGet, "/v1/deals"},
		{http.MethodGet, "/v1/ledger.csv"},
		{http.MethodGet, "/console/sign-in"},
		{http.MethodGet, "/console/inbox"},
		{http.MethodGet, "/console/static/console.css"},
		{http.MethodGet, "/console/static/"},
		{http.MethodGet, "/"},
	} {
		rec := serve(h, req.method, req.path, nil)
		if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s %s (%d): X-Content-Type-Options %q", req.method, req.path, rec.Code, got)
		}
		if got := rec.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s %s (%d): Cache-Control %q", req.method, req.path, rec.Code, got)
		}
	}
}

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

// dealflow's address brings a person to the console (finding 11), which
// asks to sign in when needed.
func TestRootRedirectsToTheConsole(t *testing.T) {
	h := unreachableServer(t).Handler()
	rec := serve(h, http.MethodGet, "/", nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/console" {
		t.Fatalf("GET /: %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	rec = serve(h, http.MethodGet, "/console", nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/console/deals" {
		t.Fatalf("GET /console: %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	rec = serve(h, http.MethodGet, "/console/deals", nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/console/sign-in" {
		t.Fatalf("GET /console/deals without a session: %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
}
