package api

import (
	"net/http"

	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/gin-gonic/gin"
)

// analyticsRoutes are the vendor's analytics: the return on incentive
// spend. Vendor staff only (channel managers, finance, admins): the report
// holds every partner's figures, so no partner reaches it (403).
func (s *Server) analyticsRoutes() []Route {
	return []Route{
		{http.MethodGet, "/v1/analytics/roi", web.VendorRoles, s.roi},
	}
}

// analyticsDocs documents the analytics routes for the OpenAPI description.
func analyticsDocs() map[string]routeDoc {
	return map[string]routeDoc{
		"GET /v1/analytics/roi": {Summary: "The return on incentive spend in one currency over whole months: per program (accrued, paid, revenue its cycles counted, spend per revenue in basis points, and a difference-in-differences estimate of its revenue lift with method and caveats), per partner and per tier (vendor staff only)",
			Response: read.ROIView{}, Query: []string{"currency", "from", "to"}},
	}
}

// roi answers the ROI report for ?currency=EUR&from=2026-01&to=2026-12
// (defaults: USD, the twelve months ending with this one); a filter it
// cannot read is a 422 naming the field.
func (s *Server) roi(c *gin.Context) {
	q, errs := read.ParseROIQuery(c.Query("currency"), c.Query("from"), c.Query("to"), s.now())
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	v, err := s.read.ROI(c, q)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
