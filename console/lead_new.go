package console

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// leadImportMaxBytes bounds an uploaded lead file, as the API's import.
const leadImportMaxBytes = 32 << 20

// newLeadPage is the new-lead page: the single-lead form's values and the
// programs to choose from, and an import's per-line errors.
type newLeadPage struct {
	Values     url.Values
	Programs   []dbq.Program
	Countries  []option
	Currencies []string
	Columns    string
	// RowErrors are a refused import's errors, each naming its line.
	RowErrors []web.FieldError
}

// Get is the form's value k.
func (p newLeadPage) Get(k string) string { return p.Values.Get(k) }

func (s *Console) newLeadPage(c *gin.Context, status int, values url.Values, errMsg string, rowErrs []web.FieldError) {
	progs, err := s.q.ProgramList(c)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if values == nil {
		values = url.Values{"currency": {"USD"}}
	}
	s.render(c, status, "lead_new.html", page{Title: "New leads", Error: errMsg, Data: newLeadPage{Values: values, Programs: progs,
		Countries: countryOptions, Currencies: currencyCodes, Columns: strings.Join(steps.LeadImportColumns, ","), RowErrors: rowErrs}})
}

func (s *Console) leadNew(c *gin.Context) { s.newLeadPage(c, http.StatusOK, nil, "", nil) }

// leadCreate creates one lead from the form as POST /v1/leads does (the
// same request, validation and typed client) and returns to the leads.
func (s *Console) leadCreate(c *gin.Context) {
	_ = c.Request.ParseForm()
	f := c.Request.PostForm
	var req steps.CreateLeadRequest
	req.ProgramID = f.Get("program_id")
	req.Company.Name, req.Company.Domain, req.Company.Country = f.Get("company_name"), f.Get("company_domain"), f.Get("country")
	req.Region, req.Contact.Name, req.Contact.Email = f.Get("region"), f.Get("contact_name"), f.Get("contact_email")
	req.ProductLines = steps.SplitList(strings.ReplaceAll(f.Get("product_lines"), ",", ";"))
	req.Tags = steps.SplitList(strings.ReplaceAll(f.Get("tags"), ",", ";"))
	req.Currency, req.Notes = f.Get("currency"), f.Get("notes")
	var errs []web.FieldError
	exp, _ := domain.CurrencyExponent(strings.ToUpper(strings.TrimSpace(req.Currency)))
	if amt := strings.TrimSpace(f.Get("amount")); amt != "" {
		if minor, ok := steps.ParseDecimal(amt, exp); ok {
			req.Amount = minor
		} else {
			errs = append(errs, web.FieldError{Field: "amount", Message: "must be an amount such as 12500.00"})
		}
	}
	in, more := steps.LeadInput(s.validate, &req, lead.SourceVendor)
	errs = web.MergeFieldErrors(errs, more)
	if len(errs) == 0 && !s.leadProgramExists(c, in.ProgramID) {
		errs = append(errs, web.FieldError{Field: "program_id", Message: "names no program"})
	}
	if len(errs) > 0 {
		s.newLeadPage(c, http.StatusUnprocessableEntity, f, "Not done: "+web.FieldErrorText(errs), nil)
		return
	}
	id, err := uuid.NewV7()
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	in.LeadID, in.Creator = id.String(), web.PrincipalOf(c).Actor()
	if _, err := s.leads.Create(c, in); err != nil {
		s.newLeadPage(c, http.StatusUnprocessableEntity, f, "Not done: "+leadRefusal(err), nil)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/leads?done="+url.QueryEscape("Done: lead "+in.Lead.Company.Name+" created"))
}

// leadProgramExists reports whether id ("" the default program) names a
// program.
func (s *Console) leadProgramExists(c *gin.Context, id string) bool {
	if id == "" {
		return true
	}
	pid, err := uuid.Parse(id)
	if err != nil || pid == uuid.Nil {
		return false
	}
	_, err = s.q.LeadProgram(c, uuid.NullUUID{UUID: pid, Valid: true})
	return err == nil || !db.IsNotFound(err)
}

func leadRefusal(err error) string {
	if r, ok := workflows.AsRefusal(err); ok {
		return r.Message
	}
	return "the lead could not be started; try again"
}

// leadImport takes an uploaded CSV as POST /v1/leads/import does: every
// line is validated first and any bad line refuses the whole file, the
// page listing each line's errors; a good file starts its leads (ids from
// the file's content, so uploading it again starts only what is missing).
func (s *Console) leadImport(c *gin.Context) {
	fh, err := c.FormFile("file")
	if err != nil {
		s.newLeadPage(c, http.StatusUnprocessableEntity, nil, "Not done: file: choose a CSV file to upload", nil)
		return
	}
	if fh.Size > leadImportMaxBytes {
		s.newLeadPage(c, http.StatusRequestEntityTooLarge, nil, fmt.Sprintf("Not done: file: at most %d MiB", leadImportMaxBytes>>20), nil)
		return
	}
	file, err := fh.Open()
	if err != nil {
		s.newLeadPage(c, http.StatusUnprocessableEntity, nil, "Not done: file: could not be read", nil)
		return
	}
	defer file.Close()
	body, err := io.ReadAll(io.LimitReader(file, leadImportMaxBytes))
	if err != nil {
		s.newLeadPage(c, http.StatusUnprocessableEntity, nil, "Not done: file: could not be read", nil)
		return
	}
	programID := c.PostForm("program_id")
	if !s.leadProgramExists(c, programID) {
		s.newLeadPage(c, http.StatusUnprocessableEntity, nil, "Not done: program: names no program", nil)
		return
	}
	inputs, errs := steps.ParseLeadCSV(s.validate, string(body), programID)
	if len(errs) > 0 {
		s.newLeadPage(c, http.StatusUnprocessableEntity, nil, fmt.Sprintf("Not done: %d error(s); nothing was imported", len(errs)), errs)
		return
	}
	sum := sha256.Sum256(body)
	actor := web.PrincipalOf(c).Actor()
	for i, in := range inputs {
		in.LeadID, in.Creator = steps.ImportedLeadID(sum, i), actor
		if _, err := s.leads.Create(c, in); err != nil && !errors.Is(err, lead.ErrCompleted) {
			s.newLeadPage(c, http.StatusServiceUnavailable, nil,
				fmt.Sprintf("Not done: %d of %d leads started (%s); upload the same file again to start the rest", i, len(inputs), leadRefusal(err)), nil)
			return
		}
	}
	c.Redirect(http.StatusSeeOther, "/console/leads?done="+url.QueryEscape(fmt.Sprintf("Done: %d leads imported", len(inputs))))
}
