package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/internal/config"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
)

// unreachableServer is a Server whose PostgreSQL and Temporal addresses
// answer nothing (port 1 on loopback), to test what clients see then.
func unreachableServer(t *testing.T) *Server {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(context.Background(), "postgres://postgres@127.0.0.1:1/none?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	tc, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)
	return NewServer(cfg, pool, tc, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func serve(h http.Handler, method, path string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// readyz answers 503 with each failing dependency named (and no internal
// detail) when PostgreSQL and Temporal are down; healthz still answers 200.
func TestReadyzWhenDependenciesDown(t *testing.T) {
	h := unreachableServer(t).Handler()
	if rec := serve(h, http.MethodGet, "/healthz", nil); rec.Code != http.StatusOK {
		t.Fatalf("healthz = %d", rec.Code)
	}
	start := time.Now()
	rec := serve(h, http.MethodGet, "/readyz", nil)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Content-Type") != web.ProblemContentType {
		t.Fatalf("readyz = %d %s: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	var body struct {
		Checks map[string]string `json:"checks"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Checks["postgres"] != "unavailable" || body.Checks["temporal"] != "unavailable" {
		t.Fatalf("checks = %v", body.Checks)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("readyz took %v; it must answer within its own timeout", d)
	}
}

// A token lookup that cannot reach PostgreSQL answers 503 problem+json, not
// 500 and not 401 (the token may well be valid).
func TestAuthWhenDatabaseDown(t *testing.T) {
	h := unreachableServer(t).Handler()
	rec := serve(h, http.MethodGet, "/v1/deals/00000000-0000-7000-8000-000000000000",
		map[string]string{"Authorization": "Bearer dft_x", "X-Request-Id": "req-123"})
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var p web.Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Type != web.ProblemUnavailable || p.RequestID != "req-123" {
		t.Fatalf("problem = %+v, %v", p, err)
	}
	if rec.Header().Get("X-Request-Id") != "req-123" {
		t.Fatalf("request id not echoed")
	}
}

// Every route that needs a token refuses a call without one before doing
// anything else, and every route is registered (no route table drift).
func TestEveryProtectedRouteNeedsAToken(t *testing.T) {
	s := unreachableServer(t)
	h := s.Handler()
	for _, rt := range s.Routes() {
		if len(rt.Roles) == 0 {
			continue
		}
		rec := serve(h, rt.Method, replaceParams(rt.Path), nil)
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("%s %s without a token: %d", rt.Method, rt.Path, rec.Code)
		}
	}
}

// replaceParams fills each :param of a route path with a well-formed id.
func replaceParams(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			parts[i] = "00000000-0000-7000-8000-000000000000"
		}
	}
	return strings.Join(parts, "/")
}
