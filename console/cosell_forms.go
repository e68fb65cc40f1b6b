package console

import (
	"net/http"
	"net/url"
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
)

// coSellPlanRoutes are the engagement's plan forms (milestones, next
// steps), the channel managers' reassignment, and the partner's request
// from its deal's page — each at the API's path under /console, with the
// API's roles.
func (s *Console) coSellPlanRoutes() []Route {
	return []Route{
		{http.MethodPost, "/console/cosell/engagements/:id/milestones", coSellRoles, s.coSellStep(cosell.UpdateAddMilestone, func() coSellForm { return &coSellMilestoneForm{} })},
		{http.MethodPost, "/console/cosell/engagements/:id/complete-milestone", coSellRoles, s.coSellStep(cosell.UpdateCompleteMilestone, func() coSellForm { return &coSellMilestoneDoneForm{} })},
		{http.MethodPost, "/console/cosell/engagements/:id/next-steps", coSellRoles, s.coSellStep(cosell.UpdateSetNextSteps, func() coSellForm { return &coSellNextStepsForm{} })},
		{http.MethodPost, "/console/cosell/engagements/:id/reassign", web.DeciderRoles, s.coSellStep(cosell.UpdateReassign, func() coSellForm { return &coSellReassignForm{} })},
		{http.MethodPost, "/console/deals/:id/cosell", web.PartnerRoles, s.requestCoSell},
	}
}

type coSellMilestoneForm struct {
	Title string `json:"title" validate:"required,max=200,printable"`
	Side  string `json:"side" validate:"required,oneof=partner vendor"`
	Owner string `json:"owner" validate:"max=200,printable"`
	Due   string `json:"due" validate:"required,datetime=2006-01-02"`
}

func (f *coSellMilestoneForm) read(c *gin.Context) {
	f.Title, f.Side = strings.TrimSpace(c.PostForm("title")), c.PostForm("side")
	f.Owner, f.Due = strings.TrimSpace(c.PostForm("owner")), c.PostForm("due")
}
func (f *coSellMilestoneForm) arg(c cosell.Caller) any {
	return cosell.MilestoneInput{Caller: c, Title: f.Title, Side: domain.MilestoneSide(f.Side), Owner: f.Owner, Due: f.Due}
}

type coSellMilestoneDoneForm struct {
	ID string `json:"id" validate:"required,max=20,printable"`
}

func (f *coSellMilestoneDoneForm) read(c *gin.Context) { f.ID = c.PostForm("id") }
func (f *coSellMilestoneDoneForm) arg(c cosell.Caller) any {
	return cosell.MilestoneDone{Caller: c, ID: f.ID}
}

type coSellNextStepsForm struct {
	NextSteps string `json:"next_steps" validate:"max=2000,multiline"`
}

func (f *coSellNextStepsForm) read(c *gin.Context) {
	f.NextSteps = strings.TrimSpace(c.PostForm("next_steps"))
}
func (f *coSellNextStepsForm) arg(c cosell.Caller) any {
	return cosell.NextStepsInput{Caller: c, NextSteps: f.NextSteps}
}

type coSellReassignForm struct {
	SellerEmail string `json:"seller_email" validate:"required,max=254,email"`
	Reason      string `json:"reason" validate:"max=2000,multiline"`
}

func (f *coSellReassignForm) read(c *gin.Context) {
	f.SellerEmail = strings.ToLower(strings.TrimSpace(c.PostForm("seller_email")))
	f.Reason = strings.TrimSpace(c.PostForm("reason"))
}
func (f *coSellReassignForm) arg(c cosell.Caller) any {
	return cosell.Reassignment{Caller: c, SellerEmail: f.SellerEmail, Reason: f.Reason}
}

// coSellRequestForm is the partner's request, with the API's rules
// (api coSellRequest).
type coSellRequestForm struct {
	Type    string `json:"type" validate:"required,oneof=technical_validation proof_of_concept executive_sponsor pricing_support joint_customer_meeting"`
	NeedBy  string `json:"need_by" validate:"required,datetime=2006-01-02"`
	Message string `json:"message" validate:"required,max=2000,multiline"`
}

// requestCoSell starts a co-sell engagement on the partner's approved deal
// from its page, as POST /v1/deals/{id}/cosell does, and opens the
// engagement; a refusal returns to the deal saying why.
func (s *Console) requestCoSell(c *gin.Context) {
	p := web.PrincipalOf(c)
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		s.notFound(c)
		return
	}
	d, err := s.q.CoSellDealFacts(c, dbq.CoSellDealFactsParams{ID: id, ScopePartnerID: p.Scope()})
	if db.IsNotFound(err) {
		s.notFound(c)
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	back := func(msg string) {
		c.Redirect(http.StatusSeeOther, "/console/deals/"+id.String()+"?done="+url.QueryEscape(msg))
	}
	f := coSellRequestForm{Type: c.PostForm("type"), NeedBy: c.PostForm("need_by"), Message: strings.TrimSpace(c.PostForm("message"))}
	if err := s.validate.Struct(&f); err != nil {
		back("Not done: " + web.FieldErrorText(web.FieldErrors(err)))
		return
	}
	if day, _ := time.Parse(time.DateOnly, f.NeedBy); day.Before(s.today()) {
		back("Not done: need_by: must not lie in the past")
		return
	}
	if domain.Status(d.Status) != domain.StatusApproved {
		back("Not done: co-selling is asked for on an approved registration; this deal is " + d.Status)
		return
	}
	policy, err := db.CoSellPolicyForDeal(c, s.q, id)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	st, err := s.cosell.Request(c, cosell.Input{EngagementID: uuid.NewString(), DealID: id.String(), PartnerID: d.PartnerID.String(),
		Requester: p.Actor(), Request: cosell.Request{Type: domain.CoSellType(f.Type), NeedBy: f.NeedBy, Message: f.Message}, Policy: policy})
	if err != nil {
		if r, ok := workflows.AsRefusal(err); ok {
			back("Not done: " + r.Message)
			return
		}
		back("Not done: the request could not be sent; try again")
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/cosell/engagements/"+st.EngagementID+"?done="+url.QueryEscape("Done: co-selling requested"))
}
