package api

import (
	"github.com/dealflow/dealflow/internal/web"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/incentive"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

var programCode = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// CycleView is an incentive cycle as stored, with its review history and,
// while its workflow runs, the workflow's own view (held partners,
// adjusters, stage).
type CycleView struct {
	ID             string `json:"id"`
	ProgramID      string `json:"program_id"`
	ProgramCode    string `json:"program_code"`
	ProgramName    string `json:"program_name"`
	Kind           string `json:"kind"`
	Currency       string `json:"currency"`
	ProgramVersion int    `json:"program_version"`
	PeriodStart    string `json:"period_start"`
	PeriodEnd      string `json:"period_end"` // last day included
	Status         string `json:"status"`
	Inputs         int    `json:"inputs"`
	ExcludedInputs int    `json:"excluded_inputs"`
	// Excluded counts the deals the cycle froze but does not pay, by
	// reason; ExcludedDeals lists the first 100 of them (every one:
	// GET /v1/cycles/{id}/excluded-deals). In one cycle's view only.
	Excluded               []ExcludedSummary     `json:"excluded,omitempty"`
	ExcludedDeals          []ExcludedDealView    `json:"excluded_deals,omitempty"`
	ExcludedDealsTruncated bool                  `json:"excluded_deals_truncated,omitempty"`
	Lines                  int                   `json:"lines"`
	Partners               int                   `json:"partners"`
	Total                  int64                 `json:"total"`
	ApprovedBy             string                `json:"approved_by,omitempty"`
	ApprovedAt             *time.Time            `json:"approved_at,omitempty"`
	PaidAt                 *time.Time            `json:"paid_at,omitempty"`
	Events                 []CycleEventView      `json:"events,omitempty"`
	Workflow               *incentive.CycleState `json:"workflow,omitempty"`
	// Approvals are finance's approvals given and required (one cycle's
	// view, not the list's).
	Approvals *CycleApprovalsView `json:"approvals,omitempty"`
}

// CycleEventView is one decision of a cycle's review.
type CycleEventView struct {
	Seq       int          `json:"seq"`
	Type      string       `json:"type"`
	PartnerID string       `json:"partner_id,omitempty"`
	LineID    string       `json:"line_id,omitempty"`
	Amount    *int64       `json:"amount,omitempty"`
	Actor     domain.Actor `json:"actor"`
	Reason    string       `json:"reason"`
	At        time.Time    `json:"at"`
}

func cycleEventViews(rows []dbq.CycleEvent) []CycleEventView {
	out := make([]CycleEventView, 0, len(rows))
	for _, e := range rows {
		v := CycleEventView{Seq: int(e.Seq), Type: e.Type, Actor: domain.Actor{ID: e.ActorID, Name: e.ActorName, Role: domain.Role(e.ActorRole),
			PersonID: personIDOf(e.ActorPersonID)}, Reason: e.Reason, At: e.OccurredAt}
		if e.PartnerID.Valid {
			v.PartnerID = e.PartnerID.UUID.String()
		}
		if e.LineID.Valid {
			v.LineID = e.LineID.UUID.String()
		}
		if e.Amount.Valid {
			a := e.Amount.Int64
			v.Amount = &a
		}
		out = append(out, v)
	}
	return out
}

func cycleView(c dbq.CycleGetRow) CycleView {
	v := CycleView{ID: c.ID.String(), ProgramID: c.ProgramID.String(), ProgramCode: c.ProgramCode, ProgramName: c.ProgramName,
		Kind: c.Kind, Currency: c.Currency, ProgramVersion: int(c.ProgramVersion), PeriodStart: c.PeriodStart.Format(time.DateOnly),
		PeriodEnd: c.PeriodEnd.AddDate(0, 0, -1).Format(time.DateOnly), Status: c.Status, Inputs: int(c.Inputs),
		ExcludedInputs: int(c.ExcludedInputs), Lines: int(c.Lines), Partners: int(c.Partners), Total: c.Total}
	if c.ApprovedBy.Valid {
		v.ApprovedBy = c.ApprovedBy.String
	}
	if c.ApprovedAt.Valid {
		v.ApprovedAt = &c.ApprovedAt.Time
	}
	if c.PaidAt.Valid {
		v.PaidAt = &c.PaidAt.Time
	}
	return v
}

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

func (s *Server) listCycles(c *gin.Context) {
	rows, err := s.q.CycleList(c, 200)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]CycleView, 0, len(rows))
	for _, r := range rows {
		out = append(out, cycleListView(r))
	}
	c.JSON(http.StatusOK, gin.H{"cycles": out})
}

// loadCycle reads the cycle the :id parameter names; when there is none it
// calls notFound (a problem for the API, a page for the console).
func (s *Server) loadCycle(c *gin.Context, notFound func()) (dbq.CycleGetRow, bool) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		notFound()
		return dbq.CycleGetRow{}, false
	}
	row, err := s.q.CycleGet(c, id)
	if db.IsNotFound(err) {
		notFound()
		return row, false
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return row, false
	}
	return row, true
}

func cycleNotFound(c *gin.Context) func() {
	return func() { web.Fail(c, http.StatusNotFound, web.ProblemNotFound, "no such cycle") }
}

// cycleListView is cycleView for a row of the cycle list.
func cycleListView(r dbq.CycleListRow) CycleView {
	return cycleView(dbq.CycleGetRow{ID: r.ID, ProgramID: r.ProgramID, ProgramVersion: r.ProgramVersion,
		PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd, Status: r.Status, Inputs: r.Inputs, ExcludedInputs: r.ExcludedInputs,
		Lines: r.Lines, Partners: r.Partners, Total: r.Total, ApprovedAt: r.ApprovedAt, ApprovedBy: r.ApprovedBy, PaidAt: r.PaidAt,
		ProgramCode: r.ProgramCode, ProgramName: r.ProgramName, Kind: r.Kind, Currency: r.Currency})
}

func cycleIDParam(c *gin.Context) (uuid.UUID, bool) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		web.Fail(c, http.StatusNotFound, web.ProblemNotFound, "no such cycle")
		return uuid.Nil, false
	}
	return id, true
}

func (s *Server) getCycle(c *gin.Context) {
	row, ok := s.loadCycle(c, cycleNotFound(c))
	if !ok {
		return
	}
	events, err := s.q.CycleEvents(c, row.ID)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	v := cycleView(row)
	v.Events = cycleEventViews(events)
	if err := s.withExcluded(c, &v); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	v.Workflow = s.cycleState(c, row.WorkflowID)
	v.Approvals = cycleApprovals(v)
	c.JSON(http.StatusOK, v)
}

// CycleLineView is a statement line with its amount after adjustments.
type CycleLineView struct {
	ID             string `json:"id"`
	PartnerID      string `json:"partner_id"`
	PartnerName    string `json:"partner_name,omitempty"`
	LineNo         int    `json:"line_no"`
	Kind           string `json:"kind"`
	DealID         string `json:"deal_id,omitempty"`
	Basis          int64  `json:"basis"`
	Deals          int    `json:"deals"`
	RateBP         *int64 `json:"rate_bp,omitempty"`
	Tier           *int   `json:"tier,omitempty"`
	Computed       int64  `json:"computed_amount"`
	Amount         int64  `json:"amount"`
	Currency       string `json:"currency"`
	Detail         string `json:"detail"`
	ReversesLineID string `json:"reverses_line_id,omitempty"`
}

func cycleLineView(l dbq.CycleLinesRow) CycleLineView {
	v := CycleLineView{ID: l.ID.String(), PartnerID: l.PartnerID.String(), PartnerName: l.PartnerName, LineNo: int(l.LineNo), Kind: l.Kind, Basis: l.Basis,
		Deals: int(l.Deals), Computed: l.Amount, Amount: l.EffectiveAmount, Currency: l.Currency, Detail: l.Detail}
	if l.DealID.Valid {
		v.DealID = l.DealID.UUID.String()
	}
	if l.RateBp.Valid {
		r := l.RateBp.Int64
		v.RateBP = &r
	}
	if l.Tier.Valid {
		t := int(l.Tier.Int32) + 1
		v.Tier = &t
	}
	if l.ReversesLineID.Valid {
		v.ReversesLineID = l.ReversesLineID.UUID.String()
	}
	return v
}

// cycleLines pages through a cycle's lines (after=<partner>/<line_no>).
func (s *Server) cycleLines(c *gin.Context) {
	id, ok := cycleIDParam(c)
	if !ok {
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
	rows, err := s.q.CycleLines(c, p)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]CycleLineView, 0, len(rows))
	for _, r := range rows {
		out = append(out, cycleLineView(r))
	}
	resp := gin.H{"lines": out}
	if len(rows) == int(p.MaxRows) {
		last := rows[len(rows)-1]
		resp["next"] = last.PartnerID.String() + "/" + itoa(int(last.LineNo))
	}
	c.JSON(http.StatusOK, resp)
}

type adjustBody struct {
	Amount *int64 `json:"amount" validate:"required"`
	Reason string `json:"reason" validate:"required,max=2000,multiline"`
}

func (b *adjustBody) arg(c *gin.Context, p web.Principal) any {
	return incentive.LineAdjustment{Actor: p.Actor(), LineID: c.Param("line"), Amount: *b.Amount, Reason: strings.TrimSpace(b.Reason)}
}

type holdBody struct {
	Reason string `json:"reason" validate:"required,max=2000,multiline"`
}

func (b *holdBody) arg(c *gin.Context, p web.Principal) any {
	return incentive.PartnerHold{Actor: p.Actor(), PartnerID: c.Param("partner"), Reason: strings.TrimSpace(b.Reason)}
}

type approveCycleBody struct {
	Reason string `json:"reason" validate:"max=2000,multiline"`
}

func (b *approveCycleBody) arg(_ *gin.Context, p web.Principal) any {
	return incentive.CycleApproval{Actor: p.Actor(), Reason: strings.TrimSpace(b.Reason)}
}

// cycleStepBody is the body of one of finance's review steps: validated by
// its tags, then turned into the workflow update's argument (the path
// names the line or partner).
type cycleStepBody interface {
	arg(c *gin.Context, p web.Principal) any
}

// cycleStep is one of finance's review steps on a cycle: its path under
// the cycle, the Update it sends and its body. The API and the console
// both serve every step from this one table, with the same validation.
type cycleStep struct {
	Path, Update string
	NewBody      func() cycleStepBody
}

func cycleSteps() []cycleStep {
	return []cycleStep{
		{"/lines/:line/adjust", incentive.UpdateCycleAdjust, func() cycleStepBody { return &adjustBody{} }},
		{"/partners/:partner/hold", incentive.UpdateCycleHold, func() cycleStepBody { return &holdBody{} }},
		{"/partners/:partner/release", incentive.UpdateCycleRelease, func() cycleStepBody { return &holdBody{} }},
		{"/approve", incentive.UpdateCycleApprove, func() cycleStepBody { return &approveCycleBody{} }},
	}
}

// cycleUpdate sends one review step through the cycle client; a refusal
// is answered by the one mapping (refused).
func (s *Server) cycleUpdate(st cycleStep) gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, ok := cycleIDParam(c); !ok {
			return
		}
		body := st.NewBody()
		if !s.decodeJSON(c, body, st.Update == incentive.UpdateCycleApprove) {
			return
		}
		if err := s.validate.Struct(body); err != nil {
			web.ValidationProblem(c, web.FieldErrors(err))
			return
		}
		row, ok := s.loadCycle(c, cycleNotFound(c))
		if !ok {
			return
		}
		state, err := s.cycles.Step(c, row.WorkflowID, st.Update, body.arg(c, web.PrincipalOf(c)))
		if err != nil {
			s.refused(c, err, target{noun: "cycle"})
			return
		}
		c.JSON(http.StatusOK, state)
	}
}

func (s *Server) cycleRoutes() []Route {
	var out []Route
	for _, st := range cycleSteps() {
		out = append(out, Route{http.MethodPost, "/v1/cycles/:id" + st.Path, web.FinanceRoles, s.cycleUpdate(st)})
	}
	return out
}
