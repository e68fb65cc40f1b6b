package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// ProgramView is a partner program: the policy as stored (only what
// differs from the defaults) and the effective policy deals are screened by.
type ProgramView struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	IsDefault       bool            `json:"is_default"`
	Policy          json.RawMessage `json:"policy" validate:"jsontext"`
	EffectivePolicy domain.Policy   `json:"effective_policy"`
}

type programRequest struct {
	Name   string          `json:"name" validate:"required,max=200,printable"`
	Policy json.RawMessage `json:"policy" validate:"jsontext"`
}

func programView(p dbq.Program) (ProgramView, error) {
	eff, err := domain.ParsePolicy(p.Policy)
	return ProgramView{ID: p.ID.String(), Name: p.Name, IsDefault: p.IsDefault, Policy: p.Policy, EffectivePolicy: eff}, err
}

func (s *Server) listPrograms(c *gin.Context) {
	rows, err := s.q.ProgramList(c)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]ProgramView, 0, len(rows))
	for _, p := range rows {
		v, err := programView(p)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		out = append(out, v)
	}
	c.JSON(http.StatusOK, gin.H{"programs": out})
}

// createProgram and updateProgram store a program whose policy validates
// over the defaults; a policy error is a 422 naming what is wrong.
func (s *Server) createProgram(c *gin.Context) { s.saveProgram(c, uuid.NullUUID{}) }

func (s *Server) updateProgram(c *gin.Context) {
	id, ok := pathID(c, "program")
	if !ok {
		return
	}
	s.saveProgram(c, uuid.NullUUID{UUID: id, Valid: true})
}

func (s *Server) saveProgram(c *gin.Context, id uuid.NullUUID) {
	var req programRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	req.Name = strings.TrimSpace(req.Name)
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	if len(req.Policy) == 0 || string(req.Policy) == "null" {
		req.Policy = json.RawMessage(`{}`)
	}
	if _, err := domain.ParsePolicy(req.Policy); err != nil {
		web.ValidationProblem(c, []web.FieldError{{Field: "policy", Message: err.Error()}})
		return
	}
	var p dbq.Program
	var err error
	if id.Valid {
		p, err = s.q.ProgramUpdate(c, dbq.ProgramUpdateParams{ID: id.UUID, Name: req.Name, Policy: req.Policy})
	} else {
		p, err = s.q.ProgramCreate(c, dbq.ProgramCreateParams{Name: req.Name, Policy: req.Policy})
	}
	switch {
	case db.IsNotFound(err):
		notFound(c, "program")
		return
	case db.IsUniqueViolation(err):
		web.WriteProblem(c, web.Problem{Type: web.ProblemDuplicate, Status: http.StatusConflict, Title: "Name taken",
			Detail: "a program with this name exists"})
		return
	case err != nil:
		web.Unavailable(c, s.log, err)
		return
	}
	v, err := programView(p)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	status := http.StatusOK
	if !id.Valid {
		status = http.StatusCreated
	}
	c.JSON(status, v)
}
