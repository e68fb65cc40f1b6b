package api

import (
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// referralRoutes are referral links, the public lead form and partners'
// referrals.
func (s *Server) referralRoutes() []Route {
	return []Route{
		{http.MethodPost, "/v1/referral-codes", web.PartnerRoles, s.createReferralCode},
		{http.MethodGet, "/v1/referral-codes", web.AllRoles, s.listReferralCodes},
		{http.MethodPost, "/v1/referral-landings", web.AdminRoles, s.addReferralLanding},
		{http.MethodPost, "/v1/referrals", web.PartnerRoles, s.createReferral},
		{http.MethodGet, "/r/:code", nil, s.referralClick},
		{http.MethodGet, "/lead-form", nil, s.leadForm},
		{http.MethodPost, "/lead-form", nil, s.submitLeadForm},
	}
}

// referralCookie carries a visitor's referral touches: up to
// maxCookieTouches "code~unixtime" entries joined by ".", oldest first
// (the first is always kept, so first-touch attribution survives).
const (
	referralCookie   = "dealflow_ref"
	maxCookieTouches = 5
)

// createReferralCode gives the calling partner user a new referral code.
// It takes no body (or an empty object): anything else is refused before a
// code is made.
func (s *Server) createReferralCode(c *gin.Context) {
	if !s.decodeJSON(c, &struct{}{}, true) {
		return
	}
	p := web.PrincipalOf(c)
	code := steps.NewReferralCode()
	row, err := s.q.ReferralCodeCreate(c, dbq.ReferralCodeCreateParams{Code: code, PartnerID: p.PartnerID.UUID,
		UserID: uuid.NullUUID{UUID: p.UserID, Valid: true}})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"code": row.Code, "partner_id": row.PartnerID, "url": "/r/" + row.Code, "created_at": row.CreatedAt})
}

// listReferralCodes lists codes with their click, lead and won counts: a
// partner its own, the vendor all.
func (s *Server) listReferralCodes(c *gin.Context) {
	rows, err := s.q.ReferralCodeList(c, web.PrincipalOf(c).Scope())
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"codes": rows})
}

type referralLandingRequest struct {
	URL string `json:"url" validate:"required,max=2000,printable"`
}

// addReferralLanding allows a landing URL referral links may redirect to.
func (s *Server) addReferralLanding(c *gin.Context) {
	var req referralLandingRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	if u, err := url.Parse(req.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		web.ValidationProblem(c, []web.FieldError{{Field: "url", Message: "must be an absolute http(s) URL"}})
		return
	}
	if err := s.q.ReferralLandingAdd(c, req.URL); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"url": req.URL})
}

// referralClick records a click on a referral link — the client address
// only as a salted hash, the browser's family, the time — adds the touch
// to the attribution cookie and redirects: to ?to= when that URL is on the
// allow-list, else to the public lead form. An unknown code is 404 and
// sets nothing.
func (s *Server) referralClick(c *gin.Context) {
	code := strings.ToLower(c.Param("code"))
	rc, err := s.q.ReferralCodeGet(c, code)
	if !s.found(c, err, "referral link") {
		return
	}
	now := s.now()
	if err := s.q.ReferralClickRecord(c, dbq.ReferralClickRecordParams{Code: rc.Code, ClientAddress: web.ClientAddress(c),
		UaFamily: uaFamily(c.GetHeader("User-Agent")), ClickedAt: now}); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	touches := appendTouch(cookieTouches(c), domain.Touch{Code: rc.Code, At: now})
	policy := s.defaultLeadPolicy(c)
	http.SetCookie(c.Writer, &http.Cookie{Name: referralCookie, Value: encodeTouches(touches), Path: "/",
		MaxAge: policy.AttributionDays * 24 * 3600, HttpOnly: true, Secure: c.Request.TLS != nil, SameSite: http.SameSiteLaxMode})
	target := "/lead-form?ref=" + rc.Code
	if to := c.Query("to"); to != "" {
		ok, err := s.q.ReferralLandingAllowed(c, to)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		if ok {
			target = to
		}
	}
	c.Redirect(http.StatusFound, target)
}

// defaultLeadPolicy is the default program's lead policy (the built-in
// defaults if it cannot be read).
func (s *Server) defaultLeadPolicy(c *gin.Context) domain.LeadPolicy {
	if p, err := s.q.LeadProgram(c, uuid.NullUUID{}); err == nil {
		if pol, err := domain.ParseLeadPolicy(p.LeadPolicy); err == nil {
			return pol
		}
	}
	return domain.DefaultLeadPolicy()
}

// uaFamily reduces a User-Agent to its browser family: all attribution
// needs, and nothing that fingerprints a person.
func uaFamily(ua string) string {
	l := strings.ToLower(ua)
	for _, f := range []struct{ needle, family string }{
		{"bot", "bot"}, {"spider", "bot"}, {"crawl", "bot"}, {"edg/", "edge"}, {"firefox/", "firefox"},
		{"chrome/", "chrome"}, {"safari/", "safari"}, {"curl/", "curl"},
	} {
		if strings.Contains(l, f.needle) {
			return f.family
		}
	}
	return "other"
}

// cookieTouches reads the attribution cookie; malformed entries are dropped.
func cookieTouches(c *gin.Context) []domain.Touch {
	v, err := c.Cookie(referralCookie)
	if err != nil {
		return nil
	}
	var out []domain.Touch
	for _, part := range strings.Split(v, ".") {
		code, ts, ok := strings.Cut(part, "~")
		sec, err := strconv.ParseInt(ts, 10, 64)
		if !ok || err != nil || !validCode(code) {
			continue
		}
		out = append(out, domain.Touch{Code: code, At: time.Unix(sec, 0).UTC()})
	}
	return out
}

func validCode(code string) bool {
	if len(code) < 6 || len(code) > 32 {
		return false
	}
	for _, r := range code {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// appendTouch adds t, keeping the first touch and the latest others.
func appendTouch(ts []domain.Touch, t domain.Touch) []domain.Touch {
	ts = append(ts, t)
	if len(ts) > maxCookieTouches {
		ts = append(ts[:1], ts[len(ts)-maxCookieTouches+1:]...)
	}
	return ts
}

func encodeTouches(ts []domain.Touch) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		parts = append(parts, t.Code+"~"+strconv.FormatInt(t.At.Unix(), 10))
	}
	return strings.Join(parts, ".")
}

// createReferral is a partner passing a lead to the vendor: recorded as a
// lead attributed to the partner, conflict-screened, and put in the
// vendor's queue (201 with the lead, its conflicts included).
func (s *Server) createReferral(c *gin.Context) {
	var req steps.CreateLeadRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	in, errs := steps.LeadInput(s.validate, &req, lead.SourcePartnerReferral)
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	if !s.programExists(c, in.ProgramID, "program_id") {
		return
	}
	p := web.PrincipalOf(c)
	id, err := uuid.NewV7()
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	in.LeadID, in.Creator = id.String(), p.Actor()
	in.Attribution = &lead.Attribution{PartnerID: p.PartnerID.UUID.String(), TouchedAt: s.now()}
	if _, err := s.leads.Create(c, in); err != nil {
		s.leadRefused(c, err)
		return
	}
	s.respondLead(c, http.StatusCreated, id)
}
