package console

import (
	"net/http"
	"net/url"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// referralRoutes are the referral link pages: a partner creates codes and
// sees each with its clicks, leads and won deals, and its URL to copy.
func (s *Console) referralRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/referral-codes", web.AllRoles, s.referralCodes},
		{http.MethodPost, "/console/referral-codes", web.PartnerRoles, s.referralCodeCreate},
	}
}

// referralCodesPage lists codes with their links.
type referralCodesPage struct {
	Codes []dbq.ReferralCodeListRow
	// Base starts each link (the console's address; "" for relative).
	Base string
}

// referralCodes lists codes through the API's scoped query: a partner its
// own, the vendor every code.
func (s *Console) referralCodes(c *gin.Context) {
	rows, err := s.q.ReferralCodeList(c, web.PrincipalOf(c).Scope())
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.render(c, http.StatusOK, "referral_codes.html", page{Title: "Referral links", Data: referralCodesPage{Codes: rows, Base: s.consoleURL}})
}

// referralCodeCreate gives the partner user a new code, as POST
// /v1/referral-codes does.
func (s *Console) referralCodeCreate(c *gin.Context) {
	p := web.PrincipalOf(c)
	row, err := s.q.ReferralCodeCreate(c, dbq.ReferralCodeCreateParams{Code: steps.NewReferralCode(), PartnerID: p.PartnerID.UUID,
		UserID: uuid.NullUUID{UUID: p.UserID, Valid: true}})
	if err != nil {
		c.Redirect(http.StatusSeeOther, "/console/referral-codes?done="+url.QueryEscape("Not done: the code could not be saved; try again"))
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/referral-codes?done="+url.QueryEscape("Done: link /r/"+row.Code+" created"))
}
