package console

import (
	"net/http"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// cycleRoutes are the incentive context's pages: cycles, one cycle (its
// step forms are stepRoutes, from the step table) and its downloads.
func (s *Console) cycleRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/cycles", web.VendorRoles, s.consoleCycles},
		{http.MethodGet, "/console/cycles/:id", web.VendorRoles, s.consoleCycle},
		{http.MethodGet, "/console/cycles/:id/payouts.csv", web.VendorRoles, s.payoutsCSV},
		{http.MethodGet, "/console/cycles/:id/statements.csv", web.VendorRoles, s.statementsCSV},
		{http.MethodGet, "/console/ledger.csv", web.VendorRoles, s.ledgerCSV},
	}
}

// statementRoutes are the published statements' pages, which partners
// read too.
func (s *Console) statementRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/statements", web.AllRoles, s.consoleStatements},
		{http.MethodGet, "/console/statements/:id", web.AllRoles, s.consoleStatementLines},
		{http.MethodGet, "/console/statement-lines/:id", web.AllRoles, s.consoleExplain},
		{http.MethodGet, "/console/statement-lines/:id/deals.csv", web.AllRoles, s.lineDealsCSV},
	}
}

// cyclesPage lists cycles and the ledger's verification.
type cyclesPage struct {
	Cycles []read.CycleView
	Ledger domain.LedgerReport
	// FullAt is when the ledger was last verified from its first entry;
	// the entries added since were verified as they came.
	FullAt time.Time
}

// consoleCycles lists incentive cycles with their state, and whether the
// ledger verifies: the entries added since the last view are checked now,
// the whole ledger every few minutes (db.LedgerWatch).
func (s *Console) consoleCycles(c *gin.Context) {
	rows, err := s.read.Cycles(c, 200)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	cp := cyclesPage{Cycles: rows}
	if cp.Ledger, cp.FullAt, err = s.read.VerifyLedger(c, &s.ledger); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.render(c, http.StatusOK, "cycles.html", page{Title: "Incentive cycles", Data: cp})
}

// cyclePage is one cycle with its first lines and review history.
type cyclePage struct {
	Cycle      read.CycleView
	Lines      []read.CycleLineView
	CanApprove bool
	Approver   string // the approver's name, from the review history
	PaidOut    int64  // what the payouts pay, after adjustments and holds
	Payouts    int
}

// consoleCycle shows one cycle: its figures, finance's approvals, its
// first lines with their adjust forms and its excluded deals.
func (s *Console) consoleCycle(c *gin.Context) {
	row, ok := s.loadCycle(c)
	if !ok {
		return
	}
	lines, err := s.read.CycleLines(c, dbq.CycleLinesParams{CycleID: row.ID, MaxRows: 200})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	full, err := s.read.CycleDetail(c, row)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	cp := cyclePage{Cycle: full, Lines: read.CycleLinesOf(lines)}
	// The page shows the approvals the workflow's state counts, not (yet)
	// the rest of that state, as before the read layer.
	cp.Cycle.Workflow = nil
	cp.CanApprove = web.PrincipalOf(c).Role == domain.RoleFinance && row.Status == "in_review"
	for _, e := range cp.Cycle.Events {
		if e.Type == "approved" {
			cp.Approver = e.Actor.Name
		}
	}
	payouts, err := s.read.Payouts(c, row.ID)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	for _, p := range payouts {
		if p.Status == "payable" {
			cp.PaidOut += p.Amount
		}
	}
	cp.Payouts = len(payouts)
	s.render(c, http.StatusOK, "cycle.html", page{Title: "Cycle " + row.ProgramCode, Data: cp})
}

// consoleStatementLines shows one published statement's lines, each linked
// to its explanation; a partner sees only its own.
func (s *Console) consoleStatementLines(c *gin.Context) {
	id, err := uuid.Parse(c.Param("id"))
	p := web.PrincipalOf(c)
	partner := p.Scope()
	if !partner.Valid {
		pid, perr := uuid.Parse(c.Query("partner_id"))
		partner = uuid.NullUUID{UUID: pid, Valid: perr == nil}
	}
	if err != nil || !partner.Valid {
		s.notFound(c)
		return
	}
	st, lines, err := s.read.StatementWithLines(c, id, p.Scope(), partner)
	if db.IsNotFound(err) {
		s.notFound(c)
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.render(c, http.StatusOK, "statement.html", page{Title: "Statement", Data: struct {
		Statement dbq.StatementsForPartnerRow
		Lines     []read.CycleLineView
	}{st, lines}})
}

// consoleExplain shows why a statement line pays what it pays.
func (s *Console) consoleExplain(c *gin.Context) {
	l, err := s.line(c)
	if db.IsNotFound(err) {
		s.notFound(c)
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	ex, err := s.read.Explanation(c, l)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.render(c, http.StatusOK, "explain.html", page{Title: "Why this amount", Data: ex})
}

// consoleStatements lists published statements (a partner: its own).
func (s *Console) consoleStatements(c *gin.Context) {
	rows, err := s.read.Statements(c, dbq.StatementsForPartnerParams{ScopePartnerID: web.PrincipalOf(c).Scope(), MaxRows: 200})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.render(c, http.StatusOK, "statements.html", page{Title: "Statements", Data: rows})
}
