package api

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/config"
	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/dealflow/dealflow/internal/tokens"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/jackc/pgx/v5/pgxpool"
)

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

func (m *movingClock) advance(d time.Duration) {
	m.mu.Lock()
	m.now = m.now.Add(d)
	m.mu.Unlock()
}

// guardedServer serves the API on a database of its own with one finance
// token, at a clock that moves only when told, with the documented
// defaults but for what change sets.
func guardedServer(t *testing.T, change func(*config.Config)) (http.Handler, string, *movingClock) {
	t.Helper()
	ctx := context.Background()
	own, err := testenv.NewDatabase(ctx, "api_guard")
	if err != nil {
		t.Fatalf("needs PostgreSQL: %v", err)
	}
	t.Cleanup(own.Close)
	token := goodToken(t, own.Pool)
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.RateLimit, cfg.RateBurst = 1e6, 1e6 // the per-token limit is not under test
	if change != nil {
		change(&cfg)
	}
	clk := &movingClock{now: time.Date(2026, 11, 30, 23, 59, 0, 0, time.UTC)}
	s := NewServer(cfg, own.Pool, nil, slog.New(slog.NewTextHandler(io.Discard, nil))).WithClock(clk)
	return s.Handler(), token, clk
}

func goodToken(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	ctx := context.Background()
	q := dbq.New(pool)
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
	return token
}

// from sends an API request from a client address with a bearer token.
func from(h http.Handler, addr, token string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/v1/deals", nil)
	req.RemoteAddr = addr + ":40000"
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
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

// 200 guesses of a token from one address: after the failure limit the
// address gets 429 problem+json with Retry-After, before any token lookup
// (so no more 401s); its good token is refused too while locked out, and
// another address's good token still works; X-Forwarded-For from an
// untrusted peer changes nothing (finding 7 of issue 12).
func TestBadTokensFromOneAddressAreThrottled(t *testing.T) {
	h, good, _ := guardedServer(t, nil)
	codes := map[int]int{}
	var last *httptest.ResponseRecorder
	for i := range 200 {
		w := from(h, "203.0.113.7", "dft_guess"+strconv.Itoa(i), map[string]string{"X-Forwarded-For": "198.51.100." + strconv.Itoa(i%250)})
		codes[w.Code]++
		last = w
	}
	if codes[http.StatusUnauthorized] != 20 || codes[http.StatusTooManyRequests] != 180 {
		t.Fatalf("answers %v, want 20 × 401 then 429s", codes)
	}
	if last.Header().Get("Content-Type") != web.ProblemContentType || !strings.Contains(last.Body.String(), web.ProblemRateLimited) {
		t.Fatalf("429 answer %s %s", last.Header().Get("Content-Type"), last.Body)
	}
	if n := retryAfter(t, last); n > 30 {
		t.Fatalf("Retry-After %d, want at most the first lockout (30 s)", n)
	}
	if w := from(h, "203.0.113.7", good, nil); w.Code != http.StatusTooManyRequests {
		t.Fatalf("a good token from the locked-out address: %d", w.Code)
	}
	if w := from(h, "198.51.100.9", good, nil); w.Code != http.StatusOK {
		t.Fatalf("a good token from another address: %d %s", w.Code, w.Body)
	}
}

// Behind a trusted proxy (DEALFLOW_TRUSTED_PROXIES), the client is the
// address X-Forwarded-For names: one client's guesses lock out that client,
// not the proxy's other clients.
func TestTrustedProxyNamesTheClient(t *testing.T) {
	h, good, _ := guardedServer(t, func(c *config.Config) { c.TrustedProxies = "10.0.0.0/8" })
	for i := range 30 {
		from(h, "10.1.2.3", "dft_guess"+strconv.Itoa(i), map[string]string{"X-Forwarded-For": "203.0.113.7"})
	}
	if w := from(h, "10.1.2.3", good, map[string]string{"X-Forwarded-For": "203.0.113.7"}); w.Code != http.StatusTooManyRequests {
		t.Fatalf("the guessing client: %d", w.Code)
	}
	if w := from(h, "10.1.2.3", good, map[string]string{"X-Forwarded-For": "198.51.100.9"}); w.Code != http.StatusOK {
		t.Fatalf("another client behind the same proxy: %d", w.Code)
	}
}

// The lockout grows with each further failure — 30 s, 1 min, 2 min, … up
// to 15 min — and an address quiet for the longest lockout starts afresh.
func TestAuthBackoffGrows(t *testing.T) {
	h, _, clk := guardedServer(t, nil)
	const addr = "192.0.2.77"
	guess := func() *httptest.ResponseRecorder { return from(h, addr, "dft_wrong", nil) }
	for range 20 {
		if w := guess(); w.Code != http.StatusUnauthorized {
			t.Fatalf("guess within the limit: %d", w.Code)
		}
	}
	var got []int
	for range 7 {
		w := guess()
		if w.Code != http.StatusTooManyRequests {
			t.Fatalf("locked out: %d", w.Code)
		}
		wait := retryAfter(t, w)
		got = append(got, wait)
		clk.advance(time.Duration(wait) * time.Second)
		if w := guess(); w.Code != http.StatusUnauthorized {
			t.Fatalf("after the lockout the address may try once more: %d", w.Code)
		}
	}
	if want := []int{30, 60, 120, 240, 480, 900, 900}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("lockouts %v s, want %v s", got, want)
	}
	clk.advance(15*time.Minute + 15*time.Minute + time.Second)
	for i := range 20 {
		if w := guess(); w.Code != http.StatusUnauthorized {
			t.Fatalf("after a quiet period, guess %d: %d", i, w.Code)
		}
	}
	if w := guess(); w.Code != http.StatusTooManyRequests || retryAfter(t, w) != 30 {
		t.Fatalf("a fresh lockout: %d %q", w.Code, w.Header().Get("Retry-After"))
	}
}

// Only failures lock an address out: many requests with a good token from
// one address (as the e2e suite sends from 127.0.0.1), at the default
// rate's pace, are all served.
func TestGoodTokensAreNotThrottled(t *testing.T) {
	h, good, clk := guardedServer(t, nil)
	for i := range 1500 {
		if w := from(h, "127.0.0.1", good, nil); w.Code != http.StatusOK {
			t.Fatalf("request %d: %d %s", i, w.Code, w.Body)
		}
		clk.advance(2 * time.Millisecond) // 500 a second
	}
	for range 5 {
		from(h, "127.0.0.1", "dft_typo", nil)
	}
	if w := from(h, "127.0.0.1", good, nil); w.Code != http.StatusOK {
		t.Fatalf("a few typos lock nobody out: %d", w.Code)
	}
}
