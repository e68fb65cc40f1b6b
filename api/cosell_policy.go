package api

import (
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
	p, row, err := db.CoSellPolicyVersion(c, s.q, id)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, coSellPolicyView(id, p, row))
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
	c.JSON(http.StatusOK, coSellPolicyView(id, p, row))
}

// coSellPolicyView is program id's policy p as stored in row (a zero row,
// version 0: the built-in default, set by nobody).
func coSellPolicyView(id uuid.UUID, p domain.CoSellPolicy, row dbq.CosellPolicy) CoSellPolicyView {
	v := CoSellPolicyView{ProgramID: id.String(), Version: row.Version, CoSellPolicy: p, SetByName: row.SetByName, Reason: row.Reason}
	if row.Version > 0 {
		at := row.CreatedAt
		v.SetAt = &at
	}
	return v
}

// coSellPolicyDocs documents the co-sell policy routes for the OpenAPI document.
func coSellPolicyDocs(docs map[string]routeDoc) {
	docs["GET /v1/programs/:id/cosell-policy"] = routeDoc{Summary: "A program's co-sell policy: response SLA in business days, reminders, holidays (version 0: the default)", Response: CoSellPolicyView{}}
	docs["PUT /v1/programs/:id/cosell-policy"] = routeDoc{Summary: "Set a program's co-sell policy (a new version; started engagements keep theirs)", Body: steps.CoSellPolicyRequest{}, Response: CoSellPolicyView{}}
}
