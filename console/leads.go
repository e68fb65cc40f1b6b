package console

import (
	"net/http"
	"net/url"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// leadRoutes are the lead pages: a partner's "My leads" (accept or decline
// with a reason, deadlines counting down, first contact) and the vendor's
// lead queue.
func (s *Console) leadRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/leads", web.AllRoles, s.leadList},
		{http.MethodPost, "/console/leads/:id/accept", web.PartnerRoles, s.leadStep(lead.UpdateAccept)},
		{http.MethodPost, "/console/leads/:id/decline", web.PartnerRoles, s.leadStep(lead.UpdateDecline)},
		{http.MethodPost, "/console/leads/:id/contacted", web.PartnerRoles, s.leadStep(lead.UpdateContacted)},
	}
}

// leadList lists leads through the same scoped query as the API: a partner
// the leads offered to it (or its referrals), the vendor every lead, with
// the managers' forms on each lead offered or queued for a channel manager
// or admin.
func (s *Console) leadList(c *gin.Context) {
	p := web.PrincipalOf(c)
	rows, err := s.q.LeadList(c, dbq.LeadListParams{ScopePartnerID: p.Scope(), MaxRows: 200})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	title := "Lead queue"
	if p.Role.IsPartner() {
		title = "My leads"
	}
	var partners []dbq.PartnersByNameRow
	if p.Role == domain.RoleChannelManager || p.Role == domain.RoleAdmin {
		if partners, err = s.q.PartnersByName(c); err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
	}
	items := make([]leadItem, len(rows))
	for i, l := range rows {
		items[i] = leadItem{Lead: l, Forms: s.formsFor(c, l, partners)}
	}
	s.render(c, http.StatusOK, "leads.html", page{Title: title, Data: items})
}

// leadStepForm is a lead step's form: its reason follows the text rule.
type leadStepForm struct {
	Reason string `validate:"max=2000,multiline"`
}

// leadStep sends a partner's step from a form through the same typed
// client as the API and returns to the list with what happened.
func (s *Console) leadStep(update string) gin.HandlerFunc {
	return func(c *gin.Context) {
		back := func(msg string) { c.Redirect(http.StatusSeeOther, "/console/leads?done="+url.QueryEscape(msg)) }
		p := web.PrincipalOf(c)
		id, err := uuid.Parse(c.Param("id"))
		if err == nil {
			_, err = s.q.LeadGet(c, dbq.LeadGetParams{ID: id, ScopePartnerID: p.Scope()})
		}
		if err != nil {
			s.render(c, http.StatusNotFound, "notfound.html", page{Title: "Not found"})
			return
		}
		body := leadStepForm{Reason: c.PostForm("reason")}
		if err := s.validate.Struct(&body); err != nil {
			back("Not done: " + web.FieldErrorText(web.FieldErrors(err)))
			return
		}
		if _, err := s.leads.Step(c, id.String(), update, lead.Step{Actor: p.Actor(), Reason: body.Reason}); err != nil {
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
