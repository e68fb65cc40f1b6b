package console

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/oidclogin"
	"github.com/dealflow/dealflow/internal/tokens"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

const (
	// oidcCookie binds a sign-in sent to the identity provider to the
	// browser that started it: it holds the state the callback must bring.
	oidcCookie = "dealflow_oidc"
	// oidcTTL is how long a person has at the provider's login page.
	oidcTTL = 10 * time.Minute
)

// oidcRoutes are vendor staff's sign-in through the OpenID Connect
// provider (docs/people.md): a link to the provider, and its callback.
func (s *Console) oidcRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/sign-in/oidc", nil, s.oidcStart},
		{http.MethodGet, "/console/sign-in/oidc/callback", nil, s.oidcCallback},
	}
}

// oidcStart sends the browser to the provider with a fresh state, nonce
// and PKCE challenge, keeping the state's hash, the nonce and the verifier
// for the callback and the state itself in a cookie.
func (s *Console) oidcStart(c *gin.Context) {
	if s.oidc == nil {
		s.oidcFailed(c, http.StatusNotFound, "Sign-in through an identity provider is not set up here.")
		return
	}
	addr := web.ClientAddress(c)
	if ok, wait := s.guard.Check(addr, s.now()); !ok {
		web.RetryAfter(c, wait)
		s.oidcFailed(c, http.StatusTooManyRequests, "Too many failed sign-ins from your address; try again in "+wait.Round(time.Second).String()+".")
		return
	}
	pd, err := s.oidc.Start(c)
	var refused *oidclogin.Error
	if errors.As(err, &refused) {
		s.oidcFailed(c, http.StatusBadGateway, refused.Msg)
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	now := s.now()
	if err := s.q.OIDCSignInsPrune(c, now); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if err := s.q.OIDCSignInStart(c, dbq.OIDCSignInStartParams{StateHash: tokens.Hash(pd.State), Nonce: pd.Nonce, Verifier: pd.Verifier,
		CreatedAt: now, ExpiresAt: now.Add(oidcTTL)}); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	setCookie(c, oidcCookie, pd.State, int(oidcTTL.Seconds()))
	c.Redirect(http.StatusFound, pd.URL)
}

// oidcCallback finishes a sign-in the provider sends back: the state must
// be this browser's and unused, the code is exchanged with the PKCE
// verifier, the ID token verified with its nonce; then the person's vendor
// users are refreshed from their groups (db.OIDCSignIn) and a session
// opens exactly as a password sign-in's does. Every refusal is the sign-in
// page saying why.
func (s *Console) oidcCallback(c *gin.Context) {
	if s.oidc == nil {
		s.oidcFailed(c, http.StatusNotFound, "Sign-in through an identity provider is not set up here.")
		return
	}
	addr := web.ClientAddress(c)
	if ok, wait := s.guard.Check(addr, s.now()); !ok {
		web.RetryAfter(c, wait)
		s.oidcFailed(c, http.StatusTooManyRequests, "Too many failed sign-ins from your address; try again in "+wait.Round(time.Second).String()+".")
		return
	}
	// A refusal here guesses no secret (the state is 256 random bits and
	// the provider checks the password), so it is not counted as a failed
	// sign-in; the address's request budget still applies.
	fail := func(status int, msg string) { s.oidcFailed(c, status, msg) }
	cookie, _ := c.Cookie(oidcCookie)
	clearCookie(c, oidcCookie)
	state := c.Query("state")
	if e := c.Query("error"); e != "" {
		msg := s.oidc.Name() + " did not sign you in (" + e + ")."
		if d := c.Query("error_description"); d != "" && domain.TextProblem(d, false) == "" && len(d) <= 300 {
			msg = s.oidc.Name() + " did not sign you in: " + d + "."
		}
		fail(http.StatusUnauthorized, msg)
		return
	}
	if state == "" || cookie == "" || subtle.ConstantTimeCompare([]byte(cookie), []byte(state)) != 1 {
		fail(http.StatusBadRequest, "This sign-in was not started in this browser, or it expired. Start again.")
		return
	}
	pending, err := s.q.OIDCSignInUse(c, dbq.OIDCSignInUseParams{At: s.now(), StateHash: tokens.Hash(state)})
	if db.IsNotFound(err) {
		fail(http.StatusBadRequest, "This sign-in was already used or has expired. Start again.")
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	code := c.Query("code")
	if code == "" || len(code) > 2048 {
		fail(http.StatusBadRequest, "The identity provider sent no authorization code. Start again.")
		return
	}
	id, err := s.oidc.Finish(c, code, pending.Nonce, pending.Verifier)
	var refused *oidclogin.Error
	if errors.As(err, &refused) {
		fail(http.StatusUnauthorized, refused.Msg)
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	user, err := db.OIDCSignIn(c, s.pool, db.OIDCStaff{Email: id.Email, Name: id.Name, Roles: id.Roles}, s.now())
	var no *db.SignInRefused
	if errors.As(err, &no) {
		fail(http.StatusForbidden, "You cannot sign in to dealflow: "+no.Msg+".")
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	sid := randomToken()
	if err := s.q.SessionCreateForUser(c, dbq.SessionCreateForUserParams{IDHash: tokens.Hash(sid),
		UserID: uuid.NullUUID{UUID: user.ID, Valid: true}, Csrf: randomToken(), ExpiresAt: s.now().Add(sessionTTL)}); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.enter(c, sid, domain.Role(user.Role))
}

// oidcFailed shows the sign-in page with why the provider's sign-in did
// not go through.
func (s *Console) oidcFailed(c *gin.Context, status int, msg string) {
	s.renderSignIn(c, status, msg)
}
