package api

import (
	"errors"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"net/http"
	"strconv"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"go.temporal.io/api/serviceerror"
)

// leadRoutes are the lead distribution context's endpoints.
func (s *Server) leadRoutes() []Route {
	return append([]Route{
		{http.MethodPost, "/v1/leads", web.DeciderRoles, s.createLead},
		{http.MethodPost, "/v1/leads/import", web.DeciderRoles, s.importLeads},
		{http.MethodGet, "/v1/leads", web.AllRoles, s.listLeads},
		{http.MethodGet, "/v1/leads/:id", web.AllRoles, s.getLead},
		{http.MethodGet, "/v1/lead-scorecard", web.AllRoles, s.leadScorecard},
		{http.MethodPost, "/v1/leads/:id/accept", web.PartnerRoles, s.leadStep(lead.UpdateAccept)},
		{http.MethodPost, "/v1/leads/:id/decline", web.PartnerRoles, s.leadStep(lead.UpdateDecline)},
		{http.MethodPost, "/v1/leads/:id/contacted", web.PartnerRoles, s.leadStep(lead.UpdateContacted)},
		{http.MethodPut, "/v1/programs/:id/lead-routing", web.DeciderRoles, s.putLeadRouting},
		{http.MethodPut, "/v1/partners/:id/lead-profile", web.DeciderRoles, s.putLeadProfile},
	}, s.leadManageRoutes()...)
}

// createLead records a lead and routes it: the lead's workflow starts and,
// in the same call, makes its first offer (or queues it); 201 with the lead.
func (s *Server) createLead(c *gin.Context) {
	var req steps.CreateLeadRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	in, errs := steps.LeadInput(s.validate, &req, lead.SourceVendor)
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	if !s.programExists(c, in.ProgramID, "program_id") {
		return
	}
	id, err := uuid.NewV7()
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	in.LeadID, in.Creator = id.String(), web.PrincipalOf(c).Actor()
	if _, err := s.leads.Create(c, in); err != nil {
		s.leadRefused(c, err)
		return
	}
	s.respondLead(c, http.StatusCreated, id)
}

// programExists answers 422 naming field when id is set but names no
// program (the lead's workflow would have nothing to route by); "" is the
// default program.
func (s *Server) programExists(c *gin.Context, id, field string) bool {
	if id == "" {
		return true
	}
	pid, err := uuid.Parse(id)
	if err == nil {
		_, err = s.q.LeadProgram(c, uuid.NullUUID{UUID: pid, Valid: true})
	}
	switch {
	case err == nil:
		return true
	case db.IsNotFound(err) || pid == uuid.Nil:
		web.ValidationProblem(c, []web.FieldError{{Field: field, Message: "names no program"}})
	default:
		web.Unavailable(c, s.log, err)
	}
	return false
}

func (s *Server) leadRefused(c *gin.Context, err error) {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		notFound(c, "program")
		return
	}
	s.refused(c, err, target{noun: "lead"})
}

// leadView is a lead as the API shows it: the projection, the offers the
// caller may see (a partner its own), and for the vendor the history.
type leadView struct {
	dbq.Lead
	Offers []dbq.LeadOffer `json:"offers"`
	Events []dbq.LeadEvent `json:"events,omitempty"`
}

func (s *Server) respondLead(c *gin.Context, status int, id uuid.UUID) {
	p := web.PrincipalOf(c)
	l, err := s.q.LeadGet(c, dbq.LeadGetParams{ID: id, ScopePartnerID: p.Scope()})
	if !s.found(c, err, "lead") {
		return
	}
	v := leadView{Lead: l}
	if v.Offers, err = s.q.LeadOffers(c, dbq.LeadOffersParams{LeadID: id, ScopePartnerID: p.Scope()}); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if !p.Role.IsPartner() {
		if v.Events, err = s.q.LeadEvents(c, id); err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
	}
	c.JSON(status, v)
}

func (s *Server) getLead(c *gin.Context) {
	id, ok := pathID(c, "lead")
	if !ok {
		return
	}
	s.respondLead(c, http.StatusOK, id)
}

// listLeads lists leads newest first: the vendor's whole queue (filter by
// ?status=), a partner only the leads offered to it.
func (s *Server) listLeads(c *gin.Context) {
	status := c.Query("status")
	switch status {
	case "", lead.StatusNew, lead.StatusOffered, lead.StatusAccepted, lead.StatusWorking, lead.StatusQueued,
		lead.StatusClosed, lead.StatusConverted:
	default:
		web.ValidationProblem(c, []web.FieldError{{Field: "status", Message: "must be new, offered, accepted, working, queued, closed or converted"}})
		return
	}
	limit := int32(100)
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			web.ValidationProblem(c, []web.FieldError{{Field: "limit", Message: "must be 1 to 500"}})
			return
		}
		limit = int32(n)
	}
	rows, err := s.q.LeadList(c, dbq.LeadListParams{Status: pgtype.Text{String: status, Valid: status != ""}, ScopePartnerID: web.PrincipalOf(c).Scope(), MaxRows: limit})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"leads": rows})
}

// leadStep sends a partner's step (accept, decline, contacted) to the
// lead's workflow; a lead the partner was never offered is not found.
func (s *Server) leadStep(update string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := uuid.Parse(c.Param("id"))
		p := web.PrincipalOf(c)
		if err == nil {
			_, err = s.q.LeadGet(c, dbq.LeadGetParams{ID: id, ScopePartnerID: p.Scope()})
		}
		if err != nil {
			if db.IsNotFound(err) || id == uuid.Nil {
				notFound(c, "lead")
				return
			}
			web.Unavailable(c, s.log, err)
			return
		}
		var body leadStepBody
		if !s.decodeJSON(c, &body, update != lead.UpdateDecline) {
			return
		}
		if err := s.validate.Struct(&body); err != nil {
			web.ValidationProblem(c, web.FieldErrors(err))
			return
		}
		if _, err := s.leads.Step(c, id.String(), update, lead.Step{Actor: p.Actor(), Reason: body.Reason}); err != nil {
			s.refused(c, err, target{noun: "lead"})
			return
		}
		s.respondLead(c, http.StatusOK, id)
	}
}

// putLeadRouting replaces a program's lead policy and routing rules.
func (s *Server) putLeadRouting(c *gin.Context) {
	id, ok := pathID(c, "program")
	if !ok {
		return
	}
	var req steps.LeadRoutingRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	policy, raw, errs := req.Routing(s.validate)
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	row, err := s.q.LeadProgramSetRouting(c, dbq.LeadProgramSetRoutingParams{ID: id, LeadPolicy: policy, LeadRules: raw})
	switch {
	case db.IsNotFound(err):
		notFound(c, "program")
	case err != nil:
		web.Unavailable(c, s.log, err)
	default:
		c.JSON(http.StatusOK, gin.H{"program_id": row.ID, "policy": row.LeadPolicy, "rules": row.LeadRules})
	}
}

// putLeadProfile sets what a partner covers, its capacity and its weight:
// a partner receives leads once it has a profile.
func (s *Server) putLeadProfile(c *gin.Context) {
	id, ok := pathID(c, "partner")
	if !ok {
		return
	}
	req := steps.NewLeadProfileRequest()
	if !s.decodeJSON(c, &req, false) {
		return
	}
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	row, err := s.q.LeadProfileUpsert(c, dbq.LeadProfileUpsertParams{PartnerID: id, Countries: orEmpty(req.Countries),
		ProductLines: orEmpty(domain.NormalizeProductLines(req.ProductLines)), Tags: orEmpty(req.Tags),
		Capacity: req.Capacity, Weight: req.Weight})
	switch {
	case db.IsForeignKeyViolation(err):
		notFound(c, "partner")
	case err != nil:
		web.Unavailable(c, s.log, err)
	default:
		c.JSON(http.StatusOK, row)
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
