// Package api is dealflow's HTTP interface: a Gin router whose handlers
// decode and validate a request, then either act through a context's
// typed client (workflows/deal, workflows/incentive) or read the
// PostgreSQL projection, and respond. Every error is RFC 9457
// problem+json; a refused step is answered by one mapping (refused).
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/clock"
	"github.com/dealflow/dealflow/internal/config"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
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
	cosell *cosell.Client
	leads  *lead.Client
	// formLimiter throttles the public lead form per client address.
	formLimiter *web.RateLimiter
	// read is the read layer the console shares: every view the API
	// answers with is assembled there.
	read     *read.Reader
	log      *slog.Logger
	validate *validator.Validate
	limiter  *web.RateLimiter
	// guard throttles authentication by client address, before any token
	// lookup.
	guard   *web.AuthGuard
	metrics *metrics
	// clock is the one source of "now" for every date rule the API applies.
	clock clock.Clock
}

// NewServer returns a Server on the given pool and Temporal client.
func NewServer(cfg config.Config, pool *pgxpool.Pool, tc client.Client, log *slog.Logger) *Server {
	cycles := incentive.NewClient(tc, cfg.RequestTimeout)
	return &Server{cfg: cfg, pool: pool, q: dbq.New(pool), temporal: tc, log: log, validate: web.NewValidator(),
		deals: deal.NewClient(tc, cfg.RequestTimeout), cycles: cycles, read: read.New(pool, cycles),
		quotes: quote.NewClient(tc, cfg.RequestTimeout), cosell: cosell.NewClient(tc, cfg.RequestTimeout),
		leads: lead.NewClient(tc, cfg.RequestTimeout), formLimiter: web.NewRateLimiter(leadFormPerMinute/60.0, leadFormPerMinute),
		limiter: web.NewRateLimiter(cfg.RateLimit, cfg.RateBurst), guard: web.NewAuthGuard(cfg), metrics: newMetrics(queriesOrNil(pool)),
		clock: clock.System{}}
}

// AuthGuard is the server's throttle on authentication by client
// address; cmd/dealflow hands it to the console, whose sign-in shares it.
func (s *Server) AuthGuard() *web.AuthGuard { return s.guard }

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

// Routes lists every endpoint with who may call it: the single place where
// function-level authorization is decided. Object-level authorization (a
// partner reaches only its organization's deals) is in every query.
func (s *Server) Routes() []Route {
	return append([]Route{
		{http.MethodGet, "/healthz", nil, s.healthz},
		{http.MethodGet, "/readyz", nil, s.readyz},
		{http.MethodGet, "/openapi.json", nil, s.openAPIJSON},
		{http.MethodPost, "/v1/deals", web.PartnerRoles, s.createDeal},
		{http.MethodGet, "/v1/deals", web.AllRoles, s.listDeals},
		{http.MethodGet, "/v1/deals/:id", web.AllRoles, s.getDeal},
		{http.MethodGet, "/v1/deals/:id/timeline", web.AllRoles, s.getTimeline},
		{http.MethodGet, "/v1/deals/:id/conflicts", web.DeciderRoles, s.dealConflicts},
		{http.MethodGet, "/v1/inbox", web.DeciderRoles, s.inbox},
		{http.MethodPost, "/v1/conflict-checks", web.CheckerRoles, s.conflictCheck},
		{http.MethodPost, "/v1/accounts/import", web.DeciderRoles, s.importAccounts},
		{http.MethodPost, "/v1/opportunities/import", web.DeciderRoles, s.importOpportunities},
		{http.MethodGet, "/v1/programs", web.VendorRoles, s.listPrograms},
		{http.MethodPost, "/v1/programs", web.AdminRoles, s.createProgram},
		{http.MethodPut, "/v1/programs/:id", web.AdminRoles, s.updateProgram},
		{http.MethodGet, "/v1/incentive-programs", web.VendorRoles, s.listIncentivePrograms},
		{http.MethodPost, "/v1/incentive-programs", web.ProgramOwnerRoles, s.createIncentiveProgram},
		{http.MethodPost, "/v1/incentive-programs/:id/versions", web.ProgramOwnerRoles, s.addProgramVersion},
		{http.MethodPost, "/v1/cycles", web.FinanceRoles, s.startCycle},
		{http.MethodGet, "/v1/cycles", web.VendorRoles, s.listCycles},
		{http.MethodGet, "/v1/cycles/:id", web.VendorRoles, s.getCycle},
		{http.MethodGet, "/v1/cycles/:id/lines", web.VendorRoles, s.cycleLines},
		{http.MethodGet, "/v1/cycles/:id/excluded-deals", web.VendorRoles, s.cycleExcludedDeals},
		{http.MethodGet, "/v1/cycles/:id/payouts.csv", web.VendorRoles, s.cyclePayoutsCSV},
		{http.MethodGet, "/v1/cycles/:id/statements.csv", web.VendorRoles, s.cycleStatementsCSV},
		{http.MethodGet, "/v1/ledger.csv", web.VendorRoles, s.ledgerCSV},
		{http.MethodGet, "/v1/ledger/verification", web.VendorRoles, s.ledgerVerification},
		{http.MethodGet, "/v1/statements", web.AllRoles, s.listStatements},
		{http.MethodGet, "/v1/statements/:id/lines", web.AllRoles, s.statementLines},
		{http.MethodGet, "/v1/statement-lines/:id/explain", web.AllRoles, s.explainLine},
		{http.MethodGet, "/v1/statement-lines/:id/deals.csv", web.AllRoles, s.lineDealsCSV},
		{http.MethodGet, "/v1/tokens", web.AdminRoles, s.listTokens},
		{http.MethodPost, "/v1/tokens/:id/revoke", web.AdminRoles, s.revokeToken},
	}, append(append(append(append(s.stepRoutes(), s.cycleRoutes()...), s.quoteRoutes()...), s.coSellRoutes()...),
		append(append(append(s.leadRoutes(), s.referralRoutes()...), s.peopleRoutes()...), append(append(append(append(s.notifyRoutes(), s.signInRoutes()...), s.scorecardRoutes()...), s.analyticsRoutes()...), append(s.webhookRoutes(), s.mappingRoutes()...)...)...)...)...)
}

// stepRoutes serves every deal step of the step table (steps.Deal).
func (s *Server) stepRoutes() []Route {
	var out []Route
	for _, st := range steps.Deal() {
		out = append(out, Route{http.MethodPost, "/v1/deals/:id/" + st.Path, st.Roles, s.step(st)})
	}
	return out
}

// Mounter adds routes of its own to the API's router, behind the same
// request id, response headers, access log and recovery: the console
// (console.Console) is one, mounted by cmd/dealflow. The API knows no more
// of it than this.
type Mounter interface {
	Mount(r *gin.Engine)
}

// Handler returns the HTTP handler serving every route, and those of
// others (the console).
func (s *Server) Handler(others ...Mounter) http.Handler {
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
	r.Use(web.RequestID, web.ResponseHeaders, s.accessLog, s.recover)
	r.NoRoute(func(c *gin.Context) { web.Fail(c, http.StatusNotFound, web.ProblemNotFound, "no such endpoint") })
	r.NoMethod(func(c *gin.Context) {
		web.Fail(c, http.StatusMethodNotAllowed, web.ProblemMethod, "this endpoint does not accept "+c.Request.Method)
	})
	for _, rt := range s.Routes() {
		chain := []gin.HandlerFunc{}
		if len(rt.Roles) > 0 {
			chain = append(chain, s.admit, s.authenticate, s.limitTokens, allow(rt.Roles...))
		}
		r.Handle(rt.Method, rt.Path, append(chain, rt.Handler)...)
	}
	for _, m := range others {
		m.Mount(r)
	}
	return r
}

func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	s.metrics.observe(c, time.Since(start))
	s.log.Info("http request",
		"method", c.Request.Method, "route", c.FullPath(), "status", c.Writer.Status(),
		"duration_ms", time.Since(start).Milliseconds(), "request_id", web.RequestIDOf(c))
}

func (s *Server) recover(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("handler panicked", "panic", v, "request_id", web.RequestIDOf(c))
			web.Fail(c, http.StatusInternalServerError, web.ProblemInternal, "an unexpected error occurred")
		}
	}()
	c.Next()
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
		c.Header("Content-Type", web.ProblemContentType)
		c.JSON(http.StatusServiceUnavailable, gin.H{
			"type": web.ProblemUnavailable, "title": "Not ready", "status": http.StatusServiceUnavailable, "checks": checks,
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
