package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/workflows/incentive"
	"github.com/gin-gonic/gin"
)

// IncentiveProgramView is an incentive program with its latest rules.
type IncentiveProgramView struct {
	ID         string          `json:"id"`
	Code       string          `json:"code"`
	Name       string          `json:"name"`
	Kind       string          `json:"kind"`
	Currency   string          `json:"currency"`
	Period     string          `json:"period"`
	GraceDays  int             `json:"grace_days"`
	StartsOn   string          `json:"starts_on"`
	Version    int             `json:"version"`
	Rules      json.RawMessage `json:"rules"`
	ScheduleID string          `json:"schedule_id"`
	// Warnings name what was stored but looks wrong: product lines no
	// deal has ever been registered or won with (there is no catalogue).
	Warnings []web.FieldError `json:"warnings,omitempty"`
}

func incentiveProgramView(p dbq.IncentiveProgram, version int32, rules []byte) IncentiveProgramView {
	return IncentiveProgramView{ID: p.ID.String(), Code: p.Code, Name: p.Name, Kind: p.Kind, Currency: p.Currency, Period: p.Period,
		GraceDays: int(p.GraceDays), StartsOn: p.StartsOn.Format(time.DateOnly), Version: int(version), Rules: rules,
		ScheduleID: incentive.CycleScheduleID(p.Code)}
}

func (s *Server) listIncentivePrograms(c *gin.Context) {
	rows, err := s.q.IncentiveProgramList(c)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]IncentiveProgramView, 0, len(rows))
	for _, r := range rows {
		out = append(out, incentiveProgramView(dbq.IncentiveProgram{ID: r.ID, Code: r.Code, Name: r.Name, Kind: r.Kind,
			Currency: r.Currency, Period: r.Period, GraceDays: r.GraceDays, StartsOn: r.StartsOn}, r.Version, r.Rules))
	}
	c.JSON(http.StatusOK, gin.H{"programs": out})
}

// createIncentiveProgram stores a program and its first rules version,
// then the Temporal Schedule that starts its cycles grace days after each
// period ends.
func (s *Server) createIncentiveProgram(c *gin.Context) {
	var req steps.IncentiveProgramRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	req.Normalize()
	rules, parsed, errs := req.Check(s.validate)
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	startsOn, _ := time.Parse(time.DateOnly, req.StartsOn)
	prog, ver, err := db.CreateIncentiveProgram(c, s.pool, dbq.IncentiveProgramCreateParams{Code: req.Code, Name: req.Name, Kind: req.Kind,
		Currency: req.Currency, Period: req.Period, GraceDays: int32(req.GraceDays), StartsOn: startsOn, CreatedBy: web.PrincipalOf(c).Actor().ID}, rules)
	if db.IsUniqueViolation(err) {
		web.Fail(c, http.StatusConflict, web.ProblemDuplicate, "an incentive program with that code exists")
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if err := s.ensureCycleSchedule(c, prog); err != nil {
		s.log.Error("incentive schedule not created; `dealflow migrate` retries", "program", prog.Code, "err", err)
	}
	view := incentiveProgramView(prog, ver.Version, ver.Rules)
	if view.Warnings, err = s.productLineWarnings(c, parsed.ProductLines); err != nil {
		s.log.Error("product lines not checked against deals", "program", prog.Code, "err", err)
	}
	c.Header("Location", "/v1/incentive-programs/"+prog.ID.String())
	c.JSON(http.StatusCreated, view)
}

// productLineWarnings warns, loudly, of a program's product lines that no
// deal has ever been registered or won with: such a program (stored, since
// deals may come) pays nothing for them until deals carry them. Lines are
// compared as stored, normalised (domain.NormalizeProductLines).
func (s *Server) productLineWarnings(ctx context.Context, lines []string) ([]web.FieldError, error) {
	if len(lines) == 0 {
		return nil, nil
	}
	unseen, err := s.q.ProductLinesUnseen(ctx, lines)
	if err != nil {
		return nil, err
	}
	var out []web.FieldError
	for i, l := range lines {
		if slices.Contains(unseen, l) {
			out = append(out, web.FieldError{Field: fmt.Sprintf("rules.product_lines[%d]", i),
				Message: fmt.Sprintf("no deal has ever been registered or won with product line %q: the program pays nothing for it until deals carry it", l)})
		}
	}
	return out, nil
}

// ensureCycleSchedule creates the program's schedule unless it exists
// (the incentive client's EnsureSchedule).
func (s *Server) ensureCycleSchedule(ctx context.Context, p dbq.IncentiveProgram) error {
	return s.cycles.EnsureSchedule(ctx, incentive.Program{ID: p.ID.String(), Code: p.Code, Period: p.Period, GraceDays: int(p.GraceDays)})
}

// addProgramVersion publishes new rules for a program; cycles already
// opened keep the version they recorded.
func (s *Server) addProgramVersion(c *gin.Context) {
	id, ok := pathID(c, "incentive program")
	if !ok {
		return
	}
	var req steps.ProgramVersionRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	prog, err := s.q.IncentiveProgramGet(c, id)
	if !s.found(c, err, "incentive program") {
		return
	}
	rules, parsed, errs := req.Check(s.validate, domain.IncentiveKind(prog.Kind))
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	ver, err := s.q.IncentiveProgramVersionCreate(c, dbq.IncentiveProgramVersionCreateParams{ProgramID: id, Rules: rules,
		Reason: req.Reason, CreatedBy: web.PrincipalOf(c).Actor().ID})
	if db.IsUniqueViolation(err) {
		web.Fail(c, http.StatusConflict, web.ProblemConflict, "another version was published at the same time; retry")
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	view := incentiveProgramView(dbq.IncentiveProgram{ID: prog.ID, Code: prog.Code, Name: prog.Name, Kind: prog.Kind,
		Currency: prog.Currency, Period: prog.Period, GraceDays: prog.GraceDays, StartsOn: prog.StartsOn}, ver.Version, ver.Rules)
	if view.Warnings, err = s.productLineWarnings(c, parsed.ProductLines); err != nil {
		s.log.Error("product lines not checked against deals", "program", prog.Code, "err", err)
	}
	c.JSON(http.StatusCreated, view)
}
