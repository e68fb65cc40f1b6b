package api

import (
	"net/http"

	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// scorecardRoutes are the partner scorecards: every partner's for the
// vendor, a partner's own for its users (scoped in SQL).
func (s *Server) scorecardRoutes() []Route {
	return []Route{
		{http.MethodGet, "/v1/partners/:id/scorecard", web.AllRoles, s.partnerScorecard},
		{http.MethodGet, "/v1/analytics/scorecards", web.AllRoles, s.listScorecards},
	}
}

// scorecardDocs documents the scorecard routes for the OpenAPI description.
func scorecardDocs(docs map[string]routeDoc) {
	q := []string{"from", "to", "program_id"}
	docs["GET /v1/partners/:id/scorecard"] = routeDoc{Summary: "A partner's scorecard over whole months (?from=2026-01&to=2026-06, default the last 12; ?program_id for one partner program): " +
		"deals registered, approved, rejected, won, lost, approval and win rates, response times (submission → first decision, approval → win: median and p90), " +
		"won value and payouts per currency, lead acceptance (partners: their own organization's only; another's is not found)",
		Response: read.Scorecard{}, Query: q}
	docs["GET /v1/analytics/scorecards"] = routeDoc{Summary: "Every partner's scorecard over whole months (partners: their own only)",
		Response: map[string]any{"scorecards": []read.Scorecard{}}, Query: q}
}

// scorecardFilter reads the period and program of the query string,
// answering 422 (or 503) itself when they are wrong.
func (s *Server) scorecardFilter(c *gin.Context) (read.Filter, bool) {
	f, errs, err := s.read.ParseFilter(c, c.Query("from"), c.Query("to"), c.Query("program_id"), s.now())
	if err != nil {
		web.Unavailable(c, s.log, err)
		return f, false
	}
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return f, false
	}
	return f, true
}

// partnerScorecard answers one partner's scorecard; another organization's
// partner, or none, is not found.
func (s *Server) partnerScorecard(c *gin.Context) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil || len(c.Param("id")) != 36 {
		notFound(c, "partner")
		return
	}
	f, ok := s.scorecardFilter(c)
	if !ok {
		return
	}
	cards, err := s.read.Scorecards(c, web.PrincipalOf(c).Scope(), uuid.NullUUID{UUID: id, Valid: true}, f)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if len(cards) == 0 {
		notFound(c, "partner")
		return
	}
	c.JSON(http.StatusOK, cards[0])
}

// listScorecards answers every partner's scorecard (a partner: its own).
func (s *Server) listScorecards(c *gin.Context) {
	f, ok := s.scorecardFilter(c)
	if !ok {
		return
	}
	cards, err := s.read.Scorecards(c, web.PrincipalOf(c).Scope(), uuid.NullUUID{}, f)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"scorecards": cards})
}
