package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// CoSellPolicyView is a program's co-sell policy: version 0 is the
// built-in default (never set).
type CoSellPolicyView struct {
	ProgramID string `json:"program_id"`
	Version   int32  `json:"version"`
	domain.CoSellPolicy
	SetByName string     `json:"set_by_name,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	SetAt     *time.Time `json:"set_at,omitempty"`
}

// coSellPolicyRequest sets a program's co-sell policy; the rules that
// span fields are domain.CoSellPolicyProblems'.
type coSellPolicyRequest struct {
	RespondWithin         int      `json:"respond_within_business_days"`
	RemindAfter           int      `json:"remind_after_business_days"`
	MilestoneReminderDays int      `json:"milestone_reminder_days"`
	Holidays              []string `json:"holidays"`
	Reason                string   `json:"reason" validate:"max=2000,multiline"`
}

func (s *Server) coSellPolicyRoutes() []Route {
	return []Route{
		{http.MethodGet, "/v1/programs/:id/cosell-policy", web.DeciderRoles, s.getCoSellPolicy},
		{http.MethodPut, "/v1/programs/:id/cosell-policy", web.DeciderRoles, s.setCoSellPolicy},
	}
}

// programParam reads the program in the path, or answers 404.
func (s *Server) programParam(c *gin.Context) (uuid.UUID, bool) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		web.Fail(c, http.StatusNotFound, web.ProblemNotFound, "no such program")
		return id, false
	}
	_, err = s.q.ProgramGet(c, id)
	switch {
	case db.IsNotFound(err):
		web.Fail(c, http.StatusNotFound, web.ProblemNotFound, "no such program")
		return id, false
	case err != nil:
		web.Unavailable(c, s.log, err)
		return id, false
	}
	return id, true
}

func (s *Server) getCoSellPolicy(c *gin.Context) {
	id, ok := s.programParam(c)
	if !ok {
		return
	}
	row, err := s.q.CoSellPolicyLatest(c, id)
	if db.IsNotFound(err) {
		c.JSON(http.StatusOK, CoSellPolicyView{ProgramID: id.String(), CoSellPolicy: domain.DefaultCoSellPolicy()})
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	v, err := coSellPolicyView(row)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// setCoSellPolicy stores a new version of the program's co-sell policy.
// Engagements already started keep the policy they started with.
func (s *Server) setCoSellPolicy(c *gin.Context) {
	id, ok := s.programParam(c)
	if !ok {
		return
	}
	var req coSellPolicyRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	p := domain.CoSellPolicy{RespondWithin: req.RespondWithin, RemindAfter: req.RemindAfter,
		MilestoneReminderDays: req.MilestoneReminderDays, Holidays: req.Holidays}
	if problems := domain.CoSellPolicyProblems(p); len(problems) > 0 {
		web.ValidationProblem(c, fieldProblems(problems))
		return
	}
	p = domain.NormalizeCoSellPolicy(p)
	b, _ := json.Marshal(p)
	who := web.PrincipalOf(c).Actor()
	row, err := s.q.CoSellPolicyInsert(c, dbq.CoSellPolicyInsertParams{ProgramID: id, Policy: b, SetBy: who.ID, SetByName: who.Name,
		Reason: strings.TrimSpace(req.Reason), CreatedAt: s.now()})
	switch {
	case db.IsUniqueViolation(err):
		web.Fail(c, http.StatusConflict, web.ProblemConflict, "the policy was changed at the same time; read it and try again")
		return
	case err != nil:
		web.Unavailable(c, s.log, err)
		return
	}
	v, err := coSellPolicyView(row)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func coSellPolicyView(row dbq.CosellPolicy) (CoSellPolicyView, error) {
	v := CoSellPolicyView{ProgramID: row.ProgramID.String(), Version: row.Version, SetByName: row.SetByName, Reason: row.Reason}
	at := row.CreatedAt
	v.SetAt = &at
	err := json.Unmarshal(row.Policy, &v.CoSellPolicy)
	return v, err
}

// coSellPolicyDocs documents the co-sell policy routes for the OpenAPI document.
func coSellPolicyDocs(docs map[string]routeDoc) {
	docs["GET /v1/programs/:id/cosell-policy"] = routeDoc{Summary: "A program's co-sell policy: response SLA in business days, reminders, holidays (version 0: the default)", Response: CoSellPolicyView{}}
	docs["PUT /v1/programs/:id/cosell-policy"] = routeDoc{Summary: "Set a program's co-sell policy (a new version; started engagements keep theirs)", Body: coSellPolicyRequest{}, Response: CoSellPolicyView{}}
}
