package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/cosell"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// sharerRoles share opportunities, as in the API: sellers (their own),
// channel managers and admins (all).
var sharerRoles = []domain.Role{domain.RoleSalesRep, domain.RoleChannelManager, domain.RoleAdmin}

// sharedOpportunityRoutes are the vendor → partner pages: the seller's
// "Shared opportunities" (create form, list with invitation states, choose
// and withdraw) and the partner's "Invitations" (accept, decline with a
// reason, express interest), at the API's paths under /console.
func (s *Console) sharedOpportunityRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/cosell/opportunities", sharerRoles, s.sharedOpportunityList},
		{http.MethodGet, "/console/cosell/opportunities/new", sharerRoles, s.sharedOpportunityList},
		{http.MethodPost, "/console/cosell/opportunities", sharerRoles, s.shareOpportunity},
		{http.MethodPost, "/console/cosell/opportunities/:id/choose", sharerRoles, s.sellerOpportunityStep(cosell.UpdateChoose)},
		{http.MethodPost, "/console/cosell/opportunities/:id/withdraw", sharerRoles, s.sellerOpportunityStep(cosell.UpdateWithdraw)},
		{http.MethodGet, "/console/cosell/invitations", web.PartnerRoles, s.invitationList},
		{http.MethodPost, "/console/cosell/invitations/:id/accept", web.PartnerRoles, s.invitationStep(cosell.UpdateInvitationAccept)},
		{http.MethodPost, "/console/cosell/invitations/:id/decline", web.PartnerRoles, s.invitationStep(cosell.UpdateInvitationDecline)},
		{http.MethodPost, "/console/cosell/invitations/:id/interest", web.PartnerRoles, s.invitationStep(cosell.UpdateInvitationInterest)},
	}
}

// sharedOpportunityRow is one opportunity on the seller's page with its invitations.
type sharedOpportunityRow struct {
	dbq.SharedOpportunityListRow
	Invitations []dbq.SharedOpportunityInvitationsOfRow
}

// sharedOpportunityPage is the seller's page: the create form, prefilled
// when the seller came from the account mapping, and the opportunities.
type sharedOpportunityPage struct {
	Prefill sharePrefill
	Rows    []sharedOpportunityRow
}

// sharePrefill fills the create form from one of the seller's accounts and
// the partner the mapping showed knows it (`?account=&partner=`).
type sharePrefill struct {
	Customer, Domain, Country, PartnerID string
}

// sharePrefillFrom reads the prefill of ?account= (an account the seller
// owns; another one, or none, leaves the form empty) and ?partner=.
func (s *Console) sharePrefillFrom(c *gin.Context, seller pgtype.Text) (sharePrefill, error) {
	var out sharePrefill
	if id, err := uuid.Parse(c.Query("partner")); err == nil {
		out.PartnerID = id.String()
	}
	id, err := uuid.Parse(c.Query("account"))
	if err != nil {
		return out, nil
	}
	acc, err := s.q.CoSellAccountPrefill(c, dbq.CoSellAccountPrefillParams{ID: id, ScopeSellerEmail: seller})
	if errors.Is(err, pgx.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	out.Customer, out.Domain, out.Country = acc.Name, acc.Domain, acc.Country
	return out, nil
}

// sharedOpportunityList shows the create form and the opportunities p
// may see (a seller: those they shared), with their invitations.
func (s *Console) sharedOpportunityList(c *gin.Context) {
	p := web.PrincipalOf(c)
	seller, err := s.read.SellerScope(c, p)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	rows, err := s.q.SharedOpportunityList(c, dbq.SharedOpportunityListParams{ScopeSellerEmail: seller})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	invs, err := s.q.SharedOpportunityInvitationsOf(c, ids)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	byOpportunity := make(map[uuid.UUID][]dbq.SharedOpportunityInvitationsOfRow, len(rows))
	for _, i := range invs {
		byOpportunity[i.OpportunityID] = append(byOpportunity[i.OpportunityID], i)
	}
	out := make([]sharedOpportunityRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, sharedOpportunityRow{SharedOpportunityListRow: r, Invitations: byOpportunity[r.ID]})
	}
	prefill, err := s.sharePrefillFrom(c, seller)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.render(c, http.StatusOK, "shared_opportunities.html", page{Title: "Shared opportunities", Data: sharedOpportunityPage{Prefill: prefill, Rows: out}})
}

func (s *Console) backTo(c *gin.Context, path, msg string) {
	c.Redirect(http.StatusSeeOther, path+"?done="+url.QueryEscape(msg))
}

// shareOpportunity takes the create form through the same rules as the API.
func (s *Console) shareOpportunity(c *gin.Context) {
	const list = "/console/cosell/opportunities"
	var req steps.ShareRequest
	if msg := req.FillForm(c.PostForm, c.PostFormArray); msg != "" {
		s.backTo(c, list, "Not done: "+msg)
		return
	}
	req.Normalize()
	if err := s.validate.Struct(&req); err != nil {
		s.backTo(c, list, "Not done: "+web.FieldErrorText(web.FieldErrors(err)))
		return
	}
	in, errs := req.Input(s.now(), s.today())
	if len(errs) == 0 {
		var err error
		if in.Partners, err = s.read.EligiblePartners(c, req.Partners(), steps.MaxInvitedPartners+1); err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		errs = steps.CheckPartners(in.Partners)
	}
	if len(errs) > 0 {
		s.backTo(c, list, "Not done: "+web.FieldErrorText(errs))
		return
	}
	p := web.PrincipalOf(c)
	email, err := s.read.CallerEmail(c, p)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if p.Role == domain.RoleSalesRep && email == "" {
		s.backTo(c, list, "Not done: a seller shares opportunities under their e-mail; you have none")
		return
	}
	in.OpportunityID = uuid.NewString()
	in.Seller = cosell.Caller{Actor: p.Actor(), Email: strings.ToLower(email)}
	if _, err := s.cosell.Share(c, in); err != nil {
		s.backTo(c, list, "Not done: "+refusalText(err))
		return
	}
	s.backTo(c, list, fmt.Sprintf("Done: shared with %d partner(s)", len(in.Partners)))
}

// sellerOpportunityStep sends the seller's choose or withdraw from a form.
func (s *Console) sellerOpportunityStep(update string) gin.HandlerFunc {
	return func(c *gin.Context) {
		const list = "/console/cosell/opportunities"
		p := web.PrincipalOf(c)
		id, err := uuid.Parse(c.Param("id"))
		if err != nil {
			s.pageNotFound(c)()
			return
		}
		seller, err := s.read.SellerScope(c, p)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		if _, err := s.q.SharedOpportunityGet(c, dbq.SharedOpportunityGetParams{ID: id, ScopeSellerEmail: seller}); err != nil {
			s.pageNotFound(c)()
			return
		}
		email, err := s.read.CallerEmail(c, p)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		caller := cosell.Caller{Actor: p.Actor(), Email: strings.ToLower(email)}
		reason := strings.TrimSpace(c.PostForm("reason"))
		var arg any = cosell.Decision{Caller: caller, Reason: reason}
		if update == cosell.UpdateChoose {
			arg = cosell.Choice{Caller: caller, PartnerID: strings.ToLower(strings.TrimSpace(c.PostForm("partner_id"))), Reason: reason}
		}
		if _, err := s.cosell.OpportunityStep(c, id.String(), update, arg); err != nil {
			s.backTo(c, list, "Not done: "+refusalText(err))
			return
		}
		s.backTo(c, list, "Done: "+update)
	}
}

// invitationList shows the partner's own invitations (scoped in SQL).
func (s *Console) invitationList(c *gin.Context) {
	p := web.PrincipalOf(c)
	rows, err := s.q.PartnerInvitationList(c, dbq.PartnerInvitationListParams{PartnerID: p.PartnerID.UUID})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.render(c, http.StatusOK, "invitations.html", page{Title: "Invitations", Data: rows})
}

// invitationStep sends a partner's step on its invitation from a form;
// another partner's invitation is not found.
func (s *Console) invitationStep(update string) gin.HandlerFunc {
	return func(c *gin.Context) {
		const list = "/console/cosell/invitations"
		p := web.PrincipalOf(c)
		id, err := uuid.Parse(c.Param("id"))
		if err != nil {
			s.pageNotFound(c)()
			return
		}
		if _, err := s.q.PartnerInvitationGet(c, dbq.PartnerInvitationGetParams{OpportunityID: id, PartnerID: p.PartnerID.UUID}); err != nil {
			s.pageNotFound(c)()
			return
		}
		reason := strings.TrimSpace(c.PostForm("reason"))
		if len(reason) > workflows.MaxReasonLength {
			s.backTo(c, list, "Not done: the reason is too long")
			return
		}
		if _, err := s.cosell.OpportunityStep(c, id.String(), update, cosell.InvitationStep{Actor: p.Actor(), Reason: reason}); err != nil {
			s.backTo(c, list, "Not done: "+refusalText(err))
			return
		}
		s.backTo(c, list, "Done: "+update)
	}
}

// refusalText is what a refused step tells the person.
func refusalText(err error) string {
	if r, ok := workflows.AsRefusal(err); ok {
		return r.Message
	}
	return "the opportunity could not be reached; try again"
}
