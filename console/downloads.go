package console

import (
	"io"
	"net/http"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// The console's CSV downloads are the API's files (internal/exports,
// through the read layer) with a session instead of a token; a cycle or
// line that is not there answers as the API does (problem+json 404).

// payoutsCSV downloads the cycle's accounts-payable file.
func (s *Console) payoutsCSV(c *gin.Context) {
	row, ok := s.cycleForDownload(c)
	if !ok {
		return
	}
	web.Download(c, s.log, "payouts-"+row.ProgramCode+"-"+row.PeriodStart.Format("2006-01")+".csv",
		func(w io.Writer) error { return s.read.PayoutsCSV(c, row, w) })
}

// statementsCSV downloads every line of a cycle, after adjustments.
func (s *Console) statementsCSV(c *gin.Context) {
	row, ok := s.cycleForDownload(c)
	if !ok {
		return
	}
	web.Download(c, s.log, "statements-"+row.ID.String()+".csv", func(w io.Writer) error { return s.read.StatementLinesCSV(c, row.ID, w) })
}

// ledgerCSV downloads the whole ledger in chain order.
func (s *Console) ledgerCSV(c *gin.Context) {
	web.Download(c, s.log, "ledger.csv", func(w io.Writer) error { return s.read.LedgerCSV(c, w) })
}

// lineDealsCSV downloads every deal behind a statement line, read within
// the caller's scope (a partner: its own published lines only).
func (s *Console) lineDealsCSV(c *gin.Context) {
	l, err := s.line(c)
	if db.IsNotFound(err) {
		web.Fail(c, http.StatusNotFound, web.ProblemNotFound, "no such statement line")
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	web.Download(c, s.log, "line-"+l.ID.String()+"-deals.csv", func(w io.Writer) error { return s.read.LineDealsCSV(c, l, w) })
}

// cycleForDownload reads the cycle the path names, answering 404
// (problem+json) or 503 itself.
func (s *Console) cycleForDownload(c *gin.Context) (dbq.CycleGetRow, bool) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		web.Fail(c, http.StatusNotFound, web.ProblemNotFound, "no such cycle")
		return dbq.CycleGetRow{}, false
	}
	row, err := s.read.Cycle(c, id)
	if db.IsNotFound(err) {
		web.Fail(c, http.StatusNotFound, web.ProblemNotFound, "no such cycle")
		return row, false
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return row, false
	}
	return row, true
}
