package api

import (
	"fmt"
	"net/http"

	"github.com/dealflow/dealflow/internal/crm"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
)

// importBodyLimit bounds bulk CRM imports, which are larger than other bodies.
const importBodyLimit = 32 << 20

// importAccounts upserts accounts by external id: all rows or none, with
// every bad row reported as a field error ("accounts[3].country").
func (s *Server) importAccounts(c *gin.Context) {
	var req struct {
		Accounts []crm.Account `json:"accounts"`
	}
	if !s.decodeJSONLimit(c, &req, false, importBodyLimit) {
		return
	}
	res, rowErrs, err := crm.UpsertAccounts(c, s.pool, req.Accounts)
	s.importDone(c, "accounts", res, rowErrs, err)
}

// importOpportunities upserts direct-sales opportunities the same way.
func (s *Server) importOpportunities(c *gin.Context) {
	var req struct {
		Opportunities []crm.Opportunity `json:"opportunities"`
	}
	if !s.decodeJSONLimit(c, &req, false, importBodyLimit) {
		return
	}
	res, rowErrs, err := crm.UpsertOpportunities(c, s.pool, req.Opportunities)
	s.importDone(c, "opportunities", res, rowErrs, err)
}

func (s *Server) importDone(c *gin.Context, list string, res crm.Result, rowErrs []crm.RowError, err error) {
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if len(rowErrs) > 0 {
		errs := make([]web.FieldError, 0, len(rowErrs))
		for _, re := range rowErrs {
			errs = append(errs, web.FieldError{Field: fmt.Sprintf("%s[%d].%s", list, re.Row-1, re.Field), Message: re.Message})
		}
		web.WriteProblem(c, web.Problem{Type: web.ProblemValidation, Status: http.StatusUnprocessableEntity,
			Title: "Rows are invalid", Detail: fmt.Sprintf("%d bad row(s); nothing was imported", len(rowErrs)), Errors: errs})
		return
	}
	c.JSON(http.StatusOK, res)
}
