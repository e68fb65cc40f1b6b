package api

import (
	"net/http"
	"net/url"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// consoleLeadRoutes are the lead pages: a partner's "My leads" (accept or
// decline with a reason, deadlines counting down, first contact) and the
// vendor's lead queue.
func (s *Server) consoleLeadRoutes() []ConsoleRoute {
	return []ConsoleRoute{
		{http.MethodGet, "/console/leads", allRoles, s.consoleLeads},
		{http.MethodPost, "/console/leads/:id/accept", partnerRoles, s.consoleLeadStep(lead.UpdateAccept)},
		{http.MethodPost, "/console/leads/:id/decline", partnerRoles, s.consoleLeadStep(lead.UpdateDecline)},
		{http.MethodPost, "/console/leads/:id/contacted", partnerRoles, s.consoleLeadStep(lead.UpdateContacted)},
	}
}

// consoleLeads lists leads through the API's scoped query: a partner the
// leads offered to it (or its referrals), the vendor every lead.
func (s *Server) consoleLeads(c *gin.Context) {
	p := principal(c)
	rows, err := s.q.LeadList(c, dbq.LeadListParams{ScopePartnerID: p.Scope(), MaxRows: 200})
	if err != nil {
		s.unavailable(c, err)
		return
	}
	title := "Lead queue"
	if p.Role.IsPartner() {
		title = "My leads"
	}
	s.render(c, http.StatusOK, "leads.html", page{Title: title, Data: rows})
}

// consoleLeadStep sends a partner's step from a form through the same
// typed client as the API and returns to the list with what happened.
func (s *Server) consoleLeadStep(update string) gin.HandlerFunc {
	return func(c *gin.Context) {
		back := func(msg string) { c.Redirect(http.StatusSeeOther, "/console/leads?done="+url.QueryEscape(msg)) }
		p := principal(c)
		id, err := uuid.Parse(c.Param("id"))
		if err == nil {
			_, err = s.q.LeadGet(c, dbq.LeadGetParams{ID: id, ScopePartnerID: p.Scope()})
		}
		if err != nil {
			s.render(c, http.StatusNotFound, "notfound.html", page{Title: "Not found"})
			return
		}
		body := leadStepBody{Reason: c.PostForm("reason")}
		if err := s.validate.Struct(&body); err != nil {
			back("Not done: " + fieldErrorText(fieldErrors(err)))
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
