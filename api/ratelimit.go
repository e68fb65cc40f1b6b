package api

import (
	"math"
	"net/http"
	"strconv"

	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
)

const ctxTokenKey = "dealflow.token_key"

// limitTokens answers 429 with Retry-After (whole seconds) when the
// caller's token has used up its bucket.
func (s *Server) limitTokens(c *gin.Context) {
	key, _ := c.Get(ctxTokenKey)
	k, _ := key.(string)
	if ok, wait := s.limiter.Allow(k, s.now()); !ok {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		web.Fail(c, http.StatusTooManyRequests, web.ProblemRateLimited, "too many requests for this token; retry after the time in Retry-After")
		return
	}
	c.Next()
}
