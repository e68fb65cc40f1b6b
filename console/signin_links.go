package console

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/tokens"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// mfaCookie holds the id of a second-factor challenge between the first
// factor (password or link) and the code.
const mfaCookie = "dealflow_mfa"

// signInLinkRoutes are the ways in besides a password or a token: a
// password reset by e-mailed link, a one-time sign-in link, and the
// second factor's code. All are open to visitors without a session; each
// form carries the sign-in page's cookie-bound CSRF token and goes through
// the shared AuthGuard.
func (s *Console) signInLinkRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/password-reset", nil, s.linkRequestPage(domain.LinkReset)},
		{http.MethodPost, "/console/password-reset", nil, s.linkRequest(domain.LinkReset)},
		{http.MethodGet, db.ResetPath, nil, s.resetPage},
		{http.MethodPost, db.ResetPath, nil, s.reset},
		{http.MethodGet, "/console/sign-in-link", nil, s.linkRequestPage(domain.LinkSignIn)},
		{http.MethodPost, "/console/sign-in-link", nil, s.linkRequest(domain.LinkSignIn)},
		{http.MethodGet, db.SignInLinkPath, nil, s.linkOpenPage},
		{http.MethodPost, db.SignInLinkPath, nil, s.linkOpen},
		{http.MethodGet, "/console/sign-in/totp", nil, s.challengePage},
		{http.MethodPost, "/console/sign-in/totp", nil, s.answerChallenge},
	}
}

// linkView is the page asking for a link, or saying it was sent.
type linkView struct {
	Purpose domain.LinkPurpose
	Sent    bool
	Email   string
	// Token is the link's token (reset and open forms).
	Token string
	// Message and Again: why a link cannot be used, and where to ask
	// for a new one.
	Message, Again string
}

// preForm mints the cookie-bound CSRF token of a form shown to a visitor
// without a session.
func preForm(c *gin.Context) string {
	pre := randomToken()
	setCookie(c, preCSRFCookie, pre, 1800)
	return pre
}

func (s *Console) renderPre(c *gin.Context, status int, name, title, msg string, v linkView) {
	s.render(c, status, name, page{Title: title, CSRF: preForm(c), Error: msg, Data: v})
}

func linkTitle(p domain.LinkPurpose) string {
	if p == domain.LinkReset {
		return "Reset your password"
	}
	return "Sign in by e-mail"
}

func (s *Console) linkRequestPage(p domain.LinkPurpose) gin.HandlerFunc {
	return func(c *gin.Context) {
		s.renderPre(c, http.StatusOK, "link_request.html", linkTitle(p), "", linkView{Purpose: p})
	}
}

// linkRequest mails a link of purpose p to the address typed, when it is
// a person's, and answers the same either way, no sooner than
// web.LinkRequestFloor: whether an address has an account is never told.
func (s *Console) linkRequest(p domain.LinkPurpose) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		again := func(status int, msg string) {
			s.renderPre(c, status, "link_request.html", linkTitle(p), msg, linkView{Purpose: p})
		}
		if _, ok := s.admittedOr(c, again); !ok {
			return
		}
		email, err := domain.NormalizeEmail(c.PostForm("email"))
		if err != nil {
			again(http.StatusUnprocessableEntity, err.Error())
			return
		}
		err = db.MailLink(c, s.pool, db.LinkRequest{Email: email, Purpose: p, Now: s.now(), LinkBase: s.consoleURL})
		web.Pad(start, web.LinkRequestFloor)
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		s.render(c, http.StatusOK, "link_request.html", page{Title: linkTitle(p), Data: linkView{Purpose: p, Sent: true, Email: email}})
	}
}

// linkGone is the page of a link that is unknown, used or expired.
func (s *Console) linkGone(c *gin.Context, p domain.LinkPurpose, msg string) {
	again := "/console/sign-in-link"
	if p == domain.LinkReset {
		again = "/console/password-reset"
	}
	clearCookie(c, preCSRFCookie)
	s.render(c, http.StatusGone, "link_gone.html", page{Title: "Link not valid",
		Data: linkView{Purpose: p, Message: strings.ToUpper(msg[:1]) + msg[1:], Again: again}})
}

// linkProblem answers err when it is a *db.LinkError about the token
// (true), counting it against the address as a failed sign-in.
func (s *Console) linkProblem(c *gin.Context, addr string, p domain.LinkPurpose, err error) bool {
	var le *db.LinkError
	if !errors.As(err, &le) || le.Field != "token" {
		return false
	}
	if addr != "" {
		s.guard.Failed(addr, s.now())
	}
	s.linkGone(c, p, le.Msg)
	return true
}

// resetPage opens a reset link: the new-password form, or why the link
// cannot be used (it is not used by opening it).
func (s *Console) resetPage(c *gin.Context) {
	tok := c.Query("token")
	if err := db.CheckLink(c, s.q, tok, domain.LinkReset, s.now()); err != nil {
		if !s.linkProblem(c, "", domain.LinkReset, err) {
			web.Unavailable(c, s.log, err)
		}
		return
	}
	s.renderPre(c, http.StatusOK, "reset.html", "Choose a new password", "", linkView{Purpose: domain.LinkReset, Token: tok})
}

// reset sets the new password under the password policy, uses the link
// up, ends the person's sessions everywhere, and sends the browser to
// sign in with the new password.
func (s *Console) reset(c *gin.Context) {
	tok := strings.TrimSpace(c.PostForm("token"))
	again := func(status int, msg string) {
		s.renderPre(c, status, "reset.html", "Choose a new password", msg, linkView{Purpose: domain.LinkReset, Token: tok})
	}
	addr, ok := s.admittedOr(c, again)
	if !ok {
		return
	}
	if c.PostForm("password") != c.PostForm("password2") {
		again(http.StatusUnprocessableEntity, "The two passwords differ.")
		return
	}
	_, err := db.ResetPassword(c, s.pool, tok, c.PostForm("password"), s.now())
	var le *db.LinkError
	switch {
	case s.linkProblem(c, addr, domain.LinkReset, err):
	case errors.As(err, &le):
		again(http.StatusUnprocessableEntity, le.Msg)
	case err != nil:
		web.Unavailable(c, s.log, err)
	default:
		clearCookie(c, sessionCookie)
		clearCookie(c, preCSRFCookie)
		c.Redirect(http.StatusSeeOther, "/console/sign-in?done="+url.QueryEscape("Your password was changed and every session ended; sign in with the new password."))
	}
}

// linkOpenPage opens a sign-in link: a button that signs in (opening the
// link alone uses nothing, so a mail scanner following it does no harm),
// or why the link cannot be used.
func (s *Console) linkOpenPage(c *gin.Context) {
	tok := c.Query("token")
	if err := db.CheckLink(c, s.q, tok, domain.LinkSignIn, s.now()); err != nil {
		if !s.linkProblem(c, "", domain.LinkSignIn, err) {
			web.Unavailable(c, s.log, err)
		}
		return
	}
	s.renderPre(c, http.StatusOK, "link_open.html", "Sign in", "", linkView{Purpose: domain.LinkSignIn, Token: tok})
}

// linkOpen uses the sign-in link and signs in (or asks for the second
// factor first).
func (s *Console) linkOpen(c *gin.Context) {
	tok := strings.TrimSpace(c.PostForm("token"))
	addr, ok := s.admittedOr(c, func(status int, msg string) {
		s.renderPre(c, status, "link_open.html", "Sign in", msg, linkView{Purpose: domain.LinkSignIn, Token: tok})
	})
	if !ok {
		return
	}
	who, err := db.UseSignInLink(c, s.pool, tok, s.now())
	if s.linkProblem(c, addr, domain.LinkSignIn, err) {
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.firstFactorPassed(c, who.UserID, domain.Role(who.Role), who.TotpEnabled)
}

// firstFactorPassed signs user in after a password or a link: a session
// at once, or, when the person has a second factor, a short challenge
// that the code answers.
func (s *Console) firstFactorPassed(c *gin.Context, user uuid.UUID, role domain.Role, secondFactor bool) {
	if secondFactor {
		id, err := db.StartChallenge(c, s.q, user, s.now())
		if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
		setCookie(c, mfaCookie, id, int(domain.MFAChallengeTTL.Seconds()))
		c.Redirect(http.StatusSeeOther, "/console/sign-in/totp")
		return
	}
	s.openSession(c, user, role)
}

// openSession opens a console session for user and enters the console.
func (s *Console) openSession(c *gin.Context, user uuid.UUID, role domain.Role) {
	id := randomToken()
	if err := s.q.SessionCreateForUser(c, dbq.SessionCreateForUserParams{IDHash: tokens.Hash(id),
		UserID: uuid.NullUUID{UUID: user, Valid: true}, Csrf: randomToken(), ExpiresAt: s.now().Add(sessionTTL)}); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.enter(c, id, role)
}

func (s *Console) challengePage(c *gin.Context) {
	if id, err := c.Cookie(mfaCookie); err != nil || id == "" {
		c.Redirect(http.StatusSeeOther, "/console/sign-in")
		return
	}
	s.renderPre(c, http.StatusOK, "totp_challenge.html", "Second factor", "", linkView{})
}

// answerChallenge checks the second factor's code (TOTP, or a recovery
// code) and opens the session. Each wrong code counts against the
// address in the AuthGuard and against the challenge, which ends after
// domain.MFAMaxFailures.
func (s *Console) answerChallenge(c *gin.Context) {
	again := func(status int, msg string) {
		s.renderPre(c, status, "totp_challenge.html", "Second factor", msg, linkView{})
	}
	addr, ok := s.admittedOr(c, again)
	if !ok {
		return
	}
	id, _ := c.Cookie(mfaCookie)
	code := strings.TrimSpace(c.PostForm("code"))
	if !codeShape(code) {
		again(http.StatusUnprocessableEntity, "A code is 6 digits, or a recovery code such as ABCDE-FGHJK.")
		return
	}
	ch, ok, err := db.AnswerChallenge(c, s.pool, s.totp, id, code, s.now())
	switch {
	case errors.Is(err, db.ErrChallengeGone):
		clearCookie(c, mfaCookie)
		s.renderSignIn(c, http.StatusUnauthorized, "The sign-in expired or had too many wrong codes; sign in again.")
	case err != nil:
		web.Unavailable(c, s.log, err)
	case !ok:
		s.guard.Failed(addr, s.now())
		again(http.StatusUnauthorized, "That code is not valid (or was already used).")
	default:
		clearCookie(c, mfaCookie)
		s.openSession(c, ch.UserID, domain.Role(ch.Role))
	}
}

// codeShape: a code as typed is short and printable ASCII.
func codeShape(code string) bool {
	if code == "" || len(code) > 20 {
		return false
	}
	for _, r := range code {
		if r < 0x21 && r != ' ' || r > 0x7e {
			return false
		}
	}
	return true
}
