package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/mfa"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
)

// signInRoutes are the JSON side of people's sign-in beyond the password
// (docs/people.md): asking for a password reset or a sign-in link by
// e-mail and setting the new password (no token: the e-mailed link is the
// credential), and a person's own TOTP second factor.
func (s *Server) signInRoutes() []Route {
	return []Route{
		{http.MethodPost, "/v1/password-resets", nil, s.requestLink(domain.LinkReset)},
		{http.MethodPost, "/v1/password-resets/confirm", nil, s.confirmReset},
		{http.MethodPost, "/v1/sign-in-links", nil, s.requestLink(domain.LinkSignIn)},
		{http.MethodGet, "/v1/me/totp", domain.MFARoles, s.totpStatus},
		{http.MethodPost, "/v1/me/totp", domain.MFARoles, s.totpBegin},
		{http.MethodPost, "/v1/me/totp/confirm", domain.MFARoles, s.totpConfirm},
		{http.MethodPost, "/v1/me/totp/disable", domain.MFARoles, s.totpDisable},
	}
}

type linkRequest struct {
	Email string `json:"email" validate:"required,max=254,printable"`
}

type resetConfirmRequest struct {
	// Token is the token of the e-mailed reset link (its token= value).
	Token    string `json:"token" validate:"required,max=200,printable"`
	Password string `json:"password" validate:"required,max=1024,printable"`
}

type codeRequest struct {
	// Code is a 6-digit TOTP code or (to disable) a recovery code.
	Code string `json:"code" validate:"required,max=20,printable"`
}

// LinkRequestedView answers every link request alike: nothing says
// whether the address has an account.
type LinkRequestedView struct {
	Status string `json:"status"`
}

// TOTPEnrolmentView is a new TOTP secret, shown once: the base32 secret
// and its otpauth:// URI.
type TOTPEnrolmentView struct {
	Secret string `json:"secret"`
	URI    string `json:"uri"`
}

// RecoveryCodesView is the recovery codes of a confirmed enrolment, shown
// once.
type RecoveryCodesView struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

// admitVisitor runs the AuthGuard's check for a route without a token
// (it counts like a sign-in): false when it answered 429.
func (s *Server) admitVisitor(c *gin.Context) bool {
	if ok, wait := s.guard.Check(web.ClientAddress(c), s.now()); !ok {
		web.RetryAfter(c, wait)
		web.Fail(c, http.StatusTooManyRequests, web.ProblemRateLimited,
			"too many requests or failed authentications from your address; retry after the time in Retry-After")
		return false
	}
	return true
}

// requestLink mails a link of purpose p when the address is a person's,
// and answers 202 either way, no sooner than web.LinkRequestFloor. The
// link starts with DEALFLOW_CONSOLE_URL, never the request's Host.
func (s *Server) requestLink(p domain.LinkPurpose) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		if !s.admitVisitor(c) {
			return
		}
		var req linkRequest
		if !s.decodeJSON(c, &req, false) {
			return
		}
		if err := s.validate.Struct(&req); err != nil {
			web.ValidationProblem(c, web.FieldErrors(err))
			return
		}
		email, err := domain.NormalizeEmail(req.Email)
		if err != nil {
			web.ValidationProblem(c, []web.FieldError{{Field: "email", Message: err.Error()}})
			return
		}
		err = db.MailLink(c, s.pool, db.LinkRequest{Email: email, Purpose: p, Now: s.now(), LinkBase: s.cfg.ConsoleURL})
		web.Pad(start, web.LinkRequestFloor)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		c.JSON(http.StatusAccepted, LinkRequestedView{Status: "if the address belongs to an active account, a link is on its way"})
	}
}

// confirmReset sets a new password with a reset link's token: the link
// is used up and the person's console sessions end. A token that is
// unknown, used or expired: 422 on token (counted as a failed sign-in).
func (s *Server) confirmReset(c *gin.Context) {
	if !s.admitVisitor(c) {
		return
	}
	var req resetConfirmRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	_, err := db.ResetPassword(c, s.pool, strings.TrimSpace(req.Token), req.Password, s.now())
	var le *db.LinkError
	switch {
	case errors.As(err, &le):
		if le.Field == "token" {
			s.guard.Failed(web.ClientAddress(c), s.now())
		}
		web.ValidationProblem(c, []web.FieldError{{Field: le.Field, Message: le.Msg}})
	case err != nil:
		web.Unavailable(c, s.log, err)
	default:
		c.JSON(http.StatusOK, map[string]string{"status": "password changed; every console session ended"})
	}
}

// sealer is the server's TOTP sealer (DEALFLOW_TOTP_KEY; config.Load
// refused a key too short).
func (s *Server) sealer() mfa.Sealer {
	sl, _ := mfa.NewSealer(s.cfg.TOTPKey)
	return sl
}

// totpRefused answers the refusals of a TOTP step; false when err is
// none of them.
func (s *Server) totpRefused(c *gin.Context, err error) bool {
	switch {
	case errors.Is(err, db.ErrTOTPNotAllowed):
		web.Fail(c, http.StatusForbidden, web.ProblemForbidden, err.Error())
	case errors.Is(err, db.ErrBadCode):
		web.ValidationProblem(c, []web.FieldError{{Field: "code", Message: err.Error()}})
	case errors.Is(err, db.ErrTOTPEnabled), errors.Is(err, db.ErrTOTPNotPending), errors.Is(err, db.ErrTOTPNotEnabled),
		errors.Is(err, mfa.ErrNoKey):
		web.Fail(c, http.StatusConflict, web.ProblemConflict, err.Error())
	default:
		return false
	}
	return true
}

func (s *Server) totpStatus(c *gin.Context) {
	p, ok := personOf(c)
	if !ok {
		return
	}
	st, err := db.TOTPStatus(c, s.q, p.PersonID.UUID)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

// totpBegin starts the caller's enrolment: a new secret, shown once,
// that counts from the first valid code confirmed.
func (s *Server) totpBegin(c *gin.Context) {
	p, ok := personOf(c)
	if !ok {
		return
	}
	e, err := db.BeginTOTP(c, s.pool, s.sealer(), p.PersonID.UUID)
	if err != nil {
		if !s.totpRefused(c, err) {
			web.Unavailable(c, s.log, err)
		}
		return
	}
	c.JSON(http.StatusCreated, TOTPEnrolmentView{Secret: e.Secret, URI: e.URI})
}

// decodeCode decodes and validates a {code} body.
func (s *Server) decodeCode(c *gin.Context) (string, bool) {
	var req codeRequest
	if !s.decodeJSON(c, &req, false) {
		return "", false
	}
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return "", false
	}
	return strings.TrimSpace(req.Code), true
}

func (s *Server) totpConfirm(c *gin.Context) {
	code, ok := s.decodeCode(c)
	if !ok {
		return
	}
	p, ok := personOf(c)
	if !ok {
		return
	}
	codes, err := db.ConfirmTOTP(c, s.pool, s.sealer(), p.PersonID.UUID, code, s.now())
	if err != nil {
		if !s.totpRefused(c, err) {
			web.Unavailable(c, s.log, err)
		}
		return
	}
	c.JSON(http.StatusOK, RecoveryCodesView{RecoveryCodes: codes})
}

// totpDisable turns the caller's TOTP off with a current code; a wrong
// code counts against the address in the AuthGuard, as at sign-in.
func (s *Server) totpDisable(c *gin.Context) {
	code, ok := s.decodeCode(c)
	if !ok {
		return
	}
	p, ok := personOf(c)
	if !ok {
		return
	}
	if err := db.DisableTOTP(c, s.pool, s.sealer(), p.PersonID.UUID, code, s.now()); err != nil {
		if errors.Is(err, db.ErrBadCode) {
			s.guard.Failed(web.ClientAddress(c), s.now())
		}
		if !s.totpRefused(c, err) {
			web.Unavailable(c, s.log, err)
		}
		return
	}
	st, err := db.TOTPStatus(c, s.q, p.PersonID.UUID)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

// signInDocs documents signInRoutes for the OpenAPI description.
func signInDocs(docs map[string]routeDoc) {
	st := db.TOTPState{}
	docs["POST /v1/password-resets"] = routeDoc{Summary: "E-mail a password reset link (single-use, 30 minutes) if the address has an account; the answer is the same either way", Body: linkRequest{}, Response: LinkRequestedView{}, Status: 202}
	docs["POST /v1/password-resets/confirm"] = routeDoc{Summary: "Set a new password with a reset link's token (password policy applies; the person's console sessions end)", Body: resetConfirmRequest{}, Response: map[string]string{}}
	docs["POST /v1/sign-in-links"] = routeDoc{Summary: "E-mail a one-time sign-in link (15 minutes) if the address has an account; the answer is the same either way", Body: linkRequest{}, Response: LinkRequestedView{}, Status: 202}
	docs["GET /v1/me/totp"] = routeDoc{Summary: "The caller's TOTP second factor: enabled, pending, recovery codes left", Response: st}
	docs["POST /v1/me/totp"] = routeDoc{Summary: "Start a TOTP enrolment: a new secret and otpauth URI, shown once (active after confirm)", Response: TOTPEnrolmentView{}, Status: 201}
	docs["POST /v1/me/totp/confirm"] = routeDoc{Summary: "Confirm the enrolment with a valid code: TOTP is on; recovery codes shown once", Body: codeRequest{}, Response: RecoveryCodesView{}}
	docs["POST /v1/me/totp/disable"] = routeDoc{Summary: "Turn TOTP off with a current code or a recovery code", Body: codeRequest{}, Response: st}
}
