package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// coSellPolicyRoutes are a deal-registration program's co-sell policy
// page and form, for the roles the API's GET and PUT
// /v1/programs/{id}/cosell-policy allow (channel managers and admins).
func (s *Console) coSellPolicyRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/cosell-policy", web.DeciderRoles, s.coSellPolicyPage},
		{http.MethodPost, "/console/cosell-policy/:id", web.DeciderRoles, s.coSellPolicySet},
	}
}

// coSellPolicyData is the co-sell policy page: the programs to choose
// from, the one shown, its current policy (version 0: the built-in
// default) with who set it, when and why, and the form for a new version.
type coSellPolicyData struct {
	Programs []dbq.Program
	Program  dbq.Program
	Version  int32
	Policy   domain.CoSellPolicy
	SetBy    string
	SetAt    time.Time
	Reason   string
	Form     coSellPolicyForm
}

// coSellPolicyForm is the new-version form: its values and its errors by
// field name (every holiday's under "holidays").
type coSellPolicyForm struct {
	Values url.Values
	Errors map[string]string
}

// Get is the form's value k.
func (f coSellPolicyForm) Get(k string) string { return f.Values.Get(k) }

// Err is the error of field k.
func (f coSellPolicyForm) Err(k string) string { return f.Errors[k] }

// RespondWords says the policy's response deadline in words.
func (d coSellPolicyData) RespondWords() string {
	return fmt.Sprintf("A seller answers a co-sell request within %s; on the deadline it escalates to the channel managers.", businessDays(d.Policy.RespondWithin))
}

// RemindWords says the policy's reminder in words.
func (d coSellPolicyData) RemindWords() string {
	if d.Policy.RemindAfter == 0 {
		return "No reminder before the deadline."
	}
	return fmt.Sprintf("The seller is reminded %s after the request is routed.", businessDays(d.Policy.RemindAfter))
}

// MilestoneWords says the policy's milestone reminder in words.
func (d coSellPolicyData) MilestoneWords() string {
	switch d.Policy.MilestoneReminderDays {
	case 0:
		return "Milestone owners are not reminded."
	case 1:
		return "A milestone's owner is reminded 1 day before it is due."
	}
	return fmt.Sprintf("A milestone's owner is reminded %d days before it is due.", d.Policy.MilestoneReminderDays)
}

func businessDays(n int) string {
	if n == 1 {
		return "1 business day"
	}
	return fmt.Sprintf("%d business days", n)
}

// coSellPolicyPage shows a program's (?program=, else the default's)
// co-sell policy and the form for a new version.
func (s *Console) coSellPolicyPage(c *gin.Context) {
	progs, err := s.q.ProgramList(c)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	var prog dbq.Program
	want, _ := uuid.Parse(c.Query("program"))
	for _, p := range progs {
		if p.ID == want || (c.Query("program") == "" && p.IsDefault) {
			prog = p
			break
		}
	}
	if prog.ID == uuid.Nil {
		s.notFound(c)
		return
	}
	s.renderCoSellPolicy(c, http.StatusOK, progs, prog, nil, nil, "")
}

// renderCoSellPolicy shows the page with the form holding v (nil: the
// current policy) and its errors.
func (s *Console) renderCoSellPolicy(c *gin.Context, status int, progs []dbq.Program, prog dbq.Program, v url.Values, errs []web.FieldError, errMsg string) {
	policy, row, err := db.CoSellPolicyVersion(c, s.q, prog.ID)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	d := coSellPolicyData{Programs: progs, Program: prog, Policy: policy,
		Version: row.Version, SetAt: row.CreatedAt, Reason: row.Reason, SetBy: row.SetByName}
	if d.SetBy == "" {
		d.SetBy = row.SetBy
	}
	if v == nil {
		v = url.Values{
			"respond_within_business_days": {strconv.Itoa(d.Policy.RespondWithin)},
			"remind_after_business_days":   {strconv.Itoa(d.Policy.RemindAfter)},
			"milestone_reminder_days":      {strconv.Itoa(d.Policy.MilestoneReminderDays)},
			"holidays":                     {strings.Join(d.Policy.Holidays, "\n")},
		}
	}
	v.Set("based_on", strconv.Itoa(int(d.Version)))
	d.Form = coSellPolicyForm{Values: v, Errors: map[string]string{}}
	for _, e := range errs {
		key := e.Field
		if strings.HasPrefix(key, "holidays") {
			key = "holidays"
		}
		if d.Form.Errors[key] == "" {
			d.Form.Errors[key] = e.Message
		} else {
			d.Form.Errors[key] += "; " + e.Message
		}
	}
	s.render(c, status, "cosell_policy.html", page{Title: "Co-sell policy: " + prog.Name, Error: errMsg, Data: d})
}

// coSellPolicySet stores a new version of the program's co-sell policy
// from the form, checked and stored as PUT /v1/programs/{id}/cosell-policy
// does (steps.CoSellPolicyRequest, db.SetCoSellPolicy); nothing is stored
// on a refusal. A form shown before another version was stored is
// refused, as is a version stored at the same time.
func (s *Console) coSellPolicySet(c *gin.Context) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		s.notFound(c)
		return
	}
	prog, err := s.q.ProgramGet(c, id)
	switch {
	case db.IsNotFound(err):
		s.notFound(c)
		return
	case err != nil:
		web.Unavailable(c, s.log, err)
		return
	}
	_ = c.Request.ParseForm()
	f := c.Request.PostForm
	// refuse shows the form again, with the program list only then read.
	refuse := func(status int, errs []web.FieldError, msg string) {
		progs, err := s.q.ProgramList(c)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		s.renderCoSellPolicy(c, status, progs, prog, f, errs, msg)
	}
	req, errs := coSellPolicyFormRequest(f)
	p, more := req.Check(s.validate)
	for i, e := range more {
		var n int
		if _, err := fmt.Sscanf(e.Field, "holidays[%d]", &n); err == nil && n < len(req.Holidays) {
			more[i].Message = fmt.Sprintf("%q %s", req.Holidays[n], e.Message)
		}
	}
	errs = web.MergeFieldErrors(errs, more)
	if len(errs) > 0 {
		refuse(http.StatusUnprocessableEntity, errs, "Not done: "+web.FieldErrorText(errs))
		return
	}
	const changed = "Not done: the policy was changed at the same time (the page shows the current version); make the change again if it is still wanted"
	_, current, err := db.CoSellPolicyVersion(c, s.q, prog.ID)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if based := f.Get("based_on"); based != "" && based != strconv.Itoa(int(current.Version)) {
		refuse(http.StatusConflict, nil, changed)
		return
	}
	row, err := db.SetCoSellPolicy(c, s.q, prog.ID, web.PrincipalOf(c).Actor(), s.now(), req.Reason, p)
	if db.IsUniqueViolation(err) {
		refuse(http.StatusConflict, nil, changed)
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/cosell-policy?program=%s&done=%s", prog.ID,
		url.QueryEscape(fmt.Sprintf("Done: co-sell policy version %d stored", row.Version))))
}

// coSellPolicyFormRequest reads the form into the API's request: the
// numbers (empty: 0, as a field the API's body leaves out) and the
// holidays, one a line or separated by commas; inputs that are not whole
// numbers are named by their field.
func coSellPolicyFormRequest(f url.Values) (steps.CoSellPolicyRequest, []web.FieldError) {
	var errs []web.FieldError
	whole := func(field string) int {
		in := strings.TrimSpace(f.Get(field))
		if in == "" {
			return 0
		}
		n, err := strconv.Atoi(in)
		if err != nil {
			errs = append(errs, web.FieldError{Field: field, Message: "must be a whole number of days"})
		}
		return n
	}
	req := steps.CoSellPolicyRequest{RespondWithin: whole("respond_within_business_days"), RemindAfter: whole("remind_after_business_days"),
		MilestoneReminderDays: whole("milestone_reminder_days"), Reason: f.Get("reason")}
	for _, d := range strings.FieldsFunc(f.Get("holidays"), func(r rune) bool { return r == '\n' || r == '\r' || r == ',' }) {
		if d = strings.TrimSpace(d); d != "" {
			req.Holidays = append(req.Holidays, d)
		}
	}
	return req, errs
}
