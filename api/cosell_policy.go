package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/steps"
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

func (s *Server) coSellPolicyRoutes() []Route {
	return []Route{
		{http.MethodGet, "/v1/programs/:id/cosell-policy", web.DeciderRoles, s.getCoSellPolicy},
		{http.MethodPut, "/v1/programs/:id/cosell-policy", web.DeciderRoles, s.setCoSellPolicy},
	}
}

// programParam reads the program in the path, or answers 404.
func (s *Server) programParam(c *gin.Context) (uuid.UUID, bool) {
	id, ok := pathID(c, "program")
	if !ok {
		return id, false
	}
	if _, err := s.q.ProgramGet(c, id); !s.found(c, err, "program") {
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
	var req steps.CoSellPolicyRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	p, errs := req.Check(s.validate)
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	row, err := db.SetCoSellPolicy(c, s.q, id, web.PrincipalOf(c).Actor(), s.now(), req.Reason, p)
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
	docs["PUT /v1/programs/:id/cosell-policy"] = routeDoc{Summary: "Set a program's co-sell policy (a new version; started engagements keep theirs)", Body: steps.CoSellPolicyRequest{}, Response: CoSellPolicyView{}}
}
