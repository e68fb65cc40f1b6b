package console

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealflow/dealflow/api"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/config"
	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/dealflow/dealflow/internal/tokens"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
)

// The console's tests serve it as cmd/dealflow does: mounted on the API's
// router (api.Server.Handler), sharing its authentication throttle. Only
// the tests import api.

// served is the API with the console mounted, on cfg, pool and tc.
func served(cfg config.Config, pool *pgxpool.Pool, tc client.Client, clk *movingClock) http.Handler {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := api.NewServer(cfg, pool, tc, log)
	con := New(cfg, pool, tc, log, s.AuthGuard())
	if clk != nil {
		s.WithClock(clk)
		con.WithClock(clk)
	}
	return s.Handler(con)
}

// unreachable serves the console and the API with PostgreSQL and Temporal
// addresses that answer nothing (port 1 on loopback).
func unreachable(t *testing.T) http.Handler {
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
	return served(cfg, pool, tc, nil)
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

// movingClock is a test clock that moves only when told.
type movingClock struct {
	mu  sync.Mutex
	now time.Time
}

func (m *movingClock) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// set moves the clock to t.
func (m *movingClock) set(t time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = t
}

// guarded serves the console on a database of its own with one finance
// token, at a fixed clock, with the documented defaults.
func guarded(t *testing.T) (http.Handler, string) {
	t.Helper()
	ctx := context.Background()
	own, err := testenv.NewDatabase(ctx, "console_guard")
	if err != nil {
		t.Fatalf("needs PostgreSQL: %v", err)
	}
	t.Cleanup(own.Close)
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.RateLimit, cfg.RateBurst = 1e6, 1e6 // the per-token limit is not under test
	q := dbq.New(own.Pool)
	u, err := q.UserEnsure(ctx, dbq.UserEnsureParams{Name: "Fin Guard", Role: "finance"})
	if err != nil {
		t.Fatal(err)
	}
	token, hash, err := tokens.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.TokenCreate(ctx, dbq.TokenCreateParams{UserID: u.ID, TokenHash: hash}); err != nil {
		t.Fatal(err)
	}
	return served(cfg, own.Pool, nil, &movingClock{now: time.Date(2026, 11, 30, 23, 59, 0, 0, time.UTC)}), token
}

// retryAfter reads a 429's Retry-After in seconds.
func retryAfter(t *testing.T, w *httptest.ResponseRecorder) int {
	t.Helper()
	n, err := strconv.Atoi(w.Header().Get("Retry-After"))
	if err != nil || n < 1 {
		t.Fatalf("Retry-After %q", w.Header().Get("Retry-After"))
	}
	return n
}

// The console's static files are served, their directory is not listed
// (finding 10a): a directory answers 404 like any unknown path.
func TestConsoleStaticListsNoDirectory(t *testing.T) {
	h := unreachable(t)
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
	h := unreachable(t)
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

// dealflow's address brings a person to the console (finding 11), which
// asks to sign in when needed.
func TestRootRedirectsToTheConsole(t *testing.T) {
	h := unreachable(t)
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

// 50 guesses at the console's sign-in form from one address: after the
// failure limit the form answers 429 with Retry-After and says why,
// without looking the token up.
func TestConsoleSignInGuessesAreThrottled(t *testing.T) {
	h, good := guarded(t)
	signIn := func(addr, token string) *httptest.ResponseRecorder {
		form := url.Values{"csrf": {"pre"}, "token": {token}}
		req := httptest.NewRequest(http.MethodPost, "/console/sign-in", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: preCSRFCookie, Value: "pre"})
		req.RemoteAddr = addr + ":50000"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	codes := map[int]int{}
	var last *httptest.ResponseRecorder
	for i := range 50 {
		last = signIn("192.0.2.10", "dft_guess"+strconv.Itoa(i))
		codes[last.Code]++
	}
	if codes[http.StatusUnauthorized] != 20 || codes[http.StatusTooManyRequests] != 30 {
		t.Fatalf("answers %v, want 20 × 401 then 429s", codes)
	}
	retryAfter(t, last)
	if !strings.Contains(last.Body.String(), "Too many failed sign-ins") {
		t.Fatalf("429 page %s", last.Body)
	}
	if w := signIn("192.0.2.11", good); w.Code != http.StatusSeeOther {
		t.Fatalf("a good token from another address: %d", w.Code)
	}
}
