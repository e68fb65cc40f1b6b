package console

import (
	"net/http"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// notFound answers the console's "Not found" page.
func (s *Console) notFound(c *gin.Context) {
	s.render(c, http.StatusNotFound, "notfound.html", page{Title: "Not found"})
}

// loadCycle reads the cycle the :id parameter names; when there is none
// it answers the "Not found" page (or 503) itself.
func (s *Console) loadCycle(c *gin.Context) (dbq.CycleGetRow, bool) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		s.notFound(c)
		return dbq.CycleGetRow{}, false
	}
	row, err := s.read.Cycle(c, id)
	if db.IsNotFound(err) {
		s.notFound(c)
		return row, false
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return row, false
	}
	return row, true
}

// line reads the statement line the path names within the caller's scope
// (a partner: its own published lines only); pgx.ErrNoRows when there is
// none within reach.
func (s *Console) line(c *gin.Context) (dbq.StatementLineGetRow, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return dbq.StatementLineGetRow{}, pgx.ErrNoRows
	}
	return s.read.Line(c, id, web.PrincipalOf(c).Scope())
}
