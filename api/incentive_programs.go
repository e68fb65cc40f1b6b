package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/workflows/incentive"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
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

type incentiveProgramRequest struct {
	Code      string          `json:"code" validate:"required,max=63,printable"`
	Name      string          `json:"name" validate:"required,max=200,printable"`
	Kind      string          `json:"kind" validate:"required,oneof=rebate referral spiff"`
	Currency  string          `json:"currency" validate:"required,currency"`
	Period    string          `json:"period" validate:"required,oneof=month quarter"`
	GraceDays int             `json:"grace_days" validate:"gte=0,lte=27"`
	StartsOn  string          `json:"starts_on" validate:"required,datetime=2006-01-02"`
	Rules     json.RawMessage `json:"rules" validate:"required,jsontext"`
}

type programVersionRequest struct {
	Rules  json.RawMessage `json:"rules" validate:"required,jsontext"`
	Reason string          `json:"reason" validate:"required,max=2000,multiline"`
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
	var req incentiveProgramRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	req.Code, req.Name = strings.ToLower(strings.TrimSpace(req.Code)), strings.TrimSpace(req.Name)
	req.Currency = strings.ToUpper(strings.TrimSpace(req.Currency))
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	var errs []web.FieldError
	if !programCode.MatchString(req.Code) {
		errs = append(errs, web.FieldError{Field: "code", Message: "lower-case letters, digits and dashes, starting with a letter or digit"})
	}
	rules, parsed, err := domain.CanonicalIncentiveRules(domain.IncentiveKind(req.Kind), req.Rules)
	if err != nil {
		errs = append(errs, web.FieldError{Field: "rules", Message: err.Error()})
	}
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	req.Rules = rules
	startsOn, _ := time.Parse(time.DateOnly, req.StartsOn)
	actor := web.PrincipalOf(c).Actor()
	var prog dbq.IncentiveProgram
	var ver dbq.IncentiveProgramVersion
	err = db.InTx(c, s.pool, func(q *dbq.Queries) error {
		var err error
		prog, err = q.IncentiveProgramCreate(c, dbq.IncentiveProgramCreateParams{Code: req.Code, Name: req.Name, Kind: req.Kind,
			Currency: req.Currency, Period: req.Period, GraceDays: int32(req.GraceDays), StartsOn: startsOn, CreatedBy: actor.ID})
		if err != nil {
			return err
		}
		ver, err = q.IncentiveProgramVersionCreate(c, dbq.IncentiveProgramVersionCreateParams{ProgramID: prog.ID, Rules: req.Rules,
			Reason: "first version", CreatedBy: actor.ID})
		return err
	})
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
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		web.Fail(c, http.StatusNotFound, web.ProblemNotFound, "no such incentive program")
		return
	}
	var req programVersionRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	prog, err := s.q.IncentiveProgramGet(c, id)
	if db.IsNotFound(err) {
		web.Fail(c, http.StatusNotFound, web.ProblemNotFound, "no such incentive program")
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	rules, parsed, err := domain.CanonicalIncentiveRules(domain.IncentiveKind(prog.Kind), req.Rules)
	if err != nil {
		web.ValidationProblem(c, []web.FieldError{{Field: "rules", Message: err.Error()}})
		return
	}
	ver, err := s.q.IncentiveProgramVersionCreate(c, dbq.IncentiveProgramVersionCreateParams{ProgramID: id, Rules: rules,
		Reason: strings.TrimSpace(req.Reason), CreatedBy: web.PrincipalOf(c).Actor().ID})
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
