package api

import (
	"net/http"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
)

// leadScorecard answers the partner scorecard for leads (read.LeadScorecard,
// which the partner scorecards reuse): the vendor every partner's, a
// partner its own (scoped in SQL).
func (s *Server) leadScorecard(c *gin.Context) {
	out, err := s.read.LeadScorecard(c, dbq.LeadScorecardParams{ScopePartnerID: web.PrincipalOf(c).Scope()})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"partners": out})
}
