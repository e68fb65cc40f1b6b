package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// A token that spends its burst gets 429 with Retry-After and a problem;
// another token is unaffected; the bucket refills with time.
func TestRateLimitPerToken(t *testing.T) {
	gin.SetMode(gin.TestMode)
	l := newRateLimiter(2, 3)
	r := gin.New()
	r.GET("/x", func(c *gin.Context) { c.Set(ctxTokenKey, c.Query("token")); c.Next() }, l.limit,
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
		w.Header().Get("Content-Type") != ProblemContentType {
		t.Fatalf("4th request: %d, Retry-After %q, %s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	if w := get("b"); w.Code != http.StatusNoContent {
		t.Fatalf("another token: %d", w.Code)
	}
	if ok, _ := l.allow("a", time.Now().Add(600*time.Millisecond)); !ok {
		t.Fatal("the bucket did not refill")
	}
}
