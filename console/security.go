package console

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/mfa"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
)

// securityRoutes are a person's own second factor: enrol (a secret shown
// once, confirmed by a code), see it, turn it off (with a code).
func (s *Console) securityRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/security", domain.MFARoles, s.security},
		{http.MethodPost, "/console/security/totp", domain.MFARoles, s.totpBegin},
		{http.MethodPost, "/console/security/totp/confirm", domain.MFARoles, s.totpConfirm},
		{http.MethodPost, "/console/security/totp/disable", domain.MFARoles, s.totpDisable},
	}
}

// securityView is the security page.
type securityView struct {
	State      db.TOTPState
	Configured bool
	NoPerson   bool
	// Enrolment is a secret just made, shown this once.
	Enrolment *mfa.Enrolment
	// RecoveryCodes were just made, shown this once.
	RecoveryCodes []string
}

func (s *Console) security(c *gin.Context) { s.renderSecurity(c, http.StatusOK, securityView{}, "") }

func (s *Console) renderSecurity(c *gin.Context, status int, v securityView, msg string) {
	p := web.PrincipalOf(c)
	v.Configured = s.totp.Enabled()
	if !p.PersonID.Valid {
		v.NoPerson = true
	} else {
		st, err := db.TOTPStatus(c, s.q, p.PersonID.UUID)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		v.State = st
	}
	s.render(c, status, "security.html", page{Title: "Security", Error: msg, Data: v})
}

// totpRefusal answers the refusals of an enrolment step; false when err
// is none of them.
func (s *Console) totpRefusal(c *gin.Context, err error) bool {
	status := http.StatusConflict
	switch {
	case errors.Is(err, db.ErrTOTPNotAllowed):
		status = http.StatusForbidden
	case errors.Is(err, db.ErrBadCode):
		status = http.StatusUnprocessableEntity
	case errors.Is(err, db.ErrTOTPEnabled), errors.Is(err, db.ErrTOTPNotPending), errors.Is(err, db.ErrTOTPNotEnabled),
		errors.Is(err, mfa.ErrNoKey):
	default:
		return false
	}
	s.renderSecurity(c, status, securityView{}, strings.ToUpper(err.Error()[:1])+err.Error()[1:]+".")
	return true
}

// person is the signed-in person, or a page saying a service user has
// no second factor.
func (s *Console) person(c *gin.Context) (web.Principal, bool) {
	p := web.PrincipalOf(c)
	if !p.PersonID.Valid {
		s.renderSecurity(c, http.StatusConflict, securityView{}, "A second factor belongs to a person, not to a service user.")
		return p, false
	}
	return p, true
}

func (s *Console) totpBegin(c *gin.Context) {
	p, ok := s.person(c)
	if !ok {
		return
	}
	e, err := db.BeginTOTP(c, s.pool, s.totp, p.PersonID.UUID)
	if err != nil {
		if !s.totpRefusal(c, err) {
			web.Unavailable(c, s.log, err)
		}
		return
	}
	s.renderSecurity(c, http.StatusOK, securityView{Enrolment: &e}, "")
}

// formCode is the code field of a form, or a 422 page.
func (s *Console) formCode(c *gin.Context) (string, bool) {
	code := strings.TrimSpace(c.PostForm("code"))
	if !codeShape(code) {
		s.renderSecurity(c, http.StatusUnprocessableEntity, securityView{}, "A code is 6 digits, or a recovery code such as ABCDE-FGHJK.")
		return "", false
	}
	return code, true
}

func (s *Console) totpConfirm(c *gin.Context) {
	p, ok := s.person(c)
	if !ok {
		return
	}
	code, ok := s.formCode(c)
	if !ok {
		return
	}
	codes, err := db.ConfirmTOTP(c, s.pool, s.totp, p.PersonID.UUID, code, s.now())
	if err != nil {
		if !s.totpRefusal(c, err) {
			web.Unavailable(c, s.log, err)
		}
		return
	}
	s.renderSecurity(c, http.StatusOK, securityView{RecoveryCodes: codes}, "")
}

func (s *Console) totpDisable(c *gin.Context) {
	p, ok := s.person(c)
	if !ok {
		return
	}
	code, ok := s.formCode(c)
	if !ok {
		return
	}
	if err := db.DisableTOTP(c, s.pool, s.totp, p.PersonID.UUID, code, s.now()); err != nil {
		if errors.Is(err, db.ErrBadCode) { // guessing codes with a stolen session is throttled
			s.guard.Failed(web.ClientAddress(c), s.now())
		}
		if !s.totpRefusal(c, err) {
			web.Unavailable(c, s.log, err)
		}
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/security?done="+url.QueryEscape("Two-step sign-in is off."))
}
