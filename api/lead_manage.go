package api

import (
	"net/http"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// leadManageRoutes are the channel managers' steps on a lead offered to
// partners or in the vendor's queue.
func (s *Server) leadManageRoutes() []Route {
	return []Route{
		{http.MethodPost, "/v1/leads/:id/reoffer", web.DeciderRoles, s.leadManage(lead.UpdateReoffer)},
		{http.MethodPost, "/v1/leads/:id/assign", web.DeciderRoles, s.leadManage(lead.UpdateAssign)},
		{http.MethodPost, "/v1/leads/:id/close", web.DeciderRoles, s.leadManage(lead.UpdateClose)},
		{http.MethodPost, "/v1/leads/:id/convert", web.DeciderRoles, s.leadManage(lead.UpdateConvert)},
	}
}

// leadManage sends a channel manager's step to the lead's workflow: the
// running one for an offered lead, a resumed run for a queued one (its
// workflow has ended). 200 with the lead; a refused step answers
// problem+json (409 for a lead in another status, 422 for bad input).
func (s *Server) leadManage(update string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := uuid.Parse(c.Param("id"))
		var l dbq.Lead
		if err == nil {
			l, err = s.q.LeadGet(c, dbq.LeadGetParams{ID: id})
		}
		if err != nil {
			if db.IsNotFound(err) || id == uuid.Nil {
				notFound(c, "lead")
				return
			}
			web.Unavailable(c, s.log, err)
			return
		}
		var body steps.LeadManageRequest
		if !s.decodeJSON(c, &body, update == lead.UpdateReoffer) {
			return
		}
		var errs []web.FieldError
		if err := s.validate.Struct(&body); err != nil {
			errs = web.FieldErrors(err)
		}
		if errs = web.MergeFieldErrors(errs, body.Required(update)); len(errs) > 0 {
			web.ValidationProblem(c, errs)
			return
		}
		if body.PartnerID != "" && !s.partnerExists(c, body.PartnerID) {
			return
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
		if _, err := s.leads.Manage(c, in, update, body.Manage(web.PrincipalOf(c).Actor())); err != nil {
			s.refused(c, err, target{noun: "lead"})
			return
		}
		s.respondLead(c, http.StatusOK, id)
	}
}

// partnerExists answers 422 on partner_id when it names no partner.
func (s *Server) partnerExists(c *gin.Context, id string) bool {
	_, err := s.q.PartnerGet(c, uuid.MustParse(id))
	switch {
	case err == nil:
		return true
	case db.IsNotFound(err):
		web.ValidationProblem(c, []web.FieldError{{Field: "partner_id", Message: "names no partner"}})
	default:
		web.Unavailable(c, s.log, err)
	}
	return false
}
