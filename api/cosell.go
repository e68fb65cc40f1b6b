package api

import (
	"encoding/json"
	"github.com/dealflow/dealflow/internal/web"
	"net/http"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/cosell"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

var (
	// sellerRoles answer co-sell requests: the vendor's sellers.
	sellerRoles = []domain.Role{domain.RoleSalesRep}
	// coSellRoles read and work engagements: the partner (its own), the
	// seller (those assigned to them), channel managers and admins (all).
	coSellRoles = []domain.Role{domain.RolePartnerUser, domain.RolePartnerAdmin, domain.RoleSalesRep, domain.RoleChannelManager, domain.RoleAdmin}
	// bookRoles read sellers' accounts: the seller (their own) and managers.
	bookRoles = []domain.Role{domain.RoleSalesRep, domain.RoleChannelManager, domain.RoleAdmin}
)

// coSellStep is one human step on an engagement: its path, the Update it
// sends, who may take it and the body it takes.
type coSellStep struct {
	Path, Update string
	Roles        []domain.Role
	NewBody      func() coSellBody
}

// coSellBody is a step's body: validated by its tags, then turned into the
// update's argument for caller c.
type coSellBody interface {
	arg(c cosell.Caller) any
}

func coSellSteps() []coSellStep {
	return []coSellStep{
		{"accept", cosell.UpdateAccept, sellerRoles, func() coSellBody { return &coSellReasonBody{} }},
		{"decline", cosell.UpdateDecline, sellerRoles, func() coSellBody { return &coSellDeclineBody{} }},
		{"reassign", cosell.UpdateReassign, web.DeciderRoles, func() coSellBody { return &coSellReassignBody{} }},
		{"milestones", cosell.UpdateAddMilestone, coSellRoles, func() coSellBody { return &coSellMilestoneBody{} }},
		{"complete-milestone", cosell.UpdateCompleteMilestone, coSellRoles, func() coSellBody { return &coSellMilestoneDoneBody{} }},
		{"notes", cosell.UpdateAddNote, coSellRoles, func() coSellBody { return &coSellNoteBody{} }},
		{"stage", cosell.UpdateSetStage, coSellRoles, func() coSellBody { return &coSellStageBody{} }},
		{"next-steps", cosell.UpdateSetNextSteps, coSellRoles, func() coSellBody { return &coSellNextStepsBody{} }},
	}
}

type coSellReasonBody struct {
	Reason string `json:"reason" validate:"max=2000,multiline"`
}

func (b *coSellReasonBody) arg(c cosell.Caller) any {
	return cosell.Decision{Caller: c, Reason: strings.TrimSpace(b.Reason)}
}

type coSellDeclineBody struct {
	Reason string `json:"reason" validate:"required,max=2000,multiline"`
}

func (b *coSellDeclineBody) arg(c cosell.Caller) any {
	return cosell.Decision{Caller: c, Reason: strings.TrimSpace(b.Reason)}
}

type coSellReassignBody struct {
	SellerEmail string `json:"seller_email" validate:"required,max=254,email"`
	Reason      string `json:"reason" validate:"max=2000,multiline"`
}

func (b *coSellReassignBody) arg(c cosell.Caller) any {
	return cosell.Reassignment{Caller: c, SellerEmail: strings.ToLower(strings.TrimSpace(b.SellerEmail)), Reason: strings.TrimSpace(b.Reason)}
}

type coSellMilestoneBody struct {
	Title string `json:"title" validate:"required,max=200,printable"`
	Side  string `json:"side" validate:"required,oneof=partner vendor"`
	Owner string `json:"owner" validate:"max=200,printable"`
	Due   string `json:"due" validate:"required,datetime=2006-01-02"`
}

func (b *coSellMilestoneBody) arg(c cosell.Caller) any {
	return cosell.MilestoneInput{Caller: c, Title: strings.TrimSpace(b.Title), Side: domain.MilestoneSide(b.Side),
		Owner: strings.TrimSpace(b.Owner), Due: b.Due}
}

type coSellMilestoneDoneBody struct {
	ID string `json:"id" validate:"required,max=20,printable"`
}

func (b *coSellMilestoneDoneBody) arg(c cosell.Caller) any {
	return cosell.MilestoneDone{Caller: c, ID: b.ID}
}

type coSellNoteBody struct {
	Body string `json:"body" validate:"required,max=2000,multiline"`
}

func (b *coSellNoteBody) arg(c cosell.Caller) any {
	return cosell.NoteInput{Caller: c, Body: strings.TrimSpace(b.Body)}
}

type coSellStageBody struct {
	Stage  string `json:"stage" validate:"required,oneof=prospect qualified technical_validation business_validation committed launched closed_lost"`
	Reason string `json:"reason" validate:"max=2000,multiline"`
}

func (b *coSellStageBody) arg(c cosell.Caller) any {
	return cosell.StageInput{Caller: c, Stage: domain.CoSellStage(b.Stage), Reason: strings.TrimSpace(b.Reason)}
}

type coSellNextStepsBody struct {
	NextSteps string `json:"next_steps" validate:"max=2000,multiline"`
}

func (b *coSellNextStepsBody) arg(c cosell.Caller) any {
	return cosell.NextStepsInput{Caller: c, NextSteps: strings.TrimSpace(b.NextSteps)}
}

// coSellRequest is a partner's request for the vendor's help on its deal.
type coSellRequest struct {
	Type    string `json:"type" validate:"required,oneof=technical_validation proof_of_concept executive_sponsor pricing_support joint_customer_meeting"`
	NeedBy  string `json:"need_by" validate:"required,datetime=2006-01-02"`
	Message string `json:"message" validate:"required,max=2000,multiline"`
}

// territoryRequest is a territory rule for a seller.
type territoryRequest struct {
	SellerEmail string `json:"seller_email" validate:"required,max=254,email"`
	Country     string `json:"country" validate:"omitempty,iso3166_1_alpha2"`
	ProductLine string `json:"product_line" validate:"max=100,printable"`
}

// EngagementView is a co-sell engagement as the API shows it.
type EngagementView struct {
	ID            string             `json:"id"`
	DealID        string             `json:"deal_id"`
	PartnerID     string             `json:"partner_id"`
	CustomerName  string             `json:"customer_name"`
	Type          string             `json:"type"`
	NeedBy        string             `json:"need_by"`
	Message       string             `json:"message"`
	Status        string             `json:"status"`
	RoutedVia     string             `json:"routed_via"`
	AssigneeEmail string             `json:"assignee_email"`
	RespondBy     *time.Time         `json:"respond_by,omitempty"`
	Reminded      bool               `json:"reminded"`
	Escalated     bool               `json:"escalated"`
	DeclineReason string             `json:"decline_reason,omitempty"`
	Stage         string             `json:"stage,omitempty"`
	NextSteps     string             `json:"next_steps,omitempty"`
	Outcome       string             `json:"outcome,omitempty"`
	Plan          []cosell.Milestone `json:"plan"`
	Notes         []cosell.Note      `json:"notes"`
	CreatedAt     time.Time          `json:"created_at"`
	UpdatedAt     time.Time          `json:"updated_at"`
	Events        []CoSellEventView  `json:"events,omitempty"`
}

// CoSellEventView is one event of an engagement's timeline.
type CoSellEventView struct {
	Seq        int32     `json:"seq"`
	Type       string    `json:"type"`
	ActorName  string    `json:"actor_name"`
	ActorRole  string    `json:"actor_role"`
	Reason     string    `json:"reason,omitempty"`
	OccurredAt time.Time `json:"occurred_at"`
}

// TerritoryView is a territory rule.
type TerritoryView struct {
	ID          string `json:"id"`
	SellerEmail string `json:"seller_email"`
	Country     string `json:"country"`
	ProductLine string `json:"product_line"`
}

// SellerAccountView is a CRM account a seller owns.
type SellerAccountView struct {
	ID         string `json:"id"`
	ExternalID string `json:"external_id"`
	Name       string `json:"name"`
	Domain     string `json:"domain"`
	Country    string `json:"country"`
	OwnerEmail string `json:"owner_email"`
}

func (s *Server) coSellRoutes() []Route {
	out := []Route{
		{http.MethodPost, "/v1/deals/:id/cosell", web.PartnerRoles, s.requestCoSell},
		{http.MethodGet, "/v1/cosell/engagements", coSellRoles, s.listEngagements},
		{http.MethodGet, "/v1/cosell/engagements/:id", coSellRoles, s.getEngagement},
		{http.MethodGet, "/v1/cosell/territories", web.DeciderRoles, s.listTerritories},
		{http.MethodPost, "/v1/cosell/territories", web.DeciderRoles, s.createTerritory},
		{http.MethodGet, "/v1/cosell/accounts", bookRoles, s.sellerAccounts},
	}
	out = append(out, s.coSellPolicyRoutes()...)
	for _, st := range coSellSteps() {
		out = append(out, Route{http.MethodPost, "/v1/cosell/engagements/:id/" + st.Path, st.Roles, s.coSellStep(st.Update, st.NewBody)})
	}
	return append(out, s.sharedOpportunityRoutes()...)
}

// requestCoSell starts a co-sell engagement on the partner's approved deal
// and answers with it routed.
func (s *Server) requestCoSell(c *gin.Context) {
	id, ok := pathID(c, "deal")
	if !ok {
		return
	}
	p := web.PrincipalOf(c)
	d, err := s.q.CoSellDealFacts(c, dbq.CoSellDealFactsParams{ID: id, ScopePartnerID: p.Scope()})
	if !s.found(c, err, "deal") {
		return
	}
	var req coSellRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	if day, _ := time.Parse(time.DateOnly, req.NeedBy); day.Before(s.today()) {
		web.ValidationProblem(c, []web.FieldError{{Field: "need_by", Message: "must not lie in the past"}})
		return
	}
	if domain.Status(d.Status) != domain.StatusApproved {
		web.WriteProblem(c, web.Problem{Type: web.ProblemConflict, Status: http.StatusConflict, Title: "Transition not allowed",
			Detail: "co-selling is asked for on an approved registration; this deal is " + d.Status, CurrentStatus: d.Status})
		return
	}
	policy, err := db.CoSellPolicyForDeal(c, s.q, id)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	st, err := s.cosell.Request(c, cosell.Input{EngagementID: uuid.NewString(), DealID: id.String(), PartnerID: d.PartnerID.String(),
		Requester: p.Actor(), Request: cosell.Request{Type: domain.CoSellType(req.Type), NeedBy: req.NeedBy, Message: strings.TrimSpace(req.Message)},
		Policy: policy})
	if err != nil {
		s.refused(c, err, target{noun: "engagement"})
		return
	}
	s.respondEngagement(c, http.StatusCreated, uuid.MustParse(st.EngagementID), p)
}

func (s *Server) coSellStep(update string, newBody func() coSellBody) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := pathID(c, "engagement")
		if !ok {
			return
		}
		body := newBody()
		if !s.decodeJSON(c, body, false) {
			return
		}
		if err := s.validate.Struct(body); err != nil {
			web.ValidationProblem(c, web.FieldErrors(err))
			return
		}
		p := web.PrincipalOf(c)
		e, ok := s.engagement(c, id, p)
		if !ok {
			return
		}
		email, err := s.read.CallerEmail(c, p)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		if _, err := s.cosell.Step(c, e.DealID.String(), update, body.arg(cosell.Caller{Actor: p.Actor(), Email: email})); err != nil {
			s.refused(c, err, target{noun: "engagement", status: func() string { return e.Status }})
			return
		}
		s.respondEngagement(c, http.StatusOK, id, p)
	}
}

// engagement reads engagement id within p's scope, or answers 404.
func (s *Server) engagement(c *gin.Context, id uuid.UUID, p web.Principal) (dbq.CoSellEngagementGetRow, bool) {
	seller, err := s.read.SellerScope(c, p)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return dbq.CoSellEngagementGetRow{}, false
	}
	e, err := s.q.CoSellEngagementGet(c, dbq.CoSellEngagementGetParams{ID: id, ScopePartnerID: p.Scope(), ScopeSellerEmail: seller})
	if !s.found(c, err, "engagement") {
		return e, false
	}
	return e, true
}

func (s *Server) respondEngagement(c *gin.Context, status int, id uuid.UUID, p web.Principal) {
	e, ok := s.engagement(c, id, p)
	if !ok {
		return
	}
	v := engagementView(dbq.CoSellEngagementListRow(e))
	events, err := s.q.CoSellEventList(c, id)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	for _, ev := range events {
		v.Events = append(v.Events, CoSellEventView{Seq: ev.Seq, Type: ev.Type, ActorName: ev.ActorName, ActorRole: ev.ActorRole,
			Reason: ev.Reason, OccurredAt: ev.OccurredAt})
	}
	c.JSON(status, v)
}

func (s *Server) getEngagement(c *gin.Context) {
	id, ok := pathID(c, "engagement")
	if !ok {
		return
	}
	s.respondEngagement(c, http.StatusOK, id, web.PrincipalOf(c))
}

func (s *Server) listEngagements(c *gin.Context) {
	p := web.PrincipalOf(c)
	seller, err := s.read.SellerScope(c, p)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	var status pgtype.Text
	if v := c.Query("status"); v != "" {
		if !cosell.Status(v).Final() && v != string(cosell.StatusRequested) && v != string(cosell.StatusAccepted) {
			web.ValidationProblem(c, []web.FieldError{{Field: "status", Message: "must be one of: requested accepted declined ended"}})
			return
		}
		status = pgtype.Text{String: v, Valid: true}
	}
	rows, err := s.q.CoSellEngagementList(c, dbq.CoSellEngagementListParams{ScopePartnerID: p.Scope(), ScopeSellerEmail: seller, Status: status})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]EngagementView, 0, len(rows))
	for _, r := range rows {
		out = append(out, engagementView(r))
	}
	c.JSON(http.StatusOK, gin.H{"engagements": out})
}

func engagementView(e dbq.CoSellEngagementListRow) EngagementView {
	v := EngagementView{ID: e.ID.String(), DealID: e.DealID.String(), PartnerID: e.PartnerID.String(), CustomerName: e.CustomerName,
		Type: e.Type, NeedBy: e.NeedBy.Format(time.DateOnly), Message: e.Message, Status: e.Status, RoutedVia: e.RoutedVia,
		AssigneeEmail: e.AssigneeEmail, Reminded: e.Reminded, Escalated: e.Escalated, DeclineReason: e.DeclineReason,
		Stage: e.Stage, NextSteps: e.NextSteps, Outcome: e.Outcome, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt,
		Plan: []cosell.Milestone{}, Notes: []cosell.Note{}}
	if e.ResponseDueAt.Valid {
		t := e.ResponseDueAt.Time
		v.RespondBy = &t
	}
	_ = jsonInto(e.Plan, &v.Plan)
	_ = jsonInto(e.Notes, &v.Notes)
	return v
}

func (s *Server) listTerritories(c *gin.Context) {
	rows, err := s.q.CoSellTerritoryList(c)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]TerritoryView, 0, len(rows))
	for _, r := range rows {
		out = append(out, TerritoryView{ID: r.ID.String(), SellerEmail: r.SellerEmail, Country: r.Country, ProductLine: r.ProductLine})
	}
	c.JSON(http.StatusOK, gin.H{"territories": out})
}

func (s *Server) createTerritory(c *gin.Context) {
	var req territoryRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	req.SellerEmail = strings.ToLower(strings.TrimSpace(req.SellerEmail))
	req.Country = strings.ToUpper(strings.TrimSpace(req.Country))
	req.ProductLine = strings.TrimSpace(req.ProductLine)
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	t, err := s.q.CoSellTerritoryCreate(c, dbq.CoSellTerritoryCreateParams{SellerEmail: req.SellerEmail, Country: req.Country, ProductLine: req.ProductLine})
	switch {
	case db.IsUniqueViolation(err):
		web.Fail(c, http.StatusConflict, web.ProblemDuplicate, "this seller has this territory already")
		return
	case err != nil:
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusCreated, TerritoryView{ID: t.ID.String(), SellerEmail: t.SellerEmail, Country: t.Country, ProductLine: t.ProductLine})
}

// sellerAccounts lists the CRM accounts a seller owns (managers: every
// owned account).
func (s *Server) sellerAccounts(c *gin.Context) {
	p := web.PrincipalOf(c)
	seller, err := s.read.SellerScope(c, p)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	rows, err := s.q.CoSellAccountList(c, seller)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]SellerAccountView, 0, len(rows))
	for _, r := range rows {
		out = append(out, SellerAccountView{ID: r.ID.String(), ExternalID: r.ExternalID, Name: r.Name, Domain: r.Domain,
			Country: r.Country, OwnerEmail: r.OwnerEmail})
	}
	c.JSON(http.StatusOK, gin.H{"accounts": out})
}

// jsonInto decodes a jsonb column into out; a column that does not decode
// leaves out as it was.
func jsonInto(raw []byte, out any) error {
	if len(raw) == 0 {
		return nil
	}
	return json.Unmarshal(raw, out)
}
