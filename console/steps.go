package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/dealflow/dealflow/workflows"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// stepRoutes serves a form for every step of the step tables: a deal's
// (steps.Deal) at /console/deals/{id}/{path}, a cycle's (steps.Cycle) at
// /console/cycles/{id}{path}, with the roles the table gives.
func (s *Console) stepRoutes() []Route {
	var out []Route
	for _, st := range steps.Deal() {
		out = append(out, Route{http.MethodPost, "/console/deals/:id/" + st.Path, st.Roles, s.dealStep(st)})
	}
	for _, st := range steps.Cycle() {
		out = append(out, Route{http.MethodPost, "/console/cycles/:id" + st.Path, st.Roles, s.cycleStep(st)})
	}
	return out
}

// stepForm is one offered step's form on a deal's page (deal.html renders
// it): the table's Form with the inputs its body's fields make.
type stepForm struct {
	Path                                  string
	Button, ButtonID, ButtonClass, Legend string
	Intro                                 string
	Inputs                                []input
}

// input is one input of a step's form. Kind is yesno, select, textarea or
// text (Type and InputMode then say which).
type input struct {
	Name, ID, Label, Kind string
	Type, InputMode       string
	Value                 string
	MaxLength             int
	Required              bool
	Options               []steps.Option
}

// offeredSteps are the forms of the steps p may take on deal d now, in
// the table's order.
func offeredSteps(p web.Principal, d dbq.Deal, v read.DealView, today string) []stepForm {
	var out []stepForm
	for _, st := range steps.Deal() {
		if !st.Offered(p, d) {
			continue
		}
		f := formOf(st, v, today)
		out = append(out, f)
	}
	return out
}

// formOf is step st's form for deal v.
func formOf(st steps.DealStep, v read.DealView, today string) stepForm {
	f := stepForm{Path: st.Path, Button: st.Form.Button, ButtonID: st.Form.ButtonID, ButtonClass: st.Form.ButtonClass,
		Legend: st.Form.Legend}
	if st.Form.Intro != nil {
		f.Intro = st.Form.Intro(v)
	}
	body := reflect.TypeOf(st.NewBody()).Elem()
	for _, fl := range st.Form.Fields {
		in := inputFor(body, fl)
		if fl.Value != nil {
			in.Value = fl.Value(v, today)
		}
		f.Inputs = append(f.Inputs, in)
	}
	return f
}

// inputFor makes the input of form field fl from the body's field of the
// same JSON name: its Go type and its validate and form tags.
func inputFor(body reflect.Type, fl steps.Field) input {
	in := input{Name: fl.Name, ID: fl.ID, Label: fl.Label, Kind: "text", Options: fl.Options}
	f, ok := fieldByJSON(body, fl.Name)
	if !ok {
		panic("console: step form field " + fl.Name + " is not a field of " + body.Name())
	}
	rules := "," + f.Tag.Get("validate") + ","
	t := f.Type
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Bool:
		in.Kind = "yesno"
	case len(fl.Options) > 0:
		in.Kind = "select"
	case fl.Textarea:
		in.Kind = "textarea"
	case f.Tag.Get("form") == "money":
		in.InputMode = "decimal"
	case t.Kind() == reflect.Int64:
		in.InputMode = "numeric"
	case strings.Contains(rules, ",datetime="):
		in.Type = "date"
	case strings.Contains(rules, ",currency,"):
		in.MaxLength = 3
	}
	in.Required = in.Kind != "yesno" && strings.Contains(rules, ",required,")
	return in
}

// fieldByJSON finds the struct field whose JSON name is name.
func fieldByJSON(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if n, _, _ := strings.Cut(f.Tag.Get("json"), ","); n == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// dealStep takes a step on a deal from a form on its page, through the
// same body, validation and deal client as the API's POST
// /v1/deals/{id}/{step}. The outcome, or why the workflow refused it,
// comes back as a message.
func (s *Console) dealStep(st steps.DealStep) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := uuid.Parse(c.Param("id"))
		p := web.PrincipalOf(c)
		if err != nil {
			s.notFound(c)
			return
		}
		d, err := s.read.Deal(c, id, p.Scope())
		if err != nil {
			s.notFound(c)
			return
		}
		back := func(msg string) {
			c.Redirect(http.StatusSeeOther, "/console/deals/"+id.String()+"?done="+url.QueryEscape(msg))
		}
		body := st.NewBody()
		if msg := formInto(c, body, d.Currency); msg != "" {
			back("Not done: " + msg)
			return
		}
		if n, ok := body.(steps.Normalizer); ok {
			n.Normalize()
		}
		if err := s.validate.Struct(body); err != nil {
			back("Not done: " + web.FieldErrorText(web.FieldErrors(err)))
			return
		}
		arg, errs := body.Arg(p.Actor(), s.today())
		if len(errs) > 0 {
			back("Not done: " + web.FieldErrorText(errs))
			return
		}
		if _, err := s.deals.Step(c, d.WorkflowID, st.Update, arg); err != nil {
			if r, ok := workflows.AsRefusal(err); ok {
				back("Not done: " + r.Message)
				return
			}
			back("Not done: the deal takes no further steps")
			return
		}
		back("Done: " + strings.ReplaceAll(st.Path, "-", " "))
	}
}

// formInto fills a step body from a form, by the type of the body's field
// each form field names: money (form:"money") as a decimal in the deal's
// currency (or the form's), other integers as whole numbers, a list as
// comma separated, a yes/no choice as a bool, everything else as text.
func formInto(c *gin.Context, body any, dealCurrency string) string {
	_ = c.Request.ParseForm()
	m := map[string]any{}
	cur := strings.ToUpper(strings.TrimSpace(c.PostForm("currency")))
	if cur == "" {
		cur = dealCurrency
	}
	exp, _ := domain.CurrencyExponent(cur)
	t := reflect.TypeOf(body).Elem()
	for k, vs := range c.Request.PostForm {
		v := strings.TrimSpace(vs[0])
		f, ok := fieldByJSON(t, k)
		if !ok {
			if k != "csrf" {
				m[k] = v // not a field: the strict decoding below says so
			}
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case f.Tag.Get("form") == "money":
			if v == "" {
				continue
			}
			minor, ok := steps.ParseDecimal(v, exp)
			if !ok {
				return k + " must be an amount such as 12500.00"
			}
			m[k] = minor
		case ft.Kind() == reflect.Int64:
			if v == "" {
				continue
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return k + " must be a whole number"
			}
			m[k] = n
		case ft.Kind() == reflect.Bool:
			if v != "yes" && v != "no" {
				return k + " must be yes or no"
			}
			m[k] = v == "yes"
		case ft.Kind() == reflect.Slice:
			var items []string
			for _, it := range strings.Split(v, ",") {
				if it = strings.TrimSpace(it); it != "" {
					items = append(items, it)
				}
			}
			m[k] = items
		default:
			m[k] = v
		}
	}
	b, _ := json.Marshal(m)
	if err := json.Unmarshal(b, body); err != nil {
		return "the form does not fit this step"
	}
	return ""
}

// cycleStep sends one of finance's review steps (approve, adjust a line,
// hold or release a partner) from the cycle's page, through the same
// body, validation and cycle client as the API's (steps.Cycle); the
// workflow's refusal (four-eyes, a line not in the cycle) comes back as a
// message.
func (s *Console) cycleStep(st steps.CycleStep) gin.HandlerFunc {
	return func(c *gin.Context) {
		row, ok := s.loadCycle(c)
		if !ok {
			return
		}
		back := func(msg string) {
			c.Redirect(http.StatusSeeOther, "/console/cycles/"+row.ID.String()+"?done="+url.QueryEscape(msg))
		}
		body := st.NewBody()
		exp, _ := domain.CurrencyExponent(row.Currency)
		if msg := body.FillForm(c.PostForm, exp); msg != "" {
			back("Not done: " + msg)
			return
		}
		if err := s.validate.Struct(body); err != nil {
			back("Not done: " + web.FieldErrorText(web.FieldErrors(err)))
			return
		}
		if missing, err := s.read.CycleStepTarget(c, row.ID, c.Param("line"), c.Param("partner")); err != nil || missing != "" {
			if err != nil {
				web.Unavailable(c, s.log, err)
			} else {
				back("Not done: " + missing)
			}
			return
		}
		_, err := s.cycles.Step(c, row.WorkflowID, st.Update, body.Arg(web.PrincipalOf(c).Actor(), c.Param))
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
