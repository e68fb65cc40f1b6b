package console

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/deal"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// dealRoutes are the deal context's pages: lists, registration, a deal
// (its step forms are stepRoutes, from the step table) and the inbox.
func (s *Console) dealRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/deals", web.AllRoles, s.consoleDeals},
		{http.MethodGet, "/console/deals/new", web.PartnerRoles, s.consoleNewDeal},
		{http.MethodPost, "/console/deals", web.PartnerRoles, s.consoleCreateDeal},
		{http.MethodPost, "/console/conflict-check", web.PartnerRoles, s.consoleConflictCheck},
		{http.MethodGet, "/console/deals/:id", web.AllRoles, s.consoleDeal},
		{http.MethodGet, "/console/inbox", web.DeciderRoles, s.consoleInbox},
	}
}

// consoleDeals lists the deals the principal may see (a partner: its own
// organization's, scoped in SQL), newest first.
func (s *Console) consoleDeals(c *gin.Context) {
	p := web.PrincipalOf(c)
	rows, err := s.read.Deals(c, dbq.DealListParams{ScopePartnerID: p.Scope(), Statuses: []string{}, PageSize: 100})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.render(c, http.StatusOK, "deals.html", page{Title: "Deals", Data: read.DealsOf(rows)})
}

// dealForm is the registration form as typed, redisplayed with its errors.
type dealForm struct {
	Values         url.Values
	Errors         map[string]string
	IdempotencyKey string
	// Earlier is the deal this form's idempotency key registered with
	// other values: the form is shown again, with a fresh key, to say so.
	Earlier string
	// Pick holds the form's pickers (pickers.go).
	Pick dealPickers
}

func (f dealForm) Get(k string) string { return f.Values.Get(k) }

func (s *Console) consoleNewDeal(c *gin.Context) {
	s.render(c, http.StatusOK, "deal_new.html", page{Title: "Register a deal",
		Data: dealForm{Values: url.Values{"currency": {"USD"}, "kind": {"resale"}}, IdempotencyKey: uuid.NewString(), Pick: s.pickers(c, nil)}})
}

// consoleCreateDeal registers a deal from the form through the same path as
// POST /v1/deals (validation, program rules, Update-with-Start). The form's
// idempotency key makes a double submit register one deal.
func (s *Console) consoleCreateDeal(c *gin.Context) {
	_ = c.Request.ParseForm()
	form := dealForm{Values: c.Request.PostForm, Errors: map[string]string{}, IdempotencyKey: c.PostForm("idempotency_key")}
	var req steps.CreateDealRequest
	req.Kind = c.PostForm("kind")
	req.Customer.Name, req.Customer.Domain, req.Customer.Country = c.PostForm("customer_name"), c.PostForm("customer_domain"), c.PostForm("customer_country")
	req.Contact.Name, req.Contact.Email = c.PostForm("contact_name"), c.PostForm("contact_email")
	req.ProductLines = formProductLines(c)
	form.Pick = s.pickers(c, req.ProductLines)
	req.Currency, req.ExpectedCloseDate, req.Notes = c.PostForm("currency"), c.PostForm("expected_close_date"), c.PostForm("notes")
	exp, _ := domain.CurrencyExponent(strings.ToUpper(strings.TrimSpace(req.Currency)))
	if amt := strings.TrimSpace(c.PostForm("amount")); amt != "" {
		if minor, ok := steps.ParseDecimal(amt, exp); ok {
			req.Amount = minor
		} else {
			form.Errors["amount"] = "must be an amount such as 12500.00"
		}
	}
	req.Normalize()
	var errs []web.FieldError
	if err := s.validate.Struct(&req); err != nil {
		errs = web.FieldErrors(err)
	}
	reg, more := req.Registration(s.today())
	errs = web.MergeFieldErrors(errs, more)
	p := web.PrincipalOf(c)
	if len(errs) == 0 && len(form.Errors) == 0 {
		fe, err := s.read.KindRefused(c, p, reg.Kind)
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
		IdempotencyKey: "console:" + key, RequestHash: req.Hash()}
	dealID := deal.IdempotentID(in.PartnerID, in.IdempotencyKey)
	in.DealID = dealID.String()
	// The form sent again opens the deal it registered; sent again with
	// other values, it registers nothing and says so (the API's 422
	// idempotency-key-reused). A deal registered before the console kept a
	// request hash has none to compare, and opens.
	if d, err := s.read.Deal(c, dealID, p.Scope()); err == nil {
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
	if r, ok := workflows.AsRefusal(err); ok && r.Kind == workflows.ErrTypeInvalidArgument {
		s.render(c, http.StatusUnprocessableEntity, "deal_new.html", page{Title: "Register a deal",
			Error: "Not registered: " + r.Message + ".", Data: form})
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
func (s *Console) formAlreadySubmitted(c *gin.Context, form dealForm, earlier uuid.UUID) {
	form.Earlier, form.IdempotencyKey = earlier.String(), uuid.NewString()
	s.render(c, http.StatusUnprocessableEntity, "deal_new.html", page{Title: "Register a deal",
		Error: "This form was already submitted with other values; nothing was changed.", Data: form})
}

// formField maps an API field path to the form's field name.
func formField(apiField string) string {
	return strings.ReplaceAll(strings.SplitN(apiField, "[", 2)[0], ".", "_")
}

// consoleConflictCheck answers the registration form's as-you-type
// pre-check with a fragment: whether a conflict exists and why, in general
// terms, never whose.
func (s *Console) consoleConflictCheck(c *gin.Context) {
	name, dom := strings.TrimSpace(c.PostForm("customer_name")), strings.TrimSpace(c.PostForm("customer_domain"))
	c.Header("Content-Type", "text/html; charset=utf-8")
	// What is typed is validated as the API's pre-check validates it: a
	// control character is refused (422) in a fragment the page does not
	// show; the form's own validation names it.
	typed := precheckForm{Name: name, Domain: dom, Country: strings.ToUpper(strings.TrimSpace(c.PostForm("customer_country"))),
		ProductLines: c.PostForm("product_lines")}
	if err := s.validate.Struct(&typed); err != nil && name != "" {
		c.String(http.StatusUnprocessableEntity, `<p class="warn">%s</p>`, html.EscapeString(web.FieldErrorText(web.FieldErrors(err))))
		return
	}
	if len(name) < 2 {
		c.String(http.StatusOK, "")
		return
	}
	registrable, _ := domain.RegistrableDomain(dom)
	country := strings.ToUpper(strings.TrimSpace(c.PostForm("customer_country")))
	matches, err := s.read.Precheck(c, web.PrincipalOf(c), domain.Customer{Name: name, Domain: dom, Country: country}, nil)
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
		pm := read.PublicMatchOf(m, registrable, country)
		b.WriteString("<li>" + html.EscapeString(strings.Join(pm.Reasons, "; ")) + "</li>")
	}
	b.WriteString("</ul></div>")
	c.String(http.StatusOK, b.String())
}

// dealPage is a deal with what the principal may do and see.
type dealPage struct {
	Deal      read.DealView
	Conflicts []domain.Conflict
	// Steps are the forms of the steps (steps.Deal) this principal may
	// take now, in the table's order.
	Steps []stepForm
	Today string
	// CoSellTypes are offered to a partner on its approved deal: the
	// request co-selling form (cosell_forms.go).
	CoSellTypes []domain.CoSellType
}

// consoleDeal shows a deal with its timeline and the forms of the steps
// its reader may take; a channel manager also sees the registrations it
// conflicts with, side by side, with the explanation.
func (s *Console) consoleDeal(c *gin.Context) {
	id, err := uuid.Parse(c.Param("id"))
	p := web.PrincipalOf(c)
	if err != nil {
		s.notFound(c)
		return
	}
	d, view, err := s.read.DealWithTimeline(c, id, p.Scope())
	if db.IsNotFound(err) {
		s.notFound(c)
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	dp := dealPage{Deal: view, Today: s.today().Format(time.DateOnly)}
	dp.Steps = offeredSteps(p, d, view, dp.Today)
	if p.Role.IsPartner() && d.Status == string(domain.StatusApproved) {
		dp.CoSellTypes = domain.CoSellTypes
	}
	if !p.Role.IsPartner() {
		if dp.Conflicts, err = s.read.Conflicts(c, d, domain.DefaultMatchThresholds); err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
	}
	s.render(c, http.StatusOK, "deal.html", page{Title: d.CustomerName, Data: dp})
}

// consoleInbox is the channel managers' approval inbox, by SLA due time,
// escalations flagged.
func (s *Console) consoleInbox(c *gin.Context) {
	rows, err := s.read.Inbox(c, dbq.DealInboxParams{PageSize: 200})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.render(c, http.StatusOK, "inbox.html", page{Title: "Approval inbox", Data: read.DealsOf(rows)})
}

// precheckForm is what the registration form's pre-check sends, with the
// API pre-check's rules (api conflictCheckRequest).
type precheckForm struct {
	Name         string `validate:"max=200,printable"`
	Domain       string `validate:"max=253,printable"`
	Country      string `validate:"omitempty,iso3166_1_alpha2"`
	ProductLines string `validate:"max=2100,printable"`
}
