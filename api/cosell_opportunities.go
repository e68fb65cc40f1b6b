package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/workflows/cosell"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// sharerRoles share the vendor's opportunities with partners: sellers
// (their own) and channel managers and admins (all).
var sharerRoles = []domain.Role{domain.RoleSalesRep, domain.RoleChannelManager, domain.RoleAdmin}

// invitationStepBody is the body of a partner's accept, decline
// (reason required, checked by the workflow) and interest.
type invitationStepBody struct {
	Reason string `json:"reason" validate:"max=2000,multiline"`
}

// chooseBody is the seller's pick in seller_chooses mode.
type chooseBody struct {
	PartnerID string `json:"partner_id" validate:"required,uuid"`
	Reason    string `json:"reason" validate:"max=2000,multiline"`
}

// withdrawBody is the seller's withdrawal, with its reason.
type withdrawBody struct {
	Reason string `json:"reason" validate:"required,max=2000,multiline"`
}

// SharedOpportunityView is a shared opportunity as the seller and managers see it.
type SharedOpportunityView struct {
	ID                string                       `json:"id"`
	Mode              string                       `json:"mode"`
	Status            string                       `json:"status"`
	CustomerName      string                       `json:"customer_name"`
	RegistrableDomain string                       `json:"registrable_domain"`
	Country           string                       `json:"country"`
	ProductLines      []string                     `json:"product_lines"`
	Amount            int64                        `json:"amount"`
	Currency          string                       `json:"currency"`
	Capabilities      []string                     `json:"capabilities"`
	ExpectedCloseDate string                       `json:"expected_close_date"`
	Notes             string                       `json:"notes,omitempty"`
	SellerEmail       string                       `json:"seller_email"`
	WinnerPartnerID   string                       `json:"winner_partner_id,omitempty"`
	WinnerName        string                       `json:"winner_name,omitempty"`
	DealID            string                       `json:"deal_id,omitempty"`
	DealStatus        string                       `json:"deal_status,omitempty"`
	CreatedAt         time.Time                    `json:"created_at"`
	UpdatedAt         time.Time                    `json:"updated_at"`
	Invitations       []CoSellInvitationView       `json:"invitations,omitempty"`
	Events            []SharedOpportunityEventView `json:"events,omitempty"`
}

// CoSellInvitationView is one partner's invitation (for the partner: with the
// opportunity it is invited to).
type CoSellInvitationView struct {
	OpportunityID     string     `json:"opportunity_id"`
	PartnerID         string     `json:"partner_id"`
	PartnerName       string     `json:"partner_name,omitempty"`
	Status            string     `json:"status"`
	Reason            string     `json:"reason,omitempty"`
	DealID            string     `json:"deal_id,omitempty"`
	InvitedAt         time.Time  `json:"invited_at"`
	ExpiresAt         time.Time  `json:"expires_at"`
	InterestedAt      *time.Time `json:"interested_at,omitempty"`
	DecidedAt         *time.Time `json:"decided_at,omitempty"`
	Mode              string     `json:"mode,omitempty"`
	OpportunityStatus string     `json:"opportunity_status,omitempty"`
	CustomerName      string     `json:"customer_name,omitempty"`
	RegistrableDomain string     `json:"registrable_domain,omitempty"`
	Country           string     `json:"country,omitempty"`
	ProductLines      []string   `json:"product_lines,omitempty"`
	Amount            int64      `json:"amount,omitempty"`
	Currency          string     `json:"currency,omitempty"`
	Capabilities      []string   `json:"capabilities,omitempty"`
	ExpectedCloseDate string     `json:"expected_close_date,omitempty"`
	Notes             string     `json:"notes,omitempty"`
}

// SharedOpportunityEventView is one event of an opportunity's timeline.
type SharedOpportunityEventView struct {
	Seq        int32     `json:"seq"`
	Type       string    `json:"type"`
	PartnerID  string    `json:"partner_id,omitempty"`
	ActorName  string    `json:"actor_name"`
	ActorRole  string    `json:"actor_role"`
	Reason     string    `json:"reason,omitempty"`
	OccurredAt time.Time `json:"occurred_at"`
}

// invitationSteps are a partner's steps on its invitation: path → Update.
var invitationSteps = []struct{ Path, Update string }{
	{"accept", cosell.UpdateInvitationAccept},
	{"decline", cosell.UpdateInvitationDecline},
	{"interest", cosell.UpdateInvitationInterest},
}

func (s *Server) sharedOpportunityRoutes() []Route {
	out := []Route{
		{http.MethodPost, "/v1/cosell/opportunities", sharerRoles, s.shareOpportunity},
		{http.MethodGet, "/v1/cosell/opportunities", sharerRoles, s.listSharedOpportunities},
		{http.MethodGet, "/v1/cosell/opportunities/:id", sharerRoles, s.getSharedOpportunity},
		{http.MethodPost, "/v1/cosell/opportunities/:id/choose", sharerRoles, s.chooseForOpportunity},
		{http.MethodPost, "/v1/cosell/opportunities/:id/withdraw", sharerRoles, s.withdrawOpportunity},
		{http.MethodGet, "/v1/cosell/invitations", web.PartnerRoles, s.listInvitations},
	}
	for _, st := range invitationSteps {
		out = append(out, Route{http.MethodPost, "/v1/cosell/invitations/:id/" + st.Path, web.PartnerRoles, s.invitationStep(st.Update)})
	}
	return out
}

// shareOpportunity shares one of the vendor's opportunities with the
// partners the filters (and ids) choose, and answers with it and its
// invitations.
func (s *Server) shareOpportunity(c *gin.Context) {
	var req steps.ShareRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	req.Normalize()
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	in, errs := req.Input(s.now(), s.today())
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	partners, err := s.read.EligiblePartners(c, req.Partners(), steps.MaxInvitedPartners+1)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if errs := steps.CheckPartners(partners); len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	p := web.PrincipalOf(c)
	email, err := s.read.CallerEmail(c, p)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if p.Role == domain.RoleSalesRep && email == "" {
		web.Fail(c, http.StatusForbidden, web.ProblemForbidden, "a seller shares opportunities under their e-mail; this token has none")
		return
	}
	in.OpportunityID, in.Partners = uuid.NewString(), partners
	in.Seller = cosell.Caller{Actor: p.Actor(), Email: strings.ToLower(email)}
	if _, err := s.cosell.Share(c, in); err != nil {
		s.refused(c, err, target{noun: "opportunity"})
		return
	}
	s.respondSharedOpportunity(c, http.StatusCreated, uuid.MustParse(in.OpportunityID), p)
}

// sharedOpportunity reads opportunity id within p's scope (a seller:
// those they shared), or answers 404.
func (s *Server) sharedOpportunity(c *gin.Context, id uuid.UUID, p web.Principal) (dbq.SharedOpportunityGetRow, bool) {
	seller, err := s.read.SellerScope(c, p)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return dbq.SharedOpportunityGetRow{}, false
	}
	o, err := s.q.SharedOpportunityGet(c, dbq.SharedOpportunityGetParams{ID: id, ScopeSellerEmail: seller})
	if !s.found(c, err, "opportunity") {
		return o, false
	}
	return o, true
}

func (s *Server) respondSharedOpportunity(c *gin.Context, status int, id uuid.UUID, p web.Principal) {
	o, ok := s.sharedOpportunity(c, id, p)
	if !ok {
		return
	}
	v := sharedOpportunityView(dbq.SharedOpportunityListRow(o))
	invs, err := s.q.SharedOpportunityInvitationList(c, id)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	for _, i := range invs {
		v.Invitations = append(v.Invitations, invitationView(dbq.CosellInvitation{OpportunityID: i.OpportunityID, PartnerID: i.PartnerID,
			Status: i.Status, DealID: i.DealID, Reason: i.Reason, InvitedAt: i.InvitedAt, ExpiresAt: i.ExpiresAt,
			InterestedAt: i.InterestedAt, DecidedAt: i.DecidedAt}, i.PartnerName))
	}
	events, err := s.q.SharedOpportunityEventList(c, id)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	for _, e := range events {
		ev := SharedOpportunityEventView{Seq: e.Seq, Type: e.Type, ActorName: e.ActorName, ActorRole: e.ActorRole, Reason: e.Reason, OccurredAt: e.OccurredAt}
		if e.PartnerID.Valid {
			ev.PartnerID = e.PartnerID.UUID.String()
		}
		v.Events = append(v.Events, ev)
	}
	c.JSON(status, v)
}

func (s *Server) getSharedOpportunity(c *gin.Context) {
	id, ok := pathID(c, "opportunity")
	if !ok {
		return
	}
	s.respondSharedOpportunity(c, http.StatusOK, id, web.PrincipalOf(c))
}

func (s *Server) listSharedOpportunities(c *gin.Context) {
	p := web.PrincipalOf(c)
	seller, err := s.read.SellerScope(c, p)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	var status pgtype.Text
	if v := c.Query("status"); v != "" {
		switch cosell.OpportunityStatus(v) {
		case cosell.OpportunityOpen, cosell.OpportunityAwarded, cosell.OpportunityReturned, cosell.OpportunityWithdrawn:
			status = pgtype.Text{String: v, Valid: true}
		default:
			web.ValidationProblem(c, []web.FieldError{{Field: "status", Message: "must be one of: open awarded returned withdrawn"}})
			return
		}
	}
	rows, err := s.q.SharedOpportunityList(c, dbq.SharedOpportunityListParams{ScopeSellerEmail: seller, Status: status})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]SharedOpportunityView, 0, len(rows))
	for _, r := range rows {
		out = append(out, sharedOpportunityView(r))
	}
	c.JSON(http.StatusOK, gin.H{"opportunities": out})
}

// sellerStep sends the seller's step (choose, withdraw) after reading the
// opportunity in the caller's scope.
func (s *Server) sellerStep(c *gin.Context, update string, arg func(cosell.Caller) any, body any) {
	id, ok := pathID(c, "opportunity")
	if !ok {
		return
	}
	if !s.decodeJSON(c, body, false) {
		return
	}
	if err := s.validate.Struct(body); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	p := web.PrincipalOf(c)
	o, ok := s.sharedOpportunity(c, id, p)
	if !ok {
		return
	}
	email, err := s.read.CallerEmail(c, p)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if _, err := s.cosell.OpportunityStep(c, id.String(), update, arg(cosell.Caller{Actor: p.Actor(), Email: strings.ToLower(email)})); err != nil {
		s.refused(c, err, target{noun: "opportunity", status: func() string { return o.Status }})
		return
	}
	s.respondSharedOpportunity(c, http.StatusOK, id, p)
}

func (s *Server) chooseForOpportunity(c *gin.Context) {
	var b chooseBody
	s.sellerStep(c, cosell.UpdateChoose, func(k cosell.Caller) any {
		return cosell.Choice{Caller: k, PartnerID: strings.ToLower(b.PartnerID), Reason: strings.TrimSpace(b.Reason)}
	}, &b)
}

func (s *Server) withdrawOpportunity(c *gin.Context) {
	var b withdrawBody
	s.sellerStep(c, cosell.UpdateWithdraw, func(k cosell.Caller) any {
		return cosell.Decision{Caller: k, Reason: strings.TrimSpace(b.Reason)}
	}, &b)
}

// listInvitations lists the calling partner's invitations (scoped in SQL).
func (s *Server) listInvitations(c *gin.Context) {
	p := web.PrincipalOf(c)
	var status pgtype.Text
	if v := c.Query("status"); v != "" {
		switch cosell.InvitationStatus(v) {
		case cosell.InvitationOpen, cosell.InvitationInterested, cosell.InvitationAccepted, cosell.InvitationDeclined,
			cosell.InvitationExpired, cosell.InvitationLost, cosell.InvitationWithdrawn:
			status = pgtype.Text{String: v, Valid: true}
		default:
			web.ValidationProblem(c, []web.FieldError{{Field: "status", Message: "must be one of: open interested accepted declined expired lost withdrawn"}})
			return
		}
	}
	rows, err := s.q.PartnerInvitationList(c, dbq.PartnerInvitationListParams{PartnerID: p.PartnerID.UUID, Status: status})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]CoSellInvitationView, 0, len(rows))
	for _, r := range rows {
		out = append(out, partnerInvitationView(dbq.PartnerInvitationGetRow(r)))
	}
	c.JSON(http.StatusOK, gin.H{"invitations": out})
}

// invitationStep sends a partner's step on its invitation to opportunity
// :id; another partner's invitation is not found.
func (s *Server) invitationStep(update string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := pathID(c, "invitation")
		if !ok {
			return
		}
		var body invitationStepBody
		if !s.decodeJSON(c, &body, false) {
			return
		}
		if err := s.validate.Struct(&body); err != nil {
			web.ValidationProblem(c, web.FieldErrors(err))
			return
		}
		p := web.PrincipalOf(c)
		inv, ok := s.partnerInvitation(c, id, p)
		if !ok {
			return
		}
		if _, err := s.cosell.OpportunityStep(c, id.String(), update, cosell.InvitationStep{Actor: p.Actor(), Reason: strings.TrimSpace(body.Reason)}); err != nil {
			s.refused(c, err, target{noun: "invitation", status: func() string { return inv.Status }})
			return
		}
		if inv, ok = s.partnerInvitation(c, id, p); ok {
			c.JSON(http.StatusOK, partnerInvitationView(inv))
		}
	}
}

func (s *Server) partnerInvitation(c *gin.Context, id uuid.UUID, p web.Principal) (dbq.PartnerInvitationGetRow, bool) {
	inv, err := s.q.PartnerInvitationGet(c, dbq.PartnerInvitationGetParams{OpportunityID: id, PartnerID: p.PartnerID.UUID})
	if !s.found(c, err, "invitation") {
		return inv, false
	}
	return inv, true
}

func sharedOpportunityView(o dbq.SharedOpportunityListRow) SharedOpportunityView {
	v := SharedOpportunityView{ID: o.ID.String(), Mode: o.Mode, Status: o.Status, CustomerName: o.CustomerName,
		RegistrableDomain: o.RegistrableDomain, Country: o.Country, ProductLines: o.ProductLines, Amount: o.Amount,
		Currency: o.Currency, Capabilities: o.Capabilities, ExpectedCloseDate: o.ExpectedCloseDate.Format(time.DateOnly),
		Notes: o.Notes, SellerEmail: o.SellerEmail, DealStatus: o.DealStatus, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
		WinnerName: o.WinnerName.String}
	if o.WinnerPartnerID.Valid {
		v.WinnerPartnerID = o.WinnerPartnerID.UUID.String()
	}
	if o.DealID.Valid {
		v.DealID = o.DealID.UUID.String()
	}
	return v
}

func invitationView(i dbq.CosellInvitation, partnerName string) CoSellInvitationView {
	v := CoSellInvitationView{OpportunityID: i.OpportunityID.String(), PartnerID: i.PartnerID.String(), PartnerName: partnerName,
		Status: i.Status, Reason: i.Reason, InvitedAt: i.InvitedAt, ExpiresAt: i.ExpiresAt}
	if i.DealID.Valid {
		v.DealID = i.DealID.UUID.String()
	}
	if i.InterestedAt.Valid {
		t := i.InterestedAt.Time
		v.InterestedAt = &t
	}
	if i.DecidedAt.Valid {
		t := i.DecidedAt.Time
		v.DecidedAt = &t
	}
	return v
}

func partnerInvitationView(r dbq.PartnerInvitationGetRow) CoSellInvitationView {
	v := invitationView(dbq.CosellInvitation{OpportunityID: r.OpportunityID, PartnerID: r.PartnerID, Status: r.Status,
		DealID: r.DealID, Reason: r.Reason, InvitedAt: r.InvitedAt, ExpiresAt: r.ExpiresAt, InterestedAt: r.InterestedAt,
		DecidedAt: r.DecidedAt}, "")
	v.Mode, v.OpportunityStatus, v.CustomerName, v.RegistrableDomain = r.Mode, r.OpportunityStatus, r.CustomerName, r.RegistrableDomain
	v.Country, v.ProductLines, v.Amount, v.Currency = r.Country, r.ProductLines, r.Amount, r.Currency
	v.Capabilities, v.ExpectedCloseDate, v.Notes = r.Capabilities, r.ExpectedCloseDate.Format(time.DateOnly), r.Notes
	return v
}
