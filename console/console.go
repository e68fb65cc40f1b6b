// Package console is dealflow's web console: server-rendered pages for
// partners, channel managers and finance, from templates and static files
// embedded in the binary (nothing loads from the internet), mounted on the
// API's router by cmd/dealflow (api.Server.Handler(console)). It signs in
// with an API token into a session (HttpOnly, SameSite=Lax, Secure behind
// TLS); every form carries the session's CSRF token; every page declares
// its roles in Routes. It reads through the read layer (read) and acts
// through the typed clients (workflows/deal, workflows/incentive) and the
// step tables (internal/steps), exactly as the JSON API does, and imports
// nothing of the API's: the plumbing both need is internal/web.
//
// Each context's pages are one file here with a routes method (deals.go:
// dealRoutes, cycles.go: cycleRoutes, ...) that Routes gathers.
package console

import (
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
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

//go:embed templates/*.html templates/partials/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

const (
	sessionCookie  = "dealflow_session"
	preCSRFCookie  = "dealflow_signin"
	sessionTTL     = 12 * time.Hour
	ctxConsoleCSRF = "dealflow.console_csrf"
)

var consolePages = func() map[string]*template.Template {
	funcs := template.FuncMap{
		"money": func(v int64, cur string) string { return domain.FormatMinor(v, cur) + " " + cur },
		"date":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		"day":   func(t time.Time) string { return t.UTC().Format(time.DateOnly) },
		"lower": strings.ToLower,
		"title": func(s string) string { return strings.ReplaceAll(s, "_", " ") },
		"join":  strings.Join,
		"pct":   func(bp int64) string { return domain.FormatMinor(bp, "USD") + " %" },
		// daysTil counts whole days from now (the page's clock) to t.
		"daysTil": func(now, t time.Time) int { return int(t.Sub(now).Hours() / 24) },
	}
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html"))
	pages := map[string]*template.Template{}
	entries, _ := fs.Glob(templateFS, "templates/*.html")
	for _, e := range entries {
		name := strings.TrimPrefix(e, "templates/")
		if name == "layout.html" {
			continue
		}
		pages[name] = template.Must(template.Must(layout.Clone()).ParseFS(templateFS, e))
	}
	return pages
}()

// page is what every console template gets.
type page struct {
	Title     string
	Principal *web.Principal
	CSRF      string
	Flash     string
	Error     string
	Data      any
	// Now is the server clock's instant the page is rendered at, for
	// countdowns.
	Now time.Time
	// SignInWith names the identity provider the sign-in page offers
	// vendor staff ("" when none is set up).
	SignInWith string
	// Unread counts the principal's unread notifications (the header's
	// badge).
	Unread int64
}

// render writes a page with the layout, the principal and its CSRF token.
func (s *Console) render(c *gin.Context, status int, name string, p page) {
	if pr, ok := web.MaybePrincipal(c); ok {
		p.Principal = &pr
		p.Unread = s.unreadBadge(c, pr)
	}
	if v, ok := c.Get(ctxConsoleCSRF); ok {
		p.CSRF = v.(string)
	}
	if p.Flash == "" && p.Error == "" {
		p.Flash = c.Query("done")
	}
	p.Now = s.now()
	if name == "signin.html" && s.oidc != nil {
		p.SignInWith = s.oidc.Name()
	}
	// nosniff, no-store and X-Frame-Options: responseHeaders, on every answer.
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	c.Status(status)
	if err := consolePages[name].ExecuteTemplate(c.Writer, "layout.html", p); err != nil {
		s.log.Error("console page", "page", name, "err", err)
	}
}

// Route is one console page or form and the roles that may use it (none:
// open to all, as the sign-in page).
type Route struct {
	Method, Path string
	Roles        []domain.Role
	Handler      gin.HandlerFunc
}

// Routes lists every console page and form with who may use them: like
// api.Server.Routes for the API, the single place the console's
// authorization is declared. Each context's file adds its own.
func (s *Console) Routes() []Route {
	var out []Route
	for _, routes := range []func() []Route{s.stepRoutes, s.sessionRoutes, s.dealRoutes, s.cycleRoutes, s.statementRoutes, s.dashboardRoutes, s.leadRoutes, s.peopleRoutes, s.coSellRoutes, s.signInLinkRoutes, s.securityRoutes, s.oidcRoutes, s.scorecardRoutes, s.quoteRoutes, s.quoteDocRoutes, s.analyticsRoutes, s.notificationRoutes, s.leadAdminRoutes, s.referralRoutes, s.mappingRoutes, s.leadManageRoutes, s.programRoutes, s.coSellPolicyRoutes} {
		out = append(out, routes()...)
	}
	return out
}

// sessionRoutes are the way in and out.
func (s *Console) sessionRoutes() []Route {
	return []Route{
		{http.MethodGet, "/", nil, s.root},
		{http.MethodGet, "/console", nil, s.home},
		{http.MethodGet, "/console/sign-in", nil, s.signInPage},
		{http.MethodPost, "/console/sign-in", nil, s.signIn},
		{http.MethodPost, "/console/sign-out", domain.TokenRoles, s.signOut}, // every role, sellers too
	}
}

// Mount adds the console's static files and every route of Routes to r,
// each behind the session, its roles and (for a form) the CSRF check.
func (s *Console) Mount(r *gin.Engine) {
	static, _ := fs.Sub(staticFS, "static")
	r.StaticFS("/console/static", filesOnly{http.FS(static)})
	for _, rt := range s.Routes() {
		chain := []gin.HandlerFunc{}
		if len(rt.Roles) > 0 {
			chain = append(chain, s.session, allow(rt.Roles...))
		}
		if rt.Method == http.MethodPost && len(rt.Roles) > 0 {
			chain = append(chain, checkCSRF)
		}
		r.Handle(rt.Method, rt.Path, append(chain, rt.Handler)...)
	}
}

// session resolves the session cookie to a principal, or sends the
// browser to sign in.
func (s *Console) session(c *gin.Context) {
	id, err := c.Cookie(sessionCookie)
	if err != nil || id == "" {
		c.Redirect(http.StatusSeeOther, "/console/sign-in")
		c.Abort()
		return
	}
	row, err := s.q.PrincipalBySession(c, dbq.PrincipalBySessionParams{IDHash: tokens.Hash(id), Now: s.now()})
	if db.IsNotFound(err) {
		clearCookie(c, sessionCookie)
		c.Redirect(http.StatusSeeOther, "/console/sign-in")
		c.Abort()
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		c.Abort()
		return
	}
	web.SetPrincipal(c, web.Principal{UserID: row.UserID, Name: row.Name, Role: domain.Role(row.Role), PartnerID: row.PartnerID,
		PersonID: row.PersonID})
	c.Set(ctxConsoleCSRF, row.Csrf)
	c.Next()
}

// allow answers 403 with a page unless the principal holds a role.
func allow(roles ...domain.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := web.PrincipalOf(c)
		if p.HasRole(roles...) {
			c.Next()
			return
		}
		c.Header("Content-Type", "text/html; charset=utf-8")
		c.String(http.StatusForbidden, "<!doctype html><title>Forbidden</title><p>Your role (%s) may not open this page. <a href=\"/console\">Back</a></p>", p.Role)
		c.Abort()
	}
}

// Console form bodies are bounded before anything reads them: a form
// at consoleFormMaxBytes, one that carries a file at consoleUploadMaxBytes
// (the larger CSV upload and the form's other fields): checkCSRF bounds
// every console POST, so the upload handlers need no bound of their own.
const (
	consoleFormMaxBytes   = 1 << 20
	consoleUploadMaxBytes = max(mappingUploadMaxBytes, leadImportMaxBytes) + 64<<10
	// consoleMultipartMemory is how much of a multipart form is held in
	// memory; the rest of a file waits in a temporary file.
	consoleMultipartMemory = 8 << 20
)

// checkCSRF refuses a form whose csrf field is not the session's token. It
// reads the form within its bound first: a larger body is refused (413)
// when the bound is reached, not read to its end to find the token.
func checkCSRF(c *gin.Context) {
	limit := int64(consoleFormMaxBytes)
	multipartForm := strings.HasPrefix(c.ContentType(), "multipart/")
	if multipartForm {
		limit = consoleUploadMaxBytes
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	var err error
	if multipartForm {
		err = c.Request.ParseMultipartForm(consoleMultipartMemory)
	} else {
		err = c.Request.ParseForm()
	}
	if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
		c.String(http.StatusRequestEntityTooLarge, "the form is larger than %d MiB", limit>>20)
		c.Abort()
		return
	}
	want, _ := c.Get(ctxConsoleCSRF)
	got := c.PostForm("csrf")
	if got == "" {
		got = c.GetHeader("X-CSRF-Token")
	}
	if w, ok := want.(string); !ok || subtle.ConstantTimeCompare([]byte(w), []byte(got)) != 1 {
		c.String(http.StatusForbidden, "the form's CSRF token is missing or stale; reload the page")
		c.Abort()
		return
	}
	c.Next()
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func secure(c *gin.Context) bool {
	return c.Request.TLS != nil || strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https")
}

func setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: "/console", MaxAge: maxAge, HttpOnly: true,
		Secure: secure(c), SameSite: http.SameSiteLaxMode})
}

func clearCookie(c *gin.Context, name string) { setCookie(c, name, "", -1) }

// filesOnly serves files and nothing else: a directory is not found, so
// the static files' directory is never listed.
type filesOnly struct{ fs http.FileSystem }

func (f filesOnly) Open(name string) (http.File, error) {
	file, err := f.fs.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := file.Stat(); err != nil || st.IsDir() {
		file.Close()
		return nil, fs.ErrNotExist
	}
	return file, nil
}

// root brings whoever opens dealflow's address to the console, which asks
// them to sign in when they have no session.
func (s *Console) root(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/console") }

// home sends a signed-in browser to its role's home page (one without a
// session signs in first).
func (s *Console) home(c *gin.Context) {
	id, err := c.Cookie(sessionCookie)
	if err != nil || id == "" {
		c.Redirect(http.StatusSeeOther, "/console/deals")
		return
	}
	row, err := s.q.PrincipalBySession(c, dbq.PrincipalBySessionParams{IDHash: tokens.Hash(id), Now: s.now()})
	if err != nil {
		c.Redirect(http.StatusSeeOther, "/console/deals")
		return
	}
	c.Redirect(http.StatusSeeOther, homeOf(domain.Role(row.Role)))
}

// homeOf is the page a role lands on: a seller's engagements, a
// manager's inbox, finance's cycles, a partner's deals.
func homeOf(role domain.Role) string {
	switch role {
	case domain.RoleSalesRep:
		return "/console/cosell/engagements"
	case domain.RoleChannelManager, domain.RoleAdmin:
		return "/console/inbox"
	case domain.RoleFinance:
		return "/console/cycles"
	}
	return "/console/deals"
}

// signInPage shows the token form; a cookie-bound token protects the
// sign-in itself from cross-site forgery.
func (s *Console) signInPage(c *gin.Context) {
	pre := randomToken()
	setCookie(c, preCSRFCookie, pre, 600)
	s.render(c, http.StatusOK, "signin.html", page{Title: "Sign in", CSRF: pre})
}

// signInAdmitted runs what every sign-in form checks before it looks at
// the credentials: the client address's throttle (web.AuthGuard, shared
// with the API) and the form's own CSRF cookie. It answers the refusal
// itself and returns the client address when the sign-in may go on.
func (s *Console) signInAdmitted(c *gin.Context) (string, bool) {
	return s.admittedOr(c, func(status int, msg string) { s.renderSignIn(c, status, msg) })
}

// admittedOr is signInAdmitted for any form a visitor without a session
// sends (a reset, a link, a code), answering a refusal with again.
func (s *Console) admittedOr(c *gin.Context, again func(status int, msg string)) (string, bool) {
	addr := web.ClientAddress(c)
	if ok, wait := s.guard.Check(addr, s.now()); !ok {
		web.RetryAfter(c, wait)
		again(http.StatusTooManyRequests, "Too many failed sign-ins from your address; try again in "+
			wait.Round(time.Second).String()+".")
		return "", false
	}
	pre, _ := c.Cookie(preCSRFCookie)
	if pre == "" || subtle.ConstantTimeCompare([]byte(pre), []byte(c.PostForm("csrf"))) != 1 {
		again(http.StatusUnauthorized, "The sign-in form expired; try again.")
		return "", false
	}
	return addr, true
}

// signIn opens a session for a token typed into the form. Like the API,
// it consults the client address's throttle (web.AuthGuard, shared with
// the API) before looking the
// token up, and counts a failed sign-in against the address.
func (s *Console) signIn(c *gin.Context) {
	addr, ok := s.signInAdmitted(c)
	if !ok {
		return
	}
	token := strings.TrimSpace(c.PostForm("token"))
	row, err := s.q.PrincipalByTokenHash(c, tokens.Hash(token))
	if token == "" || db.IsNotFound(err) {
		s.guard.Failed(addr, s.now())
		s.signInFailed(c, "That token is unknown or revoked.")
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	id := randomToken()
	if err := s.q.SessionCreate(c, dbq.SessionCreateParams{IDHash: tokens.Hash(id), TokenID: uuid.NullUUID{UUID: row.TokenID, Valid: true}, Csrf: randomToken(),
		ExpiresAt: s.now().Add(sessionTTL)}); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.enter(c, id, domain.Role(row.Role))
}

// enter sets the cookie of the session id just opened and sends the
// browser to its role's home page.
func (s *Console) enter(c *gin.Context, id string, role domain.Role) {
	clearCookie(c, preCSRFCookie)
	setCookie(c, sessionCookie, id, int(sessionTTL.Seconds()))
	c.Redirect(http.StatusSeeOther, homeOf(role))
}

func (s *Console) signInFailed(c *gin.Context, msg string) {
	s.renderSignIn(c, http.StatusUnauthorized, msg)
}

// renderSignIn shows the sign-in form again, with a fresh form token and
// why the last attempt did not sign in.
func (s *Console) renderSignIn(c *gin.Context, status int, msg string) {
	pre := randomToken()
	setCookie(c, preCSRFCookie, pre, 600)
	s.render(c, status, "signin.html", page{Title: "Sign in", CSRF: pre, Error: msg})
}

func (s *Console) signOut(c *gin.Context) {
	if id, err := c.Cookie(sessionCookie); err == nil {
		_ = s.q.SessionEnd(c, dbq.SessionEndParams{IDHash: tokens.Hash(id), Now: s.now()})
	}
	clearCookie(c, sessionCookie)
	c.Redirect(http.StatusSeeOther, "/console/sign-in")
}

// pageNotFound answers the console's "Not found" page.
func (s *Console) pageNotFound(c *gin.Context) func() {
	return func() { s.render(c, http.StatusNotFound, "notfound.html", page{Title: "Not found"}) }
}
