package api

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

func parseInt32(s string) (int32, error) {
	n, err := strconv.ParseInt(s, 10, 32)
	return int32(n), err
}

func itoa(n int) string { return strconv.Itoa(n) }

// StatementView is a partner's published statement for one cycle.
type StatementView struct {
	CycleID     string    `json:"cycle_id"`
	PartnerID   string    `json:"partner_id"`
	ProgramCode string    `json:"program_code"`
	ProgramName string    `json:"program_name"`
	Kind        string    `json:"kind"`
	PeriodStart string    `json:"period_start"`
	PeriodEnd   string    `json:"period_end"`
	Total       int64     `json:"total"`
	Currency    string    `json:"currency"`
	Lines       int       `json:"lines"`
	PublishedAt time.Time `json:"published_at"`
}

// listStatements lists published statements: a partner sees only its own
// (scoped in SQL); the vendor's staff see all, or one partner's
// (?partner_id=).
func (s *Server) listStatements(c *gin.Context) {
	p := web.PrincipalOf(c)
	params := dbq.StatementsForPartnerParams{ScopePartnerID: p.Scope(), MaxRows: 500}
	if f := c.Query("partner_id"); f != "" {
		pid, err := uuid.Parse(f)
		if err != nil {
			web.ValidationProblem(c, []web.FieldError{{Field: "partner_id", Message: "must be a UUID"}})
			return
		}
		params.PartnerID = uuid.NullUUID{UUID: pid, Valid: true}
	}
	rows, err := s.read.Statements(c, params)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]StatementView, 0, len(rows))
	for _, r := range rows {
		out = append(out, StatementView{CycleID: r.CycleID.String(), PartnerID: r.PartnerID.String(), ProgramCode: r.ProgramCode,
			ProgramName: r.ProgramName, Kind: r.Kind, PeriodStart: r.PeriodStart.Format(time.DateOnly),
			PeriodEnd: r.PeriodEnd.AddDate(0, 0, -1).Format(time.DateOnly), Total: r.Total, Currency: r.Currency,
			Lines: int(r.Lines), PublishedAt: r.PublishedAt})
	}
	c.JSON(http.StatusOK, gin.H{"statements": out})
}

// statementLines lists the lines of one published statement; a partner
// asking for another partner's statement, or one not yet published, gets
// 404.
func (s *Server) statementLines(c *gin.Context) {
	id, ok := pathID(c, "cycle")
	if !ok {
		return
	}
	p := web.PrincipalOf(c)
	partner := p.Scope()
	if !partner.Valid {
		pid, err := uuid.Parse(c.Query("partner_id"))
		if err != nil {
			web.ValidationProblem(c, []web.FieldError{{Field: "partner_id", Message: "required: the partner whose statement to read"}})
			return
		}
		partner = uuid.NullUUID{UUID: pid, Valid: true}
	}
	_, out, err := s.read.StatementWithLines(c, id, p.Scope(), partner)
	if !s.found(c, err, "statement") {
		return
	}
	c.JSON(http.StatusOK, gin.H{"lines": out})
}

// lineDealsCSV downloads every deal behind a statement line, read within
// the caller's scope (a partner: its own published lines only).
func (s *Server) lineDealsCSV(c *gin.Context) {
	l, ok := s.apiLine(c)
	if !ok {
		return
	}
	web.Download(c, s.log, "line-"+l.ID.String()+"-deals.csv", func(w io.Writer) error { return s.read.LineDealsCSV(c, l, w) })
}

// explainLine answers GET /v1/statement-lines/{id}/explain: the deals and
// amounts behind a line, the tier reached, the rules version, every
// adjustment, hold and approval with actor and reason, and its ledger
// entries. Partners read only their own published lines (scoped in SQL).
func (s *Server) explainLine(c *gin.Context) {
	l, ok := s.apiLine(c)
	if !ok {
		return
	}
	ex, err := s.read.Explanation(c, l)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, ex)
}

// apiLine reads the statement line the path names within the caller's
// scope (a partner: its own published lines only); it answers 404
// (problem+json) or 503 itself and reports whether to go on.
func (s *Server) apiLine(c *gin.Context) (dbq.StatementLineGetRow, bool) {
	id, ok := pathID(c, "statement line")
	if !ok {
		return dbq.StatementLineGetRow{}, false
	}
	l, err := s.read.Line(c, id, web.PrincipalOf(c).Scope())
	if !s.found(c, err, "statement line") {
		return l, false
	}
	return l, true
}

// cyclePayoutsCSV downloads the cycle's accounts-payable file.
func (s *Server) cyclePayoutsCSV(c *gin.Context) {
	row, ok := s.loadCycle(c)
	if !ok {
		return
	}
	web.Download(c, s.log, "payouts-"+row.ProgramCode+"-"+row.PeriodStart.Format("2006-01")+".csv",
		func(w io.Writer) error { return s.read.PayoutsCSV(c, row, w) })
}

// cycleStatementsCSV downloads every line of a cycle, after adjustments; a
// cycle that does not exist answers 404.
func (s *Server) cycleStatementsCSV(c *gin.Context) {
	row, ok := s.loadCycle(c)
	if !ok {
		return
	}
	web.Download(c, s.log, "statements-"+row.ID.String()+".csv", func(w io.Writer) error { return s.read.StatementLinesCSV(c, row.ID, w) })
}

// ledgerCSV downloads the whole ledger in chain order.
func (s *Server) ledgerCSV(c *gin.Context) {
	web.Download(c, s.log, "ledger.csv", func(w io.Writer) error { return s.read.LedgerCSV(c, w) })
}

// ledgerVerification re-verifies the whole ledger now.
func (s *Server) ledgerVerification(c *gin.Context) {
	rep, err := db.VerifyLedger(c, s.q)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}
