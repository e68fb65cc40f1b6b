package api

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/incentive"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

var programCode = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

type startCycleRequest struct {
	ProgramID string `json:"program_id" validate:"required,uuid"`
	// PeriodStart is any day of the period (YYYY-MM-DD); empty: the last
	// period that has ended.
	PeriodStart string `json:"period_start" validate:"omitempty,datetime=2006-01-02"`
}

// startCycle starts a program's cycle for a period now, rather than when
// its schedule fires. A period's cycle exists once: starting it again
// answers 409 with the cycle's address.
func (s *Server) startCycle(c *gin.Context) {
	var req startCycleRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	prog, err := s.q.IncentiveProgramGet(c, uuid.MustParse(req.ProgramID))
	if db.IsNotFound(err) {
		web.ValidationProblem(c, []web.FieldError{{Field: "program_id", Message: "no such incentive program"}})
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	var period domain.Period
	if req.PeriodStart == "" {
		period, err = domain.PeriodDueAt(prog.Period, s.now(), 0)
	} else {
		day, _ := time.Parse(time.DateOnly, req.PeriodStart)
		period, err = domain.PeriodContaining(prog.Period, day)
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if why := domain.CyclePeriodProblem(period, prog.StartsOn, s.now()); why != "" {
		web.ValidationProblem(c, []web.FieldError{{Field: "period_start", Message: why}})
		return
	}
	start := period.Start.Format(time.DateOnly)
	id := incentive.CycleID(prog.ID.String(), start)
	c.Header("Location", "/v1/cycles/"+id)
	_, err = s.cycles.Start(c, incentive.CycleInput{ProgramID: prog.ID.String(), PeriodStart: start,
		PeriodEnd: period.End.Format(time.DateOnly), StartedBy: web.PrincipalOf(c).Actor()})
	if r, ok := workflows.AsRefusal(err); ok && r.Kind == workflows.ErrTypeAlreadyExists {
		web.WriteProblem(c, web.Problem{Type: web.ProblemDuplicate, Status: http.StatusConflict, Title: "The cycle exists",
			Detail: "the cycle for " + period.String() + " was started already: /v1/cycles/" + id})
		return
	}
	if err != nil {
		s.refused(c, err, target{noun: "cycle"})
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"id": id, "program_id": prog.ID.String(), "period_start": start,
		"period_end": period.End.AddDate(0, 0, -1).Format(time.DateOnly), "status": "starting"})
}

// listCycles lists the latest cycles.
func (s *Server) listCycles(c *gin.Context) {
	out, err := s.read.Cycles(c, 200)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"cycles": out})
}

// loadCycle reads the cycle the :id parameter names, answering 404
// (problem+json) or 503 itself when it cannot.
func (s *Server) loadCycle(c *gin.Context) (dbq.CycleGetRow, bool) {
	id, ok := pathID(c, "cycle")
	if !ok {
		return dbq.CycleGetRow{}, false
	}
	row, err := s.read.Cycle(c, id)
	if !s.found(c, err, "cycle") {
		return row, false
	}
	return row, true
}

func (s *Server) getCycle(c *gin.Context) {
	row, ok := s.loadCycle(c)
	if !ok {
		return
	}
	v, err := s.read.CycleDetail(c, row)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// cycleLines pages through a cycle's lines (after=<partner>/<line_no>);
// an unknown cycle answers 404, like its other sub-resources.
func (s *Server) cycleLines(c *gin.Context) {
	id, ok := pathID(c, "cycle")
	if !ok {
		return
	}
	if _, ok := s.loadCycle(c); !ok {
		return
	}
	p := dbq.CycleLinesParams{CycleID: id, MaxRows: 500}
	if f := c.Query("partner_id"); f != "" {
		pid, err := uuid.Parse(f)
		if err != nil {
			web.ValidationProblem(c, []web.FieldError{{Field: "partner_id", Message: "must be a UUID"}})
			return
		}
		p.ScopePartnerID = uuid.NullUUID{UUID: pid, Valid: true}
	}
	if after := c.Query("after"); after != "" {
		part, no, _ := strings.Cut(after, "/")
		pid, err1 := uuid.Parse(part)
		n, err2 := parseInt32(no)
		if err1 != nil || err2 != nil {
			web.ValidationProblem(c, []web.FieldError{{Field: "after", Message: "must be <partner_id>/<line_no> from the previous page"}})
			return
		}
		p.AfterPartner, p.AfterLine = pid, n
	}
	rows, err := s.read.CycleLines(c, p)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]read.CycleLineView, 0, len(rows))
	for _, r := range rows {
		out = append(out, read.CycleLineOf(r))
	}
	resp := gin.H{"lines": out}
	if len(rows) == int(p.MaxRows) {
		last := rows[len(rows)-1]
		resp["next"] = last.PartnerID.String() + "/" + itoa(int(last.LineNo))
	}
	c.JSON(http.StatusOK, resp)
}

// cycleUpdate sends one review step through the cycle client; a refusal
// is answered by the one mapping (refused).
func (s *Server) cycleUpdate(st steps.CycleStep) gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, ok := pathID(c, "cycle"); !ok {
			return
		}
		body := st.NewBody()
		if !s.decodeJSON(c, body, st.Optional) {
			return
		}
		if err := s.validate.Struct(body); err != nil {
			web.ValidationProblem(c, web.FieldErrors(err))
			return
		}
		row, ok := s.loadCycle(c)
		if !ok {
			return
		}
		if missing, err := s.read.CycleStepTarget(c, row.ID, c.Param("line"), c.Param("partner")); err != nil || missing != "" {
			if err != nil {
				web.Unavailable(c, s.log, err)
			} else {
				web.Fail(c, http.StatusNotFound, web.ProblemNotFound, missing)
			}
			return
		}
		state, err := s.cycles.Step(c, row.WorkflowID, st.Update, body.Arg(web.PrincipalOf(c).Actor(), c.Param))
		if err != nil {
			s.refused(c, err, target{noun: "cycle"})
			return
		}
		c.JSON(http.StatusOK, state)
	}
}

func (s *Server) cycleRoutes() []Route {
	var out []Route
	for _, st := range steps.Cycle() {
		out = append(out, Route{http.MethodPost, "/v1/cycles/:id" + st.Path, st.Roles, s.cycleUpdate(st)})
	}
	return out
}
