package api

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
)

// cyclesPage lists cycles and the ledger's verification.
type cyclesPage struct {
	Cycles []CycleView
	Ledger domain.LedgerReport
}

// consoleCycles lists incentive cycles with their state, and whether the
// ledger verifies now.
func (s *Server) consoleCycles(c *gin.Context) {
	rows, err := s.q.CycleList(c, 200)
	if err != nil {
		s.unavailable(c, err)
		return
	}
	var cp cyclesPage
	for _, r := range rows {
		cp.Cycles = append(cp.Cycles, cycleView(dbq.CycleGetRow{ID: r.ID, ProgramID: r.ProgramID, ProgramVersion: r.ProgramVersion,
			PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd, Status: r.Status, Inputs: r.Inputs, ExcludedInputs: r.ExcludedInputs,
			Lines: r.Lines, Partners: r.Partners, Total: r.Total, ApprovedAt: r.ApprovedAt, ApprovedBy: r.ApprovedBy, PaidAt: r.PaidAt,
			ProgramCode: r.ProgramCode, ProgramName: r.ProgramName, Kind: r.Kind, Currency: r.Currency}))
	}
	if cp.Ledger, err = db.VerifyLedger(c, s.q); err != nil {
		s.unavailable(c, err)
		return
	}
	s.render(c, http.StatusOK, "cycles.html", page{Title: "Incentive cycles", Data: cp})
}

// cyclePage is one cycle with its first lines and review history.
type cyclePage struct {
	Cycle      CycleView
	Lines      []CycleLineView
	CanApprove bool
}

func (s *Server) consoleCycle(c *gin.Context) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		s.render(c, http.StatusNotFound, "notfound.html", page{Title: "Not found"})
		return
	}
	row, err := s.q.CycleGet(c, id)
	if db.IsNotFound(err) {
		s.render(c, http.StatusNotFound, "notfound.html", page{Title: "Not found"})
		return
	}
	if err != nil {
		s.unavailable(c, err)
		return
	}
	events, err := s.q.CycleEvents(c, id)
	if err != nil {
		s.unavailable(c, err)
		return
	}
	lines, err := s.q.CycleLines(c, dbq.CycleLinesParams{CycleID: id, MaxRows: 200})
	if err != nil {
		s.unavailable(c, err)
		return
	}
	cp := cyclePage{Cycle: cycleView(row)}
	cp.Cycle.Events = cycleEventViews(events)
	for _, l := range lines {
		cp.Lines = append(cp.Lines, cycleLineView(l))
	}
	cp.CanApprove = principal(c).Role == domain.RoleFinance && row.Status == "in_review"
	s.render(c, http.StatusOK, "cycle.html", page{Title: "Cycle " + row.ProgramCode, Data: cp})
}

// consoleApproveCycle approves a cycle for payout (finance; four-eyes is
// the workflow's).
func (s *Server) consoleApproveCycle(c *gin.Context) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		s.render(c, http.StatusNotFound, "notfound.html", page{Title: "Not found"})
		return
	}
	row, err := s.q.CycleGet(c, id)
	if err != nil {
		s.render(c, http.StatusNotFound, "notfound.html", page{Title: "Not found"})
		return
	}
	err = s.runUpdate(c, row.WorkflowID, workflows.UpdateCycleApprove,
		workflows.CycleApproval{Actor: principal(c).Actor(), Reason: c.PostForm("reason")}, nil)
	var app *temporal.ApplicationError
	switch {
	case errors.As(err, &app):
		c.Redirect(http.StatusSeeOther, "/console/cycles/"+id.String()+"?done="+url.QueryEscape("Not done: "+app.Message()))
	case err != nil:
		s.unavailable(c, err)
	default:
		c.Redirect(http.StatusSeeOther, "/console/cycles/"+id.String()+"?done=Approved")
	}
}

// consoleStatements lists published statements (a partner: its own).
func (s *Server) consoleStatements(c *gin.Context) {
	rows, err := s.q.StatementsForPartner(c, dbq.StatementsForPartnerParams{ScopePartnerID: principal(c).Scope(), MaxRows: 200})
	if err != nil {
		s.unavailable(c, err)
		return
	}
	s.render(c, http.StatusOK, "statements.html", page{Title: "Statements", Data: rows})
}
