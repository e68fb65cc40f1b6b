package console

import (
	"encoding/json"
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

// leadManageRoutes are the channel managers' steps on a lead from the
// console's lead queue and lead page: the same steps, request, validation,
// typed client and roles as POST /v1/leads/{id}/reoffer|assign|close|convert.
func (s *Console) leadManageRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/leads/:id", web.AllRoles, s.leadPage},
		{http.MethodPost, "/console/leads/:id/reoffer", web.DeciderRoles, s.leadManage(lead.UpdateReoffer)},
		{http.MethodPost, "/console/leads/:id/assign", web.DeciderRoles, s.leadManage(lead.UpdateAssign)},
		{http.MethodPost, "/console/leads/:id/close", web.DeciderRoles, s.leadManage(lead.UpdateClose)},
		{http.MethodPost, "/console/leads/:id/convert", web.DeciderRoles, s.leadManage(lead.UpdateConvert)},
	}
}

// leadForms is what the managers' forms on one lead need: the lead's id,
// whether it is queued (converted only then) and has a referring partner,
// the pickers' choices and the CSRF token.
type leadForms struct {
	ID           uuid.UUID
	Queued       bool
	Referred     bool
	CSRF         string
	Partners     []dbq.PartnersByNameRow
	Currencies   []string
	CloseReasons []string
}

// leadItem is one lead of the queue with its forms (nil: none shown).
type leadItem struct {
	dbq.Lead
	Forms *leadForms
}

// formsFor returns the managers' forms on lead l for a channel manager or
// admin (nil for anyone else, or when the lead takes no manager's step).
func (s *Console) formsFor(c *gin.Context, l dbq.Lead, partners []dbq.PartnersByNameRow) *leadForms {
	p := web.PrincipalOf(c)
	if p.Role != domain.RoleChannelManager && p.Role != domain.RoleAdmin {
		return nil
	}
	if l.Status != lead.StatusOffered && l.Status != lead.StatusQueued {
		return nil
	}
	csrf, _ := c.Get(ctxConsoleCSRF)
	token, _ := csrf.(string)
	return &leadForms{ID: l.ID, Queued: l.Status == lead.StatusQueued, Referred: l.AttributedPartnerID.Valid,
		CSRF: token, Partners: partners, Currencies: currencyCodes, CloseReasons: lead.CloseReasons()}
}

// leadPageData is the lead page: the lead, its attribution's partner, the
// conflicts screening found, its offers and (for the vendor) its events.
type leadPageData struct {
	Lead      dbq.Lead
	Forms     *leadForms
	Names     map[uuid.UUID]string
	Conflicts []domain.Conflict
	Offers    []dbq.LeadOffer
	Events    []dbq.LeadEvent
}

// PartnerName names partner id (its id when it has no name on record).
func (d leadPageData) PartnerName(id uuid.UUID) string {
	if n, ok := d.Names[id]; ok {
		return n
	}
	return id.String()
}

// leadPage shows one lead through the same scoped queries as GET
// /v1/leads/{id}: a partner reaches only a lead offered to it or its
// referral (else 404) and sees its own offers alone; the vendor sees every
// offer, the conflicts, the events and the managers' forms.
func (s *Console) leadPage(c *gin.Context) {
	p := web.PrincipalOf(c)
	id, err := uuid.Parse(c.Param("id"))
	var l dbq.Lead
	if err == nil {
		l, err = s.q.LeadGet(c, dbq.LeadGetParams{ID: id, ScopePartnerID: p.Scope()})
	}
	if err != nil {
		if id == uuid.Nil || db.IsNotFound(err) {
			s.render(c, http.StatusNotFound, "notfound.html", page{Title: "Not found"})
			return
		}
		web.Unavailable(c, s.log, err)
		return
	}
	d := leadPageData{Lead: l, Names: map[uuid.UUID]string{}}
	if d.Offers, err = s.q.LeadOffers(c, dbq.LeadOffersParams{LeadID: id, ScopePartnerID: p.Scope()}); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if !p.Role.IsPartner() {
		if d.Events, err = s.q.LeadEvents(c, id); err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		partners, err := s.q.PartnersByName(c)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		for _, pt := range partners {
			d.Names[pt.ID] = pt.Name
		}
		if len(l.Conflicts) > 0 {
			_ = json.Unmarshal(l.Conflicts, &d.Conflicts) // shown when readable; the list is advisory
		}
		d.Forms = s.formsFor(c, l, partners)
	}
	s.render(c, http.StatusOK, "lead.html", page{Title: "Lead: " + l.CompanyName, Data: d})
}

// leadManageForm reads a manager's step form into the API's request: the
// amount typed as a decimal in the picked currency's minor units.
func leadManageForm(c *gin.Context) (steps.LeadManageRequest, []web.FieldError) {
	_ = c.Request.ParseForm()
	f := c.Request.PostForm
	req := steps.LeadManageRequest{Reason: strings.TrimSpace(f.Get("reason")), PartnerID: strings.TrimSpace(f.Get("partner_id")),
		CloseReason: f.Get("close_reason"), Kind: domain.Kind(f.Get("kind")),
		ExpectedCloseDate: strings.TrimSpace(f.Get("expected_close_date")), Currency: strings.ToUpper(strings.TrimSpace(f.Get("currency")))}
	var errs []web.FieldError
	if _, err := uuid.Parse(req.PartnerID); req.PartnerID != "" && err != nil {
		errs = append(errs, web.FieldError{Field: "partner_id", Message: "must be one of the partners listed"})
	}
	if amt := strings.TrimSpace(f.Get("amount")); amt != "" {
		exp, _ := domain.CurrencyExponent(req.Currency)
		if minor, ok := steps.ParseDecimal(amt, exp); ok {
			req.Amount = &minor
		} else {
			errs = append(errs, web.FieldError{Field: "amount", Message: "must be an amount such as 12500.00"})
		}
	}
	return req, errs
}

// leadManage sends a channel manager's step from a form through the same
// request, validation and typed client as the API and returns to the
// lead's page with what happened ("Not done: ..." when refused).
func (s *Console) leadManage(update string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := uuid.Parse(c.Param("id"))
		var l dbq.Lead
		if err == nil {
			l, err = s.q.LeadGet(c, dbq.LeadGetParams{ID: id})
		}
		if err != nil {
			if id == uuid.Nil || db.IsNotFound(err) {
				s.render(c, http.StatusNotFound, "notfound.html", page{Title: "Not found"})
				return
			}
			web.Unavailable(c, s.log, err)
			return
		}
		back := func(msg string) {
			c.Redirect(http.StatusSeeOther, "/console/leads/"+id.String()+"?done="+url.QueryEscape(msg))
		}
		req, errs := leadManageForm(c)
		if err := s.validate.Struct(&req); err != nil {
			errs = web.MergeFieldErrors(errs, web.FieldErrors(err))
		}
		if errs = web.MergeFieldErrors(errs, req.Required(update)); len(errs) > 0 {
			back("Not done: " + web.FieldErrorText(errs))
			return
		}
		if req.PartnerID != "" {
			if _, err := s.q.PartnerGet(c, uuid.MustParse(req.PartnerID)); err != nil {
				if !db.IsNotFound(err) {
					web.Unavailable(c, s.log, err)
					return
				}
				back("Not done: partner_id names no partner")
				return
			}
		}
		var tried []uuid.UUID
		if l.Status == lead.StatusQueued {
			tried, err = s.q.LeadTried(c, l.ID)
		}
		var in lead.Input
		if err == nil {
			in, err = steps.LeadManageInput(l, tried)
		}
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		if _, err := s.leads.Manage(c, in, update, req.Manage(web.PrincipalOf(c).Actor())); err != nil {
			if r, ok := workflows.AsRefusal(err); ok {
				back("Not done: " + r.Message)
				return
			}
			back("Not done: the lead could not be reached; try again")
			return
		}
		back("Done: " + update)
	}
}
