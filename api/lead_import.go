package api

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"github.com/dealflow/dealflow/internal/csvin"
	"github.com/dealflow/dealflow/internal/web"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// leadImportColumns are the columns of a lead import, in any order, named
// in the header row; product_lines and tags separate values with ";".
var leadImportColumns = []string{"company_name", "company_domain", "country", "region", "contact_name", "contact_email",
	"product_lines", "tags", "amount", "currency", "notes"}

// leadImportMax bounds the rows of one import.
const leadImportMax = 10_000

// leadImportNamespace derives each imported lead's id from the file and its
// line, so importing the same file again starts no lead twice.
var leadImportNamespace = uuid.MustParse("0d7f5a52-8f3e-4b8e-9a4f-6c1b1c0f6a10")

// importLeads takes a CSV of leads (text/csv, a header row naming the
// columns): every row is validated first, and any bad row refuses the
// whole file (422, each error named "line N: field"), so nothing is half
// imported. A good file starts each lead's workflow; lead ids derive from
// the file's content and line, so sending the file again (after a failure
// half-way through starting them) starts only the missing ones. It answers
// with the leads created.
func (s *Server) importLeads(c *gin.Context) {
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "text/csv" {
		web.Fail(c, http.StatusUnsupportedMediaType, web.ProblemMediaType, "send the leads as text/csv")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, importBodyLimit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		web.Fail(c, http.StatusRequestEntityTooLarge, web.ProblemTooLarge, fmt.Sprintf("request body exceeds %d bytes", tooBig.Limit))
		return
	} else if err != nil {
		web.Fail(c, http.StatusBadRequest, web.ProblemMalformed, "could not read the request body")
		return
	}
	programID := c.Query("program_id")
	if !s.programExists(c, programID, "program_id") {
		return
	}
	inputs, errs := s.parseLeadCSV(string(body), programID)
	if len(errs) > 0 {
		web.WriteProblem(c, web.Problem{Type: web.ProblemValidation, Status: http.StatusUnprocessableEntity, Title: "Rows are invalid",
			Detail: fmt.Sprintf("%d error(s); nothing was imported", len(errs)), Errors: errs})
		return
	}
	sum := sha256.Sum256(body)
	actor := web.PrincipalOf(c).Actor()
	ids := make([]string, 0, len(inputs))
	for i, in := range inputs {
		in.LeadID = uuid.NewSHA1(leadImportNamespace, []byte(fmt.Sprintf("%x/%d", sum, i))).String()
		in.Creator = actor
		if _, err := s.leads.Create(c, in); err != nil && !errors.Is(err, lead.ErrCompleted) {
			s.leadRefused(c, err)
			return
		}
		ids = append(ids, in.LeadID)
	}
	c.JSON(http.StatusCreated, gin.H{"imported": len(ids), "lead_ids": ids})
}

// parseLeadCSV reads and validates every row; errors name the line.
func (s *Server) parseLeadCSV(text, programID string) ([]lead.Input, []web.FieldError) {
	r := csvin.New(strings.NewReader(text), -1)
	header, err := r.Read()
	if err != nil {
		return nil, []web.FieldError{{Field: "line 1", Message: "a header row naming the columns is required"}}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	var errs []web.FieldError
	for _, name := range []string{"company_name", "company_domain", "country", "contact_name", "contact_email", "product_lines", "amount", "currency"} {
		if _, ok := col[name]; !ok {
			errs = append(errs, web.FieldError{Field: "line 1", Message: "missing column " + name})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var out []lead.Input
	for {
		rec, err := r.Read()
		line := r.Line()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, web.FieldError{Field: "line " + strconv.Itoa(line), Message: "not valid CSV: " + err.Error()})
			break
		}
		if len(out)+1 > leadImportMax {
			errs = append(errs, web.FieldError{Field: "line " + strconv.Itoa(line), Message: fmt.Sprintf("at most %d leads per import", leadImportMax)})
			break
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return rec[i]
			}
			return ""
		}
		req := createLeadRequest{ProgramID: programID, Region: get("region"), Currency: get("currency"), Notes: get("notes"),
			ProductLines: splitList(get("product_lines")), Tags: splitList(get("tags"))}
		req.Company.Name, req.Company.Domain, req.Company.Country = get("company_name"), get("company_domain"), get("country")
		req.Contact.Name, req.Contact.Email = get("contact_name"), get("contact_email")
		var rowErrs []web.FieldError
		if amt, err := strconv.ParseInt(strings.TrimSpace(get("amount")), 10, 64); err != nil {
			rowErrs = append(rowErrs, web.FieldError{Field: "amount", Message: "must be an integer amount in minor units"})
		} else {
			req.Amount = amt
		}
		in, more := s.leadInput(&req, lead.SourceImport)
		for _, e := range web.MergeFieldErrors(rowErrs, more) {
			errs = append(errs, web.FieldError{Field: fmt.Sprintf("line %d: %s", line, e.Field), Message: e.Message})
		}
		out = append(out, in)
	}
	if len(out) == 0 && len(errs) == 0 {
		errs = append(errs, web.FieldError{Field: "line 2", Message: "the file holds no leads"})
	}
	return out, errs
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ";") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
