package api

import (
	"github.com/dealflow/dealflow/internal/web"
	"net/http"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// ExcludedDealView is a deal a cycle froze but does not pay (a deal won
// in another currency than the program's), and why.
type ExcludedDealView struct {
	DealID      string `json:"deal_id"`
	PartnerID   string `json:"partner_id"`
	PartnerName string `json:"partner_name,omitempty"`
	Currency    string `json:"currency"`
	Amount      int64  `json:"amount"`
	ClosedOn    string `json:"closed_on"`
	Reason      string `json:"reason"`
}

// ExcludedSummary counts a cycle's excluded deals for one reason.
type ExcludedSummary struct {
	Reason string `json:"reason"`
	Deals  int    `json:"deals"`
	Amount int64  `json:"amount"`
}

// excludedListed is how many excluded deals a cycle's view, its console
// page and an explanation list; GET /v1/cycles/{id}/excluded-deals pages
// through all of them.
const excludedListed = 100

func excludedDealView(r dbq.CycleExcludedDealsRow) ExcludedDealView {
	return ExcludedDealView{DealID: r.DealID.String(), PartnerID: r.PartnerID.String(), PartnerName: r.PartnerName,
		Currency: r.Currency, Amount: r.Amount, ClosedOn: r.ClosedOn.Format(time.DateOnly), Reason: r.Reason}
}

// excludedDeals reads a page of a cycle's excluded deals, a partner's only
// when scope is set (scoped in SQL); more reports whether there are more.
func (s *Server) excludedDeals(c *gin.Context, p dbq.CycleExcludedDealsParams) (out []ExcludedDealView, more bool, err error) {
	max := p.MaxRows
	p.MaxRows++
	if p.AfterClosed.IsZero() {
		p.AfterClosed = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	rows, err := s.q.CycleExcludedDeals(c, p)
	if err != nil {
		return nil, false, err
	}
	if more = len(rows) > int(max); more {
		rows = rows[:max]
	}
	out = make([]ExcludedDealView, 0, len(rows))
	for _, r := range rows {
		out = append(out, excludedDealView(r))
	}
	return out, more, nil
}

// withExcluded adds to v its excluded deals by reason and the first
// excludedListed of them, reading nothing when the cycle excluded none.
func (s *Server) withExcluded(c *gin.Context, v *CycleView) error {
	v.ExcludedDeals = []ExcludedDealView{}
	if v.ExcludedInputs == 0 {
		return nil
	}
	id := uuid.MustParse(v.ID)
	sums, err := s.q.CycleExcludedInputs(c, id)
	if err != nil {
		return err
	}
	for _, e := range sums {
		v.Excluded = append(v.Excluded, ExcludedSummary{Reason: e.Reason, Deals: int(e.Deals), Amount: e.Amount})
	}
	v.ExcludedDeals, v.ExcludedDealsTruncated, err = s.excludedDeals(c, dbq.CycleExcludedDealsParams{CycleID: id, MaxRows: excludedListed})
	return err
}

// cycleExcludedDeals pages through every deal a cycle froze but does not
// pay (after=<partner_id>/<closed_on>/<deal_id> from the previous page's
// next), or one partner's (?partner_id=).
func (s *Server) cycleExcludedDeals(c *gin.Context) {
	id, ok := cycleIDParam(c)
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
	if _, ok := s.loadCycle(c, cycleNotFound(c)); !ok {
		return
	}
	deals, more, err := s.excludedDeals(c, p)
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
