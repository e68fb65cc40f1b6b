package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/dealflow/dealflow/internal/clock"
	"github.com/dealflow/dealflow/internal/config"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
)

// A token that spends its burst gets 429 with Retry-After and a problem;
// another token is unaffected; the bucket refills with time.
func TestRateLimitPerToken(t *testing.T) {
	gin.SetMode(gin.TestMode)
	t0 := time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC)
	s := NewServer(config.Config{}, nil, nil, nil).WithClock(clock.Fixed(t0))
	l := web.NewRateLimiter(2, 3)
	s.limiter = l
	r := gin.New()
	r.GET("/x", func(c *gin.Context) { c.Set(ctxTokenKey, c.Query("token")); c.Next() }, s.limitTokens,
		func(c *gin.Context) { c.Status(http.StatusNoContent) })
	get := func(token string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/x?token="+token, nil))
		return w
	}
	for i := range 3 {
		if w := get("a"); w.Code != http.StatusNoContent {
			t.Fatalf("request %d: %d", i, w.Code)
		}
	}
	w := get("a")
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "1" ||
		w.Header().Get("Content-Type") != web.ProblemContentType {
		t.Fatalf("4th request: %d, Retry-After %q, %s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	if w := get("b"); w.Code != http.StatusNoContent {
		t.Fatalf("another token: %d", w.Code)
	}
	if ok, _ := l.Allow("a", t0.Add(600*time.Millisecond)); !ok {
		t.Fatal("the bucket did not refill")
	}
}
