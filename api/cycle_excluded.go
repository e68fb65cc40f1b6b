package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// cycleExcludedDeals pages through every deal a cycle froze but does not
// pay (after=<partner_id>/<closed_on>/<deal_id> from the previous page's
// next), or one partner's (?partner_id=).
func (s *Server) cycleExcludedDeals(c *gin.Context) {
	id, ok := pathID(c, "cycle")
	if !ok {
		return
	}
	p := dbq.CycleExcludedDealsParams{CycleID: id, MaxRows: 500}
	if f := c.Query("partner_id"); f != "" {
		pid, err := uuid.Parse(f)
		if err != nil {
			web.ValidationProblem(c, []web.FieldError{{Field: "partner_id", Message: "must be a UUID"}})
			return
		}
		p.ScopePartnerID = uuid.NullUUID{UUID: pid, Valid: true}
	}
	if after := c.Query("after"); after != "" {
		parts := strings.Split(after, "/")
		var errs [3]error
		if len(parts) == 3 {
			p.AfterPartner, errs[0] = uuid.Parse(parts[0])
			p.AfterClosed, errs[1] = time.Parse(time.DateOnly, parts[1])
			p.AfterDeal, errs[2] = uuid.Parse(parts[2])
		}
		if len(parts) != 3 || errs[0] != nil || errs[1] != nil || errs[2] != nil {
			web.ValidationProblem(c, []web.FieldError{{Field: "after", Message: "must be <partner_id>/<closed_on>/<deal_id> from the previous page"}})
			return
		}
	}
	if _, ok := s.loadCycle(c); !ok {
		return
	}
	deals, more, err := s.read.ExcludedDeals(c, p)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	resp := gin.H{"excluded_deals": deals}
	if more {
		last := deals[len(deals)-1]
		resp["next"] = last.PartnerID + "/" + last.ClosedOn + "/" + last.DealID
	}
	c.JSON(http.StatusOK, resp)
}
