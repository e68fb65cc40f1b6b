package api

import (
	"github.com/dealflow/dealflow/internal/web"
	"net/http"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/gin-gonic/gin"
)

// scorecardLine is one partner's lead scorecard: the SQL counts and the
// rates derived from them.
type scorecardLine struct {
	dbq.LeadScorecardRow
	// AcceptanceRate is accepted / offered; ConversionRate is won /
	// accepted (0 when nothing to divide).
	AcceptanceRate float64 `json:"acceptance_rate"`
	ConversionRate float64 `json:"conversion_rate"`
}

// leadScorecard answers the partner scorecard for leads: the vendor every
// partner's, a partner its own (scoped in SQL).
func (s *Server) leadScorecard(c *gin.Context) {
	rows, err := s.q.LeadScorecard(c, web.PrincipalOf(c).Scope())
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]scorecardLine, 0, len(rows))
	for _, r := range rows {
		l := scorecardLine{LeadScorecardRow: r}
		if r.Offered > 0 {
			l.AcceptanceRate = float64(r.Accepted) / float64(r.Offered)
		}
		if r.Accepted > 0 {
			l.ConversionRate = float64(r.Won) / float64(r.Accepted)
		}
		out = append(out, l)
	}
	c.JSON(http.StatusOK, gin.H{"partners": out})
}
