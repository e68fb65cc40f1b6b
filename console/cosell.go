package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/cosell"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

var (
	// sellerRoles answer co-sell requests, as in the API: the vendor's sellers.
	sellerRoles = []domain.Role{domain.RoleSalesRep}
	// coSellRoles read and work engagements, as in the API: a partner its
	// own, a seller those assigned to them, managers and admins all.
	coSellRoles = []domain.Role{domain.RolePartnerUser, domain.RolePartnerAdmin, domain.RoleSalesRep, domain.RoleChannelManager, domain.RoleAdmin}
)

// coSellRoutes are the co-sell context's pages: the engagements the
// principal may see, one engagement, and its step forms at the API's
// paths under /console (the same roles as the API's steps).
func (s *Console) coSellRoutes() []Route {
	return append([]Route{
		{http.MethodGet, "/console/cosell/engagements", coSellRoles, s.engagementList},
		{http.MethodGet, "/console/cosell/engagements/:id", coSellRoles, s.engagementPage},
		{http.MethodPost, "/console/cosell/engagements/:id/accept", sellerRoles, s.coSellStep(cosell.UpdateAccept, func() coSellForm { return &coSellAcceptForm{} })},
		{http.MethodPost, "/console/cosell/engagements/:id/decline", sellerRoles, s.coSellStep(cosell.UpdateDecline, func() coSellForm { return &coSellDeclineForm{} })},
		{http.MethodPost, "/console/cosell/engagements/:id/notes", coSellRoles, s.coSellStep(cosell.UpdateAddNote, func() coSellForm { return &coSellNoteForm{} })},
		{http.MethodPost, "/console/cosell/engagements/:id/stage", coSellRoles, s.coSellStep(cosell.UpdateSetStage, func() coSellForm { return &coSellStageForm{} })},
	}, append(s.coSellPlanRoutes(), s.sharedOpportunityRoutes()...)...)
}

// coSellForm is a step's form: validated by its tags, then turned into
// the update's argument for caller c.
type coSellForm interface {
	read(c *gin.Context)
	arg(c cosell.Caller) any
}

type coSellAcceptForm struct {
	Reason string `json:"reason" validate:"max=2000,multiline"`
}

func (f *coSellAcceptForm) read(c *gin.Context) { f.Reason = c.PostForm("reason") }
func (f *coSellAcceptForm) arg(c cosell.Caller) any {
	return cosell.Decision{Caller: c, Reason: strings.TrimSpace(f.Reason)}
}

type coSellDeclineForm struct {
	Reason string `json:"reason" validate:"required,max=2000,multiline"`
}

func (f *coSellDeclineForm) read(c *gin.Context) { f.Reason = strings.TrimSpace(c.PostForm("reason")) }
func (f *coSellDeclineForm) arg(c cosell.Caller) any {
	return cosell.Decision{Caller: c, Reason: f.Reason}
}

type coSellNoteForm struct {
	Body string `json:"body" validate:"required,max=2000,multiline"`
}

func (f *coSellNoteForm) read(c *gin.Context) { f.Body = strings.TrimSpace(c.PostForm("body")) }
func (f *coSellNoteForm) arg(c cosell.Caller) any {
	return cosell.NoteInput{Caller: c, Body: f.Body}
}

type coSellStageForm struct {
	Stage  string `json:"stage" validate:"required,oneof=prospect qualified technical_validation business_validation committed launched closed_lost"`
	Reason string `json:"reason" validate:"max=2000,multiline"`
}

func (f *coSellStageForm) read(c *gin.Context) {
	f.Stage, f.Reason = c.PostForm("stage"), strings.TrimSpace(c.PostForm("reason"))
}
func (f *coSellStageForm) arg(c cosell.Caller) any {
	return cosell.StageInput{Caller: c, Stage: domain.CoSellStage(f.Stage), Reason: f.Reason}
}

// engagementList lists the engagements p may see through the API's scoped
// query, filtered by ?status= (a seller's inbox: requested), each request
// awaiting an answer with the time left on its SLA.
func (s *Console) engagementList(c *gin.Context) {
	p := web.PrincipalOf(c)
	seller, err := s.read.SellerScope(c, p)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	v := engagementListView{Status: c.Query("status"), Statuses: []cosell.Status{cosell.StatusRequested, cosell.StatusAccepted, cosell.StatusDeclined, cosell.StatusEnded}}
	params := dbq.CoSellEngagementListParams{ScopePartnerID: p.Scope(), ScopeSellerEmail: seller}
	var msg string
	if v.Status != "" {
		if !slices.Contains(v.Statuses, cosell.Status(v.Status)) {
			msg, v.Status = "Not shown: status must be one of: requested accepted declined ended", ""
		} else {
			params.Status = pgtype.Text{String: v.Status, Valid: true}
		}
	}
	rows, err := s.q.CoSellEngagementList(c, params)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	now := s.now()
	for _, r := range rows {
		row := engagementRow{CoSellEngagementListRow: r}
		if r.Status == string(cosell.StatusRequested) && r.ResponseDueAt.Valid {
			row.Countdown, row.Late = slaCountdown(now, r.ResponseDueAt.Time)
		}
		v.Rows = append(v.Rows, row)
	}
	s.render(c, http.StatusOK, "engagements.html", page{Title: "Engagements", Error: msg, Data: v})
}

// engagementListView is the engagements page: its rows and the status filter.
type engagementListView struct {
	Rows     []engagementRow
	Status   string
	Statuses []cosell.Status
}

// engagementRow is one engagement of the list, with its SLA countdown.
type engagementRow struct {
	dbq.CoSellEngagementListRow
	Countdown string
	Late      bool
}

// slaCountdown words the time from now to due: "2 d 3 h left", "5 h
// left", or "overdue by 1 d 2 h"; late says the deadline passed.
func slaCountdown(now, due time.Time) (text string, late bool) {
	d := due.Sub(now)
	if late = d < 0; late {
		d = -d
	}
	hours := int(d.Hours())
	span := fmt.Sprintf("%d h", hours%24)
	if hours >= 24 {
		span = fmt.Sprintf("%d d %d h", hours/24, hours%24)
	} else if hours == 0 {
		span = fmt.Sprintf("%d min", int(d.Minutes()))
	}
	if late {
		return "overdue by " + span, true
	}
	return span + " left", false
}

// engagementView is what the engagement page shows.
type engagementView struct {
	dbq.CoSellEngagementGetRow
	Milestones []cosell.Milestone
	Notes      []cosell.Note
	Events     []dbq.CosellEvent
	Stages     []domain.CoSellStage
	// MaySeller: the viewer may accept or decline; MayStage: move the
	// stage and work the plan; MayReassign: route it to another seller.
	MaySeller, MayStage, MayReassign bool
	// Sellers are whom a request may be reassigned to.
	Sellers []dbq.CoSellSellerListRow
	// Countdown is the time left on the response SLA while requested.
	Countdown string
	Late      bool
}

// engagement reads engagement id within p's scope; found is false when it
// is not there for p (or id is not one).
func (s *Console) engagement(c *gin.Context, raw string, p web.Principal) (e dbq.CoSellEngagementGetRow, found bool, err error) {
	id, perr := uuid.Parse(raw)
	if perr != nil {
		return e, false, nil
	}
	seller, err := s.read.SellerScope(c, p)
	if err != nil {
		return e, false, err
	}
	e, err = s.q.CoSellEngagementGet(c, dbq.CoSellEngagementGetParams{ID: id, ScopePartnerID: p.Scope(), ScopeSellerEmail: seller})
	if db.IsNotFound(err) {
		return e, false, nil
	}
	return e, err == nil, err
}

// engagementPage shows one engagement with the forms p may use.
func (s *Console) engagementPage(c *gin.Context) {
	p := web.PrincipalOf(c)
	e, found, err := s.engagement(c, c.Param("id"), p)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if !found {
		s.pageNotFound(c)()
		return
	}
	events, err := s.q.CoSellEventList(c, e.ID)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	v := engagementView{CoSellEngagementGetRow: e, Events: events, Stages: domain.CoSellStages,
		MaySeller:   p.Role == domain.RoleSalesRep && e.Status == string(cosell.StatusRequested),
		MayStage:    e.Status == string(cosell.StatusAccepted),
		MayReassign: p.HasRole(web.DeciderRoles...) && e.Status == string(cosell.StatusRequested)}
	if v.MayReassign {
		if v.Sellers, err = s.q.CoSellSellerList(c); err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
	}
	if e.Status == string(cosell.StatusRequested) && e.ResponseDueAt.Valid {
		v.Countdown, v.Late = slaCountdown(s.now(), e.ResponseDueAt.Time)
	}
	if len(e.Plan) > 0 {
		_ = json.Unmarshal(e.Plan, &v.Milestones)
	}
	if len(e.Notes) > 0 {
		_ = json.Unmarshal(e.Notes, &v.Notes)
	}
	s.render(c, http.StatusOK, "engagement.html", page{Title: "Engagement: " + e.CustomerName, Data: v})
}

// coSellStep sends a step from a form through the same typed client as the
// API and returns to the engagement with what happened.
func (s *Console) coSellStep(update string, newForm func() coSellForm) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := web.PrincipalOf(c)
		e, found, err := s.engagement(c, c.Param("id"), p)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		if !found {
			s.pageNotFound(c)()
			return
		}
		back := func(msg string) {
			c.Redirect(http.StatusSeeOther, "/console/cosell/engagements/"+e.ID.String()+"?done="+url.QueryEscape(msg))
		}
		form := newForm()
		form.read(c)
		if err := s.validate.Struct(form); err != nil {
			back("Not done: " + web.FieldErrorText(web.FieldErrors(err)))
			return
		}
		email, err := s.read.CallerEmail(c, p)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		if _, err := s.cosell.Step(c, e.DealID.String(), update, form.arg(cosell.Caller{Actor: p.Actor(), Email: email})); err != nil {
			if r, ok := workflows.AsRefusal(err); ok {
				back("Not done: " + r.Message)
				return
			}
			back("Not done: the engagement could not be reached; try again")
			return
		}
		back("Done: " + update)
	}
}
