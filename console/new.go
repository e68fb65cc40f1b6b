package console

import (
	"log/slog"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/clock"
	"github.com/dealflow/dealflow/internal/config"
	"github.com/dealflow/dealflow/internal/mfa"
	"github.com/dealflow/dealflow/internal/oidclogin"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/dealflow/dealflow/workflows/cosell"
	"github.com/dealflow/dealflow/workflows/deal"
	"github.com/dealflow/dealflow/workflows/incentive"
	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/dealflow/dealflow/workflows/quote"
	"github.com/go-playground/validator/v10"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
)

// Console serves the console's pages. Like api.Server it keeps no
// per-request state: sessions are rows in PostgreSQL.
type Console struct {
	q *dbq.Queries
	// pool runs the people forms' transactions (db.Invite, db.AcceptInvitation).
	pool *pgxpool.Pool
	read *read.Reader
	// deals, cycles, leads and cosell are the typed clients every form
	// acts through.
	deals    *deal.Client
	cycles   *incentive.Client
	leads    *lead.Client
	cosell   *cosell.Client
	quotes   *quote.Client
	log      *slog.Logger
	validate *validator.Validate
	// guard throttles sign-ins by client address, with the API's bearer
	// tokens (api.Server.AuthGuard).
	guard *web.AuthGuard
	// ledger keeps the cycles page's ledger status current without
	// re-reading the whole ledger on every view.
	ledger db.LedgerWatch
	clock  clock.Clock
	// totp seals and opens people's TOTP secrets (DEALFLOW_TOTP_KEY).
	totp mfa.Sealer
	// consoleURL starts the links e-mailed to people who ask for one
	// (DEALFLOW_CONSOLE_URL), never the request's Host header, which
	// whoever asks controls.
	consoleURL string
	// oidc signs vendor staff in through the identity provider (nil: not
	// set up).
	oidc *oidclogin.RP
}

// New returns the console on the given pool and Temporal client, sharing
// guard with the API (nil: a guard of its own from cfg).
func New(cfg config.Config, pool *pgxpool.Pool, tc client.Client, log *slog.Logger, guard *web.AuthGuard) *Console {
	if guard == nil {
		guard = web.NewAuthGuard(cfg)
	}
	if log == nil {
		log = slog.Default()
	}
	cycles := incentive.NewClient(tc, cfg.RequestTimeout)
	s := &Console{read: read.New(pool, cycles), deals: deal.NewClient(tc, cfg.RequestTimeout), cycles: cycles, log: log,
		leads: lead.NewClient(tc, cfg.RequestTimeout), cosell: cosell.NewClient(tc, cfg.RequestTimeout),
		quotes:   quote.NewClient(tc, cfg.RequestTimeout),
		validate: web.NewValidator(), guard: guard, clock: clock.System{}}
	s.totp, _ = mfa.NewSealer(cfg.TOTPKey) // config.Load refused a key too short
	s.consoleURL = cfg.ConsoleURL
	if cfg.OIDCIssuer != "" {
		s.oidc = oidclogin.New(oidclogin.FromConfig(cfg))
	}
	if pool != nil {
		s.q = dbq.New(pool)
		s.pool = pool
	}
	return s
}

// WithClock makes the console tell the time by c (tests run it at fixed
// instants); it returns s.
func (s *Console) WithClock(c clock.Clock) *Console {
	s.clock = clock.Or(c)
	return s
}

// now is the console clock's current instant (UTC).
func (s *Console) now() time.Time { return s.clock.Now() }

// today is the UTC day the console clock is on.
func (s *Console) today() time.Time { return clock.Today(s.clock) }
