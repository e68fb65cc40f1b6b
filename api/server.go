// Package api is dealflow's HTTP interface: a Gin router whose handlers
// decode and validate a request, then either act through a context's
// typed client (workflows/deal, workflows/incentive) or read the
// PostgreSQL projection, and respond. Every error is RFC 9457
// problem+json; a refused step is answered by one mapping (refused).
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/clock"
	"github.com/dealflow/dealflow/internal/config"
	"github.com/dealflow/dealflow/workflows/cosell"
	"github.com/dealflow/dealflow/workflows/deal"
	"github.com/dealflow/dealflow/workflows/incentive"
	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/dealflow/dealflow/workflows/quote"
	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
)

// Server holds what handlers need. It keeps no per-request state, so any
// number of replicas can serve behind a load balancer.
type Server struct {
	cfg      config.Config
	pool     *pgxpool.Pool
	q        *dbq.Queries
	temporal client.Client
	// deals and cycles are the typed clients every step, submission and
	// start goes through (workflows/deal, workflows/incentive).
	deals  *deal.Client
	cycles *incentive.Client
	quotes *quote.Client
	// cosell is the co-selling context's typed client (workflows/cosell).
	cosell   *cosell.Client
	leads    *lead.Client
	log      *slog.Logger
	validate *validator.Validate
	limiter  *rateLimiter
	// formLimiter throttles the public lead form per client address.
	formLimiter *rateLimiter
	// guard throttles authentication by client address, before any token
	// lookup.
	guard   *authGuard
	metrics *metrics
	// ledger keeps the console's ledger status current without re-reading
	// the whole ledger on every view.
	ledger db.LedgerWatch
	// clock is the one source of "now" for every date rule the API applies.
	clock clock.Clock
}

// NewServer returns a Server on the given pool and Temporal client.
func NewServer(cfg config.Config, pool *pgxpool.Pool, tc client.Client, log *slog.Logger) *Server {
	return &Server{cfg: cfg, pool: pool, q: dbq.New(pool), temporal: tc, log: log, validate: newValidator(),
		deals: deal.NewClient(tc, cfg.RequestTimeout), cycles: incentive.NewClient(tc, cfg.RequestTimeout),
		quotes:      quote.NewClient(tc, cfg.RequestTimeout),
		cosell:      cosell.NewClient(tc, cfg.RequestTimeout),
		leads:       lead.NewClient(tc, cfg.RequestTimeout),
		limiter:     newRateLimiter(cfg.RateLimit, cfg.RateBurst),
		formLimiter: newRateLimiter(leadFormPerMinute/60.0, leadFormPerMinute), guard: newAuthGuard(cfg), metrics: newMetrics(queriesOrNil(pool)),
		clock: clock.System{}}
}

// WithClock makes the server tell the time by c (tests run it at fixed
// instants); it returns s.
func (s *Server) WithClock(c clock.Clock) *Server {
	s.clock = clock.Or(c)
	return s
}

// now is the server clock's current instant (UTC).
func (s *Server) now() time.Time { return s.clock.Now() }

// today is the UTC day the server clock is on.
func (s *Server) today() time.Time { return clock.Today(s.clock) }

// Route is one API endpoint and the roles allowed to call it; an empty
// Roles means the route needs no token.
type Route struct {
	Method, Path string
	Roles        []domain.Role
	Handler      gin.HandlerFunc
}

var (
	partnerRoles = []domain.Role{domain.RolePartnerUser, domain.RolePartnerAdmin}
	deciderRoles = []domain.Role{domain.RoleChannelManager, domain.RoleAdmin}
	vendorRoles  = []domain.Role{domain.RoleChannelManager, domain.RoleFinance, domain.RoleAdmin}
	adminRoles   = []domain.Role{domain.RoleAdmin}
	// Only finance acts on incentive cycles; channel managers read them.
	financeRoles      = []domain.Role{domain.RoleFinance}
	programOwnerRoles = []domain.Role{domain.RoleFinance, domain.RoleAdmin}
	checkerRoles      = []domain.Role{domain.RolePartnerUser, domain.RolePartnerAdmin, domain.RoleChannelManager, domain.RoleAdmin}
	// allRoles are the roles that read deals and statements: every role
	// but the vendor's sellers, who read only the co-sell engagements and
	// accounts assigned to them (api/cosell.go).
	allRoles = []domain.Role{domain.RolePartnerUser, domain.RolePartnerAdmin, domain.RoleChannelManager, domain.RoleFinance, domain.RoleAdmin}
	// correctorRoles may correct a closed-won outcome: the partner (or its
	// CRM) that reported it, and finance.
	correctorRoles = []domain.Role{domain.RolePartnerUser, domain.RolePartnerAdmin, domain.RoleFinance, domain.RoleAdmin}
	// correctionReviewerRoles decide a partner's upward correction of its
	// won amount: channel managers and finance (and admins).
	correctionReviewerRoles = []domain.Role{domain.RoleChannelManager, domain.RoleFinance, domain.RoleAdmin}
)

// Routes lists every endpoint with who may call it: the single place where
// function-level authorization is decided. Object-level authorization (a
// partner reaches only its organization's deals) is in every query.
func (s *Server) Routes() []Route {
	return append([]Route{
		{http.MethodGet, "/healthz", nil, s.healthz},
		{http.MethodGet, "/readyz", nil, s.readyz},
		{http.MethodGet, "/openapi.json", nil, s.openAPIJSON},
		{http.MethodPost, "/v1/deals", partnerRoles, s.createDeal},
		{http.MethodGet, "/v1/deals", allRoles, s.listDeals},
		{http.MethodGet, "/v1/deals/:id", allRoles, s.getDeal},
		{http.MethodGet, "/v1/deals/:id/timeline", allRoles, s.getTimeline},
		{http.MethodGet, "/v1/deals/:id/conflicts", deciderRoles, s.dealConflicts},
		{http.MethodGet, "/v1/inbox", deciderRoles, s.inbox},
		{http.MethodPost, "/v1/conflict-checks", checkerRoles, s.conflictCheck},
		{http.MethodPost, "/v1/accounts/import", deciderRoles, s.importAccounts},
		{http.MethodPost, "/v1/opportunities/import", deciderRoles, s.importOpportunities},
		{http.MethodGet, "/v1/programs", vendorRoles, s.listPrograms},
		{http.MethodPost, "/v1/programs", adminRoles, s.createProgram},
		{http.MethodPut, "/v1/programs/:id", adminRoles, s.updateProgram},
		{http.MethodGet, "/v1/incentive-programs", vendorRoles, s.listIncentivePrograms},
		{http.MethodPost, "/v1/incentive-programs", programOwnerRoles, s.createIncentiveProgram},
		{http.MethodPost, "/v1/incentive-programs/:id/versions", programOwnerRoles, s.addProgramVersion},
		{http.MethodPost, "/v1/cycles", financeRoles, s.startCycle},
		{http.MethodGet, "/v1/cycles", vendorRoles, s.listCycles},
		{http.MethodGet, "/v1/cycles/:id", vendorRoles, s.getCycle},
		{http.MethodGet, "/v1/cycles/:id/lines", vendorRoles, s.cycleLines},
		{http.MethodGet, "/v1/cycles/:id/excluded-deals", vendorRoles, s.cycleExcludedDeals},
		{http.MethodGet, "/v1/cycles/:id/payouts.csv", vendorRoles, s.cyclePayoutsCSV},
		{http.MethodGet, "/v1/cycles/:id/statements.csv", vendorRoles, s.cycleStatementsCSV},
		{http.MethodGet, "/v1/ledger.csv", vendorRoles, s.ledgerCSV},
		{http.MethodGet, "/v1/ledger/verification", vendorRoles, s.ledgerVerification},
		{http.MethodGet, "/v1/statements", allRoles, s.listStatements},
		{http.MethodGet, "/v1/statements/:id/lines", allRoles, s.statementLines},
		{http.MethodGet, "/v1/statement-lines/:id/explain", allRoles, s.explainLine},
		{http.MethodGet, "/v1/statement-lines/:id/deals.csv", allRoles, s.lineDealsCSV},
		{http.MethodGet, "/v1/tokens", adminRoles, s.listTokens},
		{http.MethodPost, "/v1/tokens/:id/revoke", adminRoles, s.revokeToken},
	}, append(append(append(append(s.stepRoutes(), s.cycleRoutes()...), s.quoteRoutes()...), s.coSellRoutes()...), append(s.leadRoutes(), s.referralRoutes()...)...)...)
}

// dealStep is one human step on a deal: its path, the workflow Update it
// sends, who may take it and the body it takes. The API and the console
// both serve every step from this one table.
type dealStep struct {
	Path, Update string
	Roles        []domain.Role
	NewBody      func() stepBody
	// Optional: the step may be sent without a body.
	Optional bool
}

func dealSteps() []dealStep {
	return []dealStep{
		{"approve", deal.UpdateApprove, deciderRoles, func() stepBody { return &reasonBody{} }, true},
		{"reject", deal.UpdateReject, deciderRoles, func() stepBody { return &requiredReasonBody{} }, false},
		{"request-info", deal.UpdateRequestInfo, deciderRoles, func() stepBody { return &infoRequestBody{} }, false},
		{"answer-info", deal.UpdateAnswerInfo, partnerRoles, func() stepBody { return &infoAnswerBody{} }, false},
		{"withdraw", deal.UpdateWithdraw, partnerRoles, func() stepBody { return &reasonBody{} }, true},
		{"request-extension", deal.UpdateRequestExtension, partnerRoles, func() stepBody { return &requiredReasonBody{} }, false},
		{"decide-extension", deal.UpdateDecideExtension, deciderRoles, func() stepBody { return &extensionDecisionBody{} }, false},
		{"close-won", deal.UpdateCloseWon, partnerRoles, func() stepBody { return &closeWonBody{} }, false},
		{"close-lost", deal.UpdateCloseLost, partnerRoles, func() stepBody { return &closeLostBody{} }, true},
		{"resolve-conflict", deal.UpdateResolveConflict, deciderRoles, func() stepBody { return &resolveConflictBody{} }, false},
		{"correct-outcome", deal.UpdateCorrectOutcome, correctorRoles, func() stepBody { return &correctionBody{} }, false},
		{"decide-correction", deal.UpdateDecideCorrection, correctionReviewerRoles, func() stepBody { return &correctionDecisionBody{} }, false},
	}
}

func (s *Server) stepRoutes() []Route {
	var out []Route
	for _, st := range dealSteps() {
		out = append(out, Route{http.MethodPost, "/v1/deals/:id/" + st.Path, st.Roles, s.step(st.Update, st.NewBody, st.Optional)})
	}
	return out
}

// Handler returns the HTTP handler serving every route.
func (s *Server) Handler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	// The client's address is the peer's, unless the peer is a proxy named
	// in DEALFLOW_TRUSTED_PROXIES (validated by config.Load); Gin would
	// otherwise believe anyone's X-Forwarded-For.
	if err := r.SetTrustedProxies(s.cfg.TrustedProxyList()); err != nil {
		s.log.Error("DEALFLOW_TRUSTED_PROXIES ignored", "error", err)
		_ = r.SetTrustedProxies(nil)
	}
	r.Use(s.requestID, responseHeaders, s.accessLog, s.recover)
	r.NoRoute(func(c *gin.Context) { problem(c, http.StatusNotFound, ProblemNotFound, "no such endpoint") })
	r.NoMethod(func(c *gin.Context) {
		problem(c, http.StatusMethodNotAllowed, ProblemMethod, "this endpoint does not accept "+c.Request.Method)
	})
	for _, rt := range s.Routes() {
		chain := []gin.HandlerFunc{}
		if len(rt.Roles) > 0 {
			chain = append(chain, s.admit, s.authenticate, s.limitTokens, allow(rt.Roles...))
		}
		r.Handle(rt.Method, rt.Path, append(chain, rt.Handler)...)
	}
	s.mountConsole(r)
	return r
}

const ctxRequestID = "dealflow.request_id"

// requestID takes the caller's X-Request-Id (when sane) or makes one, and
// returns it on the response so logs and problems can be matched.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-Id")
	if len(id) == 0 || len(id) > 64 || !printableASCII(id) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-Id", id)
	c.Next()
}

// responseHeaders sets, on every answer (JSON, problem, CSV, console
// page, static file, redirect), the headers that keep browsers from
// guessing a content type, caches from keeping what a token or session
// read, and other sites from framing it: the one place they are set.
func responseHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	c.Next()
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	s.metrics.observe(c, time.Since(start))
	s.log.Info("http request",
		"method", c.Request.Method, "route", c.FullPath(), "status", c.Writer.Status(),
		"duration_ms", time.Since(start).Milliseconds(), "request_id", c.GetString(ctxRequestID))
}

func (s *Server) recover(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("handler panicked", "panic", v, "request_id", c.GetString(ctxRequestID))
			problem(c, http.StatusInternalServerError, ProblemInternal, "an unexpected error occurred")
		}
	}()
	c.Next()
}

// unavailable answers 503 for a dependency failure, or 500 for anything
// else, and logs the cause (which never reaches the client).
func (s *Server) unavailable(c *gin.Context, err error) {
	s.log.Error("request failed", "error", err, "request_id", c.GetString(ctxRequestID))
	if ctxErr := c.Request.Context().Err(); ctxErr != nil {
		problem(c, http.StatusServiceUnavailable, ProblemUnavailable, "the request was cancelled or timed out")
		return
	}
	problem(c, http.StatusServiceUnavailable, ProblemUnavailable, "a backing service is unavailable; retry later")
}

func (s *Server) healthz(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

// readyz reports whether PostgreSQL and Temporal both answer.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c, 3*time.Second)
	defer cancel()
	checks := gin.H{"postgres": "ok", "temporal": "ok"}
	ready := true
	if err := s.pool.Ping(ctx); err != nil {
		s.log.Warn("readiness: postgres unavailable", "error", err)
		checks["postgres"], ready = "unavailable", false
	}
	if _, err := s.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		s.log.Warn("readiness: temporal unavailable", "error", err)
		checks["temporal"], ready = "unavailable", false
	}
	if !ready {
		c.Header("Content-Type", ProblemContentType)
		c.JSON(http.StatusServiceUnavailable, gin.H{
			"type": ProblemUnavailable, "title": "Not ready", "status": http.StatusServiceUnavailable, "checks": checks,
		})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "checks": checks})
}

// queriesOrNil keeps a Server built without a pool (to list its routes)
// from reading the database.
func queriesOrNil(pool *pgxpool.Pool) *dbq.Queries {
	if pool == nil {
		return nil
	}
	return dbq.New(pool)
}
