package api

import (
	"encoding/json"
	"github.com/dealflow/dealflow/internal/web"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/conflicts"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/deal"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// consoleDeals lists the deals the principal may see (a partner: its own
// organization's, scoped in SQL), newest first.
func (s *Server) consoleDeals(c *gin.Context) {
	p := web.PrincipalOf(c)
	rows, err := s.q.DealList(c, dbq.DealListParams{ScopePartnerID: p.Scope(), Statuses: []string{}, PageSize: 100})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	views := make([]DealView, 0, len(rows))
	for _, d := range rows {
		views = append(views, dealView(d, nil))
	}
	s.render(c, http.StatusOK, "deals.html", page{Title: "Deals", Data: views})
}

// dealForm is the registration form as typed, redisplayed with its errors.
type dealForm struct {
	Values         url.Values
	Errors         map[string]string
	IdempotencyKey string
	// Earlier is the deal this form's idempotency key registered with
	// other values: the form is shown again, with a fresh key, to say so.
	Earlier string
}

func (f dealForm) Get(k string) string { return f.Values.Get(k) }

func (s *Server) consoleNewDeal(c *gin.Context) {
	s.render(c, http.StatusOK, "deal_new.html", page{Title: "Register a deal",
		Data: dealForm{Values: url.Values{"currency": {"USD"}, "kind": {"resale"}}, IdempotencyKey: uuid.NewString()}})
}

// consoleCreateDeal registers a deal from the form through the same path as
// POST /v1/deals (validation, program rules, Update-with-Start). The form's
// idempotency key makes a double submit register one deal.
func (s *Server) consoleCreateDeal(c *gin.Context) {
	_ = c.Request.ParseForm()
	form := dealForm{Values: c.Request.PostForm, Errors: map[string]string{}, IdempotencyKey: c.PostForm("idempotency_key")}
	var req createDealRequest
	req.Kind = c.PostForm("kind")
	req.Customer.Name, req.Customer.Domain, req.Customer.Country = c.PostForm("customer_name"), c.PostForm("customer_domain"), c.PostForm("customer_country")
	req.Contact.Name, req.Contact.Email = c.PostForm("contact_name"), c.PostForm("contact_email")
	for _, pl := range strings.Split(c.PostForm("product_lines"), ",") {
		if pl = strings.TrimSpace(pl); pl != "" {
			req.ProductLines = append(req.ProductLines, pl)
		}
	}
	req.Currency, req.ExpectedCloseDate, req.Notes = c.PostForm("currency"), c.PostForm("expected_close_date"), c.PostForm("notes")
	exp, _ := domain.CurrencyExponent(strings.ToUpper(strings.TrimSpace(req.Currency)))
	if amt := strings.TrimSpace(c.PostForm("amount")); amt != "" {
		if minor, ok := parseDecimal(amt, exp); ok {
			req.Amount = minor
		} else {
			form.Errors["amount"] = "must be an amount such as 12500.00"
		}
	}
	req.normalize()
	var errs []web.FieldError
	if err := s.validate.Struct(&req); err != nil {
		errs = web.FieldErrors(err)
	}
	reg, more := req.registration(s.today())
	errs = web.MergeFieldErrors(errs, more)
	p := web.PrincipalOf(c)
	if len(errs) == 0 && len(form.Errors) == 0 {
		fe, err := s.kindRefused(c, p, reg.Kind)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		if fe != nil {
			errs = append(errs, *fe)
		}
	}
	for _, e := range errs {
		if f := formField(e.Field); form.Errors[f] == "" {
			form.Errors[f] = e.Message
		}
	}
	if len(form.Errors) > 0 {
		s.render(c, http.StatusUnprocessableEntity, "deal_new.html", page{Title: "Register a deal", Error: "Please correct the fields marked below.", Data: form})
		return
	}
	key := form.IdempotencyKey
	if _, err := uuid.Parse(key); err != nil {
		key = uuid.NewString()
	}
	in := deal.Input{PartnerID: p.PartnerID.UUID.String(), Submitter: p.Actor(), Registration: reg,
		IdempotencyKey: "console:" + key, RequestHash: req.hash()}
	dealID := deal.IdempotentID(in.PartnerID, in.IdempotencyKey)
	in.DealID = dealID.String()
	// The form sent again opens the deal it registered; sent again with
	// other values, it registers nothing and says so (the API's 422
	// idempotency-key-reused). A deal registered before the console kept a
	// request hash has none to compare, and opens.
	if d, err := s.q.DealGet(c, dbq.DealGetParams{ID: dealID, ScopePartnerID: p.Scope()}); err == nil {
		if d.RequestHash.Valid && d.RequestHash.String != "" && d.RequestHash.String != in.RequestHash {
			s.formAlreadySubmitted(c, form, dealID)
			return
		}
		c.Redirect(http.StatusSeeOther, "/console/deals/"+dealID.String())
		return
	}
	_, err := s.deals.Submit(c, in)
	if r, ok := workflows.AsRefusal(err); ok && r.Kind == workflows.ErrTypeKeyReused {
		s.formAlreadySubmitted(c, form, dealID)
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/deals/"+dealID.String()+"?done=Registered")
}

// formAlreadySubmitted shows the registration form again (422) when its
// idempotency key already registered a deal with other values: nothing
// changed, the earlier deal is linked, and a fresh key lets the partner
// register these values as a new deal on purpose.
func (s *Server) formAlreadySubmitted(c *gin.Context, form dealForm, earlier uuid.UUID) {
	form.Earlier, form.IdempotencyKey = earlier.String(), uuid.NewString()
	s.render(c, http.StatusUnprocessableEntity, "deal_new.html", page{Title: "Register a deal",
		Error: "This form was already submitted with other values; nothing was changed.", Data: form})
}

// formField maps an API field path to the form's field name.
func formField(apiField string) string {
	return strings.ReplaceAll(strings.SplitN(apiField, "[", 2)[0], ".", "_")
}

// parseDecimal reads "12500.5" as minor units of a currency with exp
// decimals, exactly; more decimals than the currency has are refused.
func parseDecimal(s string, exp int) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > exp || whole == "" && frac == "" {
		return 0, false
	}
	frac += strings.Repeat("0", exp-len(frac))
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	return v, err == nil && v >= 0
}

// consoleConflictCheck answers the registration form's as-you-type
// pre-check with a fragment: whether a conflict exists and why, in general
// terms, never whose.
func (s *Server) consoleConflictCheck(c *gin.Context) {
	name, dom := strings.TrimSpace(c.PostForm("customer_name")), strings.TrimSpace(c.PostForm("customer_domain"))
	c.Header("Content-Type", "text/html; charset=utf-8")
	if len(name) < 2 {
		c.String(http.StatusOK, "")
		return
	}
	registrable, _ := domain.RegistrableDomain(dom)
	country := strings.ToUpper(strings.TrimSpace(c.PostForm("customer_country")))
	matches, err := s.precheck(c, web.PrincipalOf(c), domain.Customer{Name: name, Domain: dom, Country: country}, nil)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if len(matches) == 0 {
		c.String(http.StatusOK, `<p class="ok">No conflict found for this customer.</p>`)
		return
	}
	var b strings.Builder
	b.WriteString(`<div class="warn"><p><strong>Possible conflict.</strong> Your registration will go to conflict review:</p><ul>`)
	for _, m := range matches {
		pm := publicMatch(m, registrable, country)
		b.WriteString("<li>" + html.EscapeString(strings.Join(pm.Reasons, "; ")) + "</li>")
	}
	b.WriteString("</ul></div>")
	c.String(http.StatusOK, b.String())
}

// dealPage is a deal with what the principal may do and see.
type dealPage struct {
	Deal      DealView
	Conflicts []domain.Conflict
	// Actions are the steps (dealSteps paths) this principal may take now.
	Actions map[string]bool
	Today   string
}

// dealActions lists the steps p may take on d in its status; the workflow
// checks again (a stale page gets the refusal as a message).
func dealActions(p web.Principal, d dbq.Deal) map[string]bool {
	a := map[string]bool{}
	st := domain.Status(d.Status)
	owner := p.Role.IsPartner() && p.PartnerID.Valid && p.PartnerID.UUID == d.PartnerID
	manager := p.Role == domain.RoleChannelManager || p.Role == domain.RoleAdmin
	switch {
	case owner && st == domain.StatusInfoRequested:
		a["answer-info"], a["withdraw"] = true, true
	case owner && st == domain.StatusApproved:
		a["close-won"], a["close-lost"], a["withdraw"] = true, true, true
		a["request-extension"] = !d.ExtensionRequested
	case owner && st.CanMoveTo(domain.StatusWithdrawn):
		a["withdraw"] = true
	case manager && st == domain.StatusPendingApproval:
		a["approve"], a["reject"], a["request-info"] = true, true, true
	case manager && st == domain.StatusConflictReview:
		a["resolve-conflict"] = true
	case manager && st == domain.StatusApproved && d.ExtensionRequested:
		a["decide-extension"] = true
	}
	pending := d.CorrectionPendingAmount.Valid
	if st == domain.StatusClosedWon && !pending && (owner || p.Role == domain.RoleFinance || p.Role == domain.RoleAdmin) {
		a["correct-outcome"] = true
	}
	if st == domain.StatusClosedWon && pending && (manager || p.Role == domain.RoleFinance) {
		a["decide-correction"] = true
	}
	return a
}

// consoleDeal shows a deal with its timeline; a channel manager also sees
// the registrations it conflicts with, side by side, with the explanation.
func (s *Server) consoleDeal(c *gin.Context) {
	id, err := uuid.Parse(c.Param("id"))
	p := web.PrincipalOf(c)
	if err != nil {
		s.render(c, http.StatusNotFound, "notfound.html", page{Title: "Not found"})
		return
	}
	d, err := s.q.DealGet(c, dbq.DealGetParams{ID: id, ScopePartnerID: p.Scope()})
	if db.IsNotFound(err) {
		s.render(c, http.StatusNotFound, "notfound.html", page{Title: "Not found"})
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	events, err := s.q.DealEventList(c, dbq.DealEventListParams{DealID: id, ScopePartnerID: p.Scope()})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if p.Scope().Valid {
		events = redactForPartner(events)
	}
	dp := dealPage{Deal: dealView(d, events), Actions: dealActions(p, d), Today: s.today().Format(time.DateOnly)}
	if !p.Role.IsPartner() {
		dp.Conflicts, err = conflicts.Engine{Pool: s.pool}.FindConflicts(c, conflicts.Query{DealID: d.ID,
			ExcludePartner: uuid.NullUUID{UUID: d.PartnerID, Valid: true}, ProductLines: d.ProductLines,
			Thresholds: domain.DefaultMatchThresholds,
			Customer:   domain.Customer{Name: d.CustomerName, Domain: d.CustomerDomain, Country: d.CustomerCountry}})
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
	}
	s.render(c, http.StatusOK, "deal.html", page{Title: d.CustomerName, Data: dp})
}

// consoleStep takes a step on a deal from a form on its page, through the
// same body, validation and deal client as the API's POST
// /v1/deals/{id}/{step}. The outcome, or why the workflow refused it,
// comes back as a message.
func (s *Server) consoleStep(st dealStep) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := uuid.Parse(c.Param("id"))
		p := web.PrincipalOf(c)
		if err != nil {
			s.render(c, http.StatusNotFound, "notfound.html", page{Title: "Not found"})
			return
		}
		d, err := s.q.DealGet(c, dbq.DealGetParams{ID: id, ScopePartnerID: p.Scope()})
		if err != nil {
			s.render(c, http.StatusNotFound, "notfound.html", page{Title: "Not found"})
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
		if n, ok := body.(interface{ normalize() }); ok {
			n.normalize()
		}
		if err := s.validate.Struct(body); err != nil {
			back("Not done: " + web.FieldErrorText(web.FieldErrors(err)))
			return
		}
		arg, errs := body.arg(p, s.today())
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

// formInto fills a step body from a form: amounts as decimals in the
// deal's currency (or the form's), product lines comma separated, grant
// as yes/no, everything else as text.
func formInto(c *gin.Context, body any, dealCurrency string) string {
	_ = c.Request.ParseForm()
	m := map[string]any{}
	cur := strings.ToUpper(strings.TrimSpace(c.PostForm("currency")))
	if cur == "" {
		cur = dealCurrency
	}
	exp, _ := domain.CurrencyExponent(cur)
	for k, vs := range c.Request.PostForm {
		v := strings.TrimSpace(vs[0])
		switch k {
		case "csrf":
		case "amount":
			if v == "" {
				continue
			}
			minor, ok := parseDecimal(v, exp)
			if !ok {
				return "amount must be an amount such as 12500.00"
			}
			m[k] = minor
		case "units":
			if v == "" {
				continue
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return "units must be a whole number"
			}
			m[k] = n
		case "grant", "approve":
			m[k] = v == "yes"
		case "product_lines":
			var lines []string
			for _, pl := range strings.Split(v, ",") {
				if pl = strings.TrimSpace(pl); pl != "" {
					lines = append(lines, pl)
				}
			}
			m[k] = lines
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

// consoleInbox is the channel managers' approval inbox, by SLA due time,
// escalations flagged.
func (s *Server) consoleInbox(c *gin.Context) {
	rows, err := s.q.DealInbox(c, dbq.DealInboxParams{PageSize: 200})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	views := make([]DealView, 0, len(rows))
	for _, d := range rows {
		views = append(views, dealView(d, nil))
	}
	s.render(c, http.StatusOK, "inbox.html", page{Title: "Approval inbox", Data: views})
}
