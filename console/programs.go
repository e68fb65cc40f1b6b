package console

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/workflows/incentive"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// programRoutes are the incentive program pages: the vendor reads
// programs and their versions, finance and admins (the API's program
// owners) create programs and publish new rules.
func (s *Console) programRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/programs", web.VendorRoles, s.programList},
		{http.MethodGet, "/console/programs/new", web.ProgramOwnerRoles, s.programNew},
		{http.MethodPost, "/console/programs", web.ProgramOwnerRoles, s.programCreate},
		{http.MethodGet, "/console/programs/:id", web.VendorRoles, s.programPage},
		{http.MethodPost, "/console/programs/:id/versions", web.ProgramOwnerRoles, s.programVersionCreate},
	}
}

// programRow is one program of the list with its current rules in words.
type programRow struct {
	dbq.IncentiveProgramListRow
	Summary string
}

func (s *Console) programList(c *gin.Context) {
	rows, err := s.q.IncentiveProgramList(c)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]programRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, programRow{r, RulesSummary(domain.IncentiveKind(r.Kind), r.Currency, r.Rules)})
	}
	s.render(c, http.StatusOK, "programs.html", page{Title: "Incentive programs", Data: out})
}

// programForm is the program form (new program or new version): the
// form's values, its pickers and its errors by field name.
type programForm struct {
	Values url.Values
	Errors map[string]string
	Pick   dealPickers
	// Tiers are the rebate's tier rows, with one blank row to add.
	Tiers []tierRow
	// Program is the program a new version is for (nil: a new program).
	Program *dbq.IncentiveProgramGetRow
}

// tierRow is one rebate tier row of the form.
type tierRow struct{ Above, Rate, Err string }

// Get is the form's value k.
func (f programForm) Get(k string) string { return f.Values.Get(k) }

// Has reports whether the form's field k holds v (a checked box).
func (f programForm) Has(k, v string) bool { return slices.Contains(f.Values[k], v) }

// Influences are the attribution filter's influence choices.
func (programForm) Influences() []option { return influenceLabels }

// Err is the error of field k (rules fields by their rules name).
func (f programForm) Err(k string) string { return f.Errors[k] }

// programFormOf builds the form from posted values and errors.
func (s *Console) programFormOf(c *gin.Context, v url.Values, errs []web.FieldError) programForm {
	f := programForm{Values: v, Errors: map[string]string{}}
	var lines []string
	if v != nil {
		lines = formProductLines(c)
	}
	f.Pick = s.pickers(c, lines)
	for _, e := range errs {
		key := e.Field
		for _, list := range []string{"rules.product_lines", "rules.attribution"} {
			if strings.HasPrefix(key, list) {
				key = list
			}
		}
		if f.Errors[key] == "" {
			f.Errors[key] = e.Message
		} else if key == "rules.product_lines" || key == "rules.attribution" {
			f.Errors[key] += "; " + e.Message
		}
	}
	above, rate := v["tier_above"], v["tier_rate"]
	for i := range max(len(above), len(rate)) {
		row := tierRow{}
		if i < len(above) {
			row.Above = above[i]
		}
		if i < len(rate) {
			row.Rate = rate[i]
		}
		row.Err = strings.Trim(f.Errors[fmt.Sprintf("rules.tiers[%d].above", i)]+" "+f.Errors[fmt.Sprintf("rules.tiers[%d].rate_bp", i)], " ")
		f.Tiers = append(f.Tiers, row)
	}
	f.Tiers = append(f.Tiers, tierRow{})
	return f
}

func (s *Console) programNew(c *gin.Context) {
	v := url.Values{"currency": {"USD"}, "period": {"quarter"}, "grace_days": {"5"}, "kind": {"spiff"}, "per": {"deal"},
		"mode": {domain.RebateModeRetroactive}, "rate_unit": {"pct"}, "starts_on": {s.now().UTC().Format(time.DateOnly)}}
	f := s.programFormOf(c, v, nil)
	f.Tiers = []tierRow{{Above: "0"}, {}}
	s.render(c, http.StatusOK, "program.html", page{Title: "New incentive program", Data: programPageData{New: true, Form: f}})
}

// programCreate creates a program from the form as POST
// /v1/incentive-programs does (the same request and validation), its
// product lines from the catalog; nothing is stored on a refusal.
func (s *Console) programCreate(c *gin.Context) {
	_ = c.Request.ParseForm()
	f := c.Request.PostForm
	req := steps.IncentiveProgramRequest{Code: f.Get("code"), Name: f.Get("name"), Kind: f.Get("kind"), Currency: f.Get("currency"),
		Period: f.Get("period"), StartsOn: strings.TrimSpace(f.Get("starts_on"))}
	var errs []web.FieldError
	if g, err := strconv.Atoi(strings.TrimSpace(f.Get("grace_days"))); err == nil {
		req.GraceDays = g
	} else {
		errs = append(errs, web.FieldError{Field: "grace_days", Message: "must be a whole number of days"})
	}
	req.Normalize()
	rules, lines, more := s.formRules(c, domain.IncentiveKind(req.Kind), req.Currency)
	req.Rules = rules
	errs = append(errs, more...)
	canonical, _, more := req.Check(s.validate)
	errs = web.MergeFieldErrors(errs, more)
	errs = web.MergeFieldErrors(errs, s.catalogLineErrors(c, lines))
	if len(errs) > 0 {
		s.render(c, http.StatusUnprocessableEntity, "program.html", page{Title: "New incentive program",
			Error: "Not done: " + web.FieldErrorText(errs), Data: programPageData{New: true, Form: s.programFormOf(c, f, errs)}})
		return
	}
	startsOn, _ := time.Parse(time.DateOnly, req.StartsOn)
	prog, _, err := db.CreateIncentiveProgram(c, s.pool, dbq.IncentiveProgramCreateParams{Code: req.Code, Name: req.Name, Kind: req.Kind,
		Currency: req.Currency, Period: req.Period, GraceDays: int32(req.GraceDays), StartsOn: startsOn, CreatedBy: web.PrincipalOf(c).Actor().ID}, canonical)
	if db.IsUniqueViolation(err) {
		errs = []web.FieldError{{Field: "code", Message: "an incentive program with that code exists"}}
		s.render(c, http.StatusConflict, "program.html", page{Title: "New incentive program",
			Error: "Not done: " + web.FieldErrorText(errs), Data: programPageData{New: true, Form: s.programFormOf(c, f, errs)}})
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if err := s.cycles.EnsureSchedule(c, incentive.Program{ID: prog.ID.String(), Code: prog.Code, Period: prog.Period, GraceDays: int(prog.GraceDays)}); err != nil {
		s.log.Error("incentive schedule not created; `dealflow migrate` retries", "program", prog.Code, "err", err)
	}
	c.Redirect(http.StatusSeeOther, "/console/programs/"+prog.ID.String()+"?done="+url.QueryEscape("Done: program "+prog.Code+" created"))
}

// programPageData is a program's page: the program, its versions and
// the new-version form.
type programPageData struct {
	Program  dbq.IncentiveProgramGetRow
	Versions []programVersionRow
	Form     programForm
	// CanEdit is whether the viewer may publish a version.
	CanEdit bool
	// New is the new-program form (no program yet).
	New bool
}

// programVersionRow is one version with its rules in words.
type programVersionRow struct {
	dbq.IncentiveProgramVersionListRow
	Summary string
}

// loadProgram reads the program of the path's id; false when it answered
// (not found, or the database failed).
func (s *Console) loadProgram(c *gin.Context) (dbq.IncentiveProgramGetRow, bool) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		s.render(c, http.StatusNotFound, "notfound.html", page{Title: "Not found"})
		return dbq.IncentiveProgramGetRow{}, false
	}
	prog, err := s.q.IncentiveProgramGet(c, id)
	if db.IsNotFound(err) {
		s.render(c, http.StatusNotFound, "notfound.html", page{Title: "Not found"})
		return prog, false
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return prog, false
	}
	return prog, true
}

func (s *Console) programPage(c *gin.Context) {
	prog, ok := s.loadProgram(c)
	if !ok {
		return
	}
	s.renderProgram(c, http.StatusOK, prog, nil, nil, "")
}

// renderProgram shows the program's page with the new-version form
// holding v (nil: the current rules) and its errors.
func (s *Console) renderProgram(c *gin.Context, status int, prog dbq.IncentiveProgramGetRow, v url.Values, errs []web.FieldError, errMsg string) {
	vers, err := s.q.IncentiveProgramVersionList(c, prog.ID)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	d := programPageData{Program: prog, CanEdit: slices.Contains(web.ProgramOwnerRoles, web.PrincipalOf(c).Role)}
	for _, ver := range vers {
		d.Versions = append(d.Versions, programVersionRow{ver, RulesSummary(domain.IncentiveKind(prog.Kind), prog.Currency, ver.Rules)})
	}
	if v == nil {
		v = rulesValues(prog.Rules, prog.Currency)
		d.Form = s.programFormOf(c, nil, nil)
		d.Form.Values = v
		d.Form.Pick = s.pickers(c, v["product_lines"])
		d.Form.Tiers = append(tierRows(v), tierRow{})
	} else {
		d.Form = s.programFormOf(c, v, errs)
	}
	d.Form.Program = &prog
	s.render(c, status, "program.html", page{Title: prog.Name, Error: errMsg, Data: d})
}

// programVersionCreate publishes new rules from the form as POST
// /v1/incentive-programs/{id}/versions does.
func (s *Console) programVersionCreate(c *gin.Context) {
	prog, ok := s.loadProgram(c)
	if !ok {
		return
	}
	_ = c.Request.ParseForm()
	f := c.Request.PostForm
	kind := domain.IncentiveKind(prog.Kind)
	rules, lines, errs := s.formRules(c, kind, prog.Currency)
	req := steps.ProgramVersionRequest{Rules: rules, Reason: f.Get("reason")}
	canonical, _, more := req.Check(s.validate, kind)
	errs = web.MergeFieldErrors(errs, more)
	errs = web.MergeFieldErrors(errs, s.catalogLineErrors(c, lines))
	if len(errs) > 0 {
		s.renderProgram(c, http.StatusUnprocessableEntity, prog, f, errs, "Not done: "+web.FieldErrorText(errs))
		return
	}
	ver, err := s.q.IncentiveProgramVersionCreate(c, dbq.IncentiveProgramVersionCreateParams{ProgramID: prog.ID, Rules: canonical,
		Reason: req.Reason, CreatedBy: web.PrincipalOf(c).Actor().ID})
	if db.IsUniqueViolation(err) {
		s.renderProgram(c, http.StatusConflict, prog, f, nil, "Not done: another version was published at the same time; try again")
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/programs/%s?done=%s", prog.ID, url.QueryEscape(fmt.Sprintf("Done: version %d published", ver.Version))))
}

// catalogLineErrors refuses product lines that are not the catalog's
// (none when there is no catalog yet).
func (s *Console) catalogLineErrors(c *gin.Context, lines []string) []web.FieldError {
	if len(lines) == 0 {
		return nil
	}
	catalog, err := s.q.QuoteCatalogProductLines(c)
	if err != nil {
		s.log.Warn("console: the catalog's product lines", "err", err)
		return nil
	}
	return steps.CatalogLineErrors(lines, catalog)
}
