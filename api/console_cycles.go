package api

import (
	"github.com/dealflow/dealflow/internal/web"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// cyclesPage lists cycles and the ledger's verification.
type cyclesPage struct {
	Cycles []CycleView
	Ledger domain.LedgerReport
	// FullAt is when the ledger was last verified from its first entry;
	// the entries added since were verified as they came.
	FullAt time.Time
}

// consoleCycles lists incentive cycles with their state, and whether the
// ledger verifies: the entries added since the last view are checked now,
// the whole ledger every few minutes (db.LedgerWatch).
func (s *Server) consoleCycles(c *gin.Context) {
	rows, err := s.q.CycleList(c, 200)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	var cp cyclesPage
	for _, r := range rows {
		cp.Cycles = append(cp.Cycles, cycleListView(r))
	}
	if cp.Ledger, cp.FullAt, err = s.ledger.Verify(c, s.q); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.render(c, http.StatusOK, "cycles.html", page{Title: "Incentive cycles", Data: cp})
}

// cyclePage is one cycle with its first lines and review history.
type cyclePage struct {
	Cycle      CycleView
	Lines      []CycleLineView
	CanApprove bool
	Approver   string // the approver's name, from the review history
	PaidOut    int64  // what the payouts pay, after adjustments and holds
	Payouts    int
}

func (s *Server) consoleCycle(c *gin.Context) {
	row, ok := s.loadCycle(c, s.pageNotFound(c))
	if !ok {
		return
	}
	id := row.ID
	events, err := s.q.CycleEvents(c, id)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	lines, err := s.q.CycleLines(c, dbq.CycleLinesParams{CycleID: id, MaxRows: 200})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	cp := cyclePage{Cycle: cycleView(row)}
	cp.Cycle.Events = cycleEventViews(events)
	if err := s.withExcluded(c, &cp.Cycle); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	for _, l := range lines {
		cp.Lines = append(cp.Lines, cycleLineView(l))
	}
	withState := cp.Cycle
	withState.Workflow = s.cycleState(c, row.WorkflowID)
	cp.Cycle.Approvals = cycleApprovals(withState)
	cp.CanApprove = web.PrincipalOf(c).Role == domain.RoleFinance && row.Status == "in_review"
	for _, e := range cp.Cycle.Events {
		if e.Type == "approved" {
			cp.Approver = e.Actor.Name
		}
	}
	payouts, err := s.q.CyclePayouts(c, id)
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

// consoleCycleStep sends one of finance's review steps (approve, adjust a
// line, hold or release a partner) from the cycle's page, through the same
// body, validation and cycle client as the API's (cycleSteps); the
// workflow's refusal (four-eyes, a line not in the cycle) comes back as a
// message.
func (s *Server) consoleCycleStep(st cycleStep) gin.HandlerFunc {
	return func(c *gin.Context) {
		row, ok := s.loadCycle(c, s.pageNotFound(c))
		if !ok {
			return
		}
		id := row.ID
		back := func(msg string) {
			c.Redirect(http.StatusSeeOther, "/console/cycles/"+id.String()+"?done="+url.QueryEscape(msg))
		}
		body := st.NewBody()
		switch b := body.(type) {
		case *adjustBody:
			exp, _ := domain.CurrencyExponent(row.Currency)
			v := strings.TrimSpace(c.PostForm("amount"))
			minor, ok := parseDecimal(strings.TrimPrefix(v, "-"), exp)
			if !ok {
				back("Not done: the amount must be a number such as 1250.00")
				return
			}
			if strings.HasPrefix(v, "-") {
				minor = -minor
			}
			b.Amount, b.Reason = &minor, c.PostForm("reason")
		case *holdBody:
			b.Reason = c.PostForm("reason")
		case *approveCycleBody:
			b.Reason = c.PostForm("reason")
		}
		if err := s.validate.Struct(body); err != nil {
			back("Not done: " + web.FieldErrorText(web.FieldErrors(err)))
			return
		}
		_, err := s.cycles.Step(c, row.WorkflowID, st.Update, body.arg(c, web.PrincipalOf(c)))
		r, refused := workflows.AsRefusal(err)
		switch {
		case refused:
			back("Not done: " + r.Message)
		case err != nil:
			back("Not done: the cycle takes no further steps")
		default:
			back("Done: " + strings.ReplaceAll(st.Update, "-", " "))
		}
	}
}

// consoleStatementLines shows one published statement's lines, each linked
// to its explanation; a partner sees only its own.
func (s *Server) consoleStatementLines(c *gin.Context) {
	id, err := uuid.Parse(c.Param("id"))
	p := web.PrincipalOf(c)
	partner := p.Scope()
	if !partner.Valid {
		pid, perr := uuid.Parse(c.Query("partner_id"))
		partner = uuid.NullUUID{UUID: pid, Valid: perr == nil}
	}
	if err != nil || !partner.Valid {
		s.render(c, http.StatusNotFound, "notfound.html", page{Title: "Not found"})
		return
	}
	st, lines, err := s.statementWithLines(c, id, p.Scope(), partner)
	if db.IsNotFound(err) {
		s.render(c, http.StatusNotFound, "notfound.html", page{Title: "Not found"})
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.render(c, http.StatusOK, "statement.html", page{Title: "Statement", Data: struct {
		Statement dbq.StatementsForPartnerRow
		Lines     []CycleLineView
	}{st, lines}})
}

// consoleExplain shows why a statement line pays what it pays.
func (s *Server) consoleExplain(c *gin.Context) {
	l, err := s.scopedLine(c)
	if db.IsNotFound(err) {
		s.render(c, http.StatusNotFound, "notfound.html", page{Title: "Not found"})
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	ex, err := s.explanation(c, l)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.render(c, http.StatusOK, "explain.html", page{Title: "Why this amount", Data: ex})
}

// consoleStatements lists published statements (a partner: its own).
func (s *Server) consoleStatements(c *gin.Context) {
	rows, err := s.q.StatementsForPartner(c, dbq.StatementsForPartnerParams{ScopePartnerID: web.PrincipalOf(c).Scope(), MaxRows: 200})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.render(c, http.StatusOK, "statements.html", page{Title: "Statements", Data: rows})
}
