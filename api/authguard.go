package api

import (
	"net/http"

	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
)

// admit answers 429 (problem+json, Retry-After) to a client address that
// is locked out or over its rate, before the token is looked up.
func (s *Server) admit(c *gin.Context) {
	if ok, wait := s.guard.Check(web.ClientAddress(c), s.now()); !ok {
		web.RetryAfter(c, wait)
		web.Fail(c, http.StatusTooManyRequests, web.ProblemRateLimited,
			"too many requests or failed authentications from your address; retry after the time in Retry-After")
		return
	}
	c.Next()
}
