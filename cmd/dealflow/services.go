package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	cosellacts "github.com/dealflow/dealflow/activities/cosell"
	dealacts "github.com/dealflow/dealflow/activities/deal"
	incentiveacts "github.com/dealflow/dealflow/activities/incentive"
	leadacts "github.com/dealflow/dealflow/activities/lead"
	notifyacts "github.com/dealflow/dealflow/activities/notify"
	quoteacts "github.com/dealflow/dealflow/activities/quote"
	webhookacts "github.com/dealflow/dealflow/activities/webhook"
	"github.com/dealflow/dealflow/api"
	"github.com/dealflow/dealflow/console"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/temporalx"
	"github.com/dealflow/dealflow/worker"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/deal"
	"github.com/dealflow/dealflow/workflows/incentive"
	"github.com/dealflow/dealflow/workflows/notify"
	"github.com/dealflow/dealflow/workflows/webhook"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"golang.org/x/sync/errgroup"
)

// connectTimeout bounds how long start-up waits for PostgreSQL or Temporal.
const connectTimeout = 15 * time.Second

func connect(ctx context.Context, e env) (*pgxpool.Pool, client.Client, error) {
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	pool, err := db.Connect(cctx, e.cfg.DatabaseURL)
	if err != nil {
		return nil, nil, err
	}
	tc, err := temporalx.Dial(cctx, e.cfg, e.log)
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	return pool, tc, nil
}

func cmdMigrate(ctx context.Context, e env, args []string) error {
	fs := flagsFor("migrate")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return migrate(ctx, e, fs.Lookup("skip-temporal").Value.String() == "true")
}

// migrate brings PostgreSQL's schema and the Temporal namespace's search
// attributes to what this binary needs.
func migrate(ctx context.Context, e env, skipTemporal bool) error {
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := db.EnsureDatabase(cctx, e.cfg.DatabaseURL); err != nil {
		return err
	}
	pool, err := db.Connect(cctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.Migrate(ctx, pool, e.log); err != nil {
		return err
	}
	if skipTemporal {
		return nil
	}
	tc, err := temporalx.Dial(cctx, e.cfg, e.log)
	if err != nil {
		return err
	}
	defer tc.Close()
	if err := temporalx.EnsureSearchAttributes(cctx, tc, e.cfg.TemporalNamespace, deal.SearchAttributes, e.log); err != nil {
		return err
	}
	// Every incentive program has the schedule that starts its cycles
	// (created with the program; made sure of here, should that have failed).
	progs, err := dbq.New(pool).IncentiveProgramList(cctx)
	if err != nil {
		return err
	}
	cycles := incentive.NewClient(tc, 0)
	for _, p := range progs {
		if err := cycles.EnsureSchedule(cctx, incentive.Program{ID: p.ID.String(), Code: p.Code, Period: p.Period,
			GraceDays: int(p.GraceDays)}); err != nil {
			return fmt.Errorf("schedule for incentive program %s: %w", p.Code, err)
		}
	}
	return nil
}

func cmdServe(ctx context.Context, e env, _ []string) error {
	pool, tc, err := connect(ctx, e)
	if err != nil {
		return err
	}
	defer pool.Close()
	defer tc.Close()
	return serveAPI(ctx, e, api.NewServer(e.cfg, pool, tc, e.log), pool, tc)
}

func cmdWorker(ctx context.Context, e env, _ []string) error {
	pool, tc, err := connect(ctx, e)
	if err != nil {
		return err
	}
	defer pool.Close()
	defer tc.Close()
	if e.cfg.MetricsAddr == "" {
		return runWorker(ctx, e, tc, pool)
	}
	// The worker's own /metrics: the Temporal SDK's metrics (task
	// latencies, schedule-to-start, polls), the Go runtime and the process.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return runWorker(gctx, e, tc, pool) })
	g.Go(func() error {
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.Handler())
		return serveOn(gctx, e, e.cfg.MetricsAddr, mux)
	})
	return g.Wait()
}

func cmdDev(ctx context.Context, e env, _ []string) error {
	if err := migrate(ctx, e, false); err != nil {
		return err
	}
	pool, tc, err := connect(ctx, e)
	if err != nil {
		return err
	}
	defer pool.Close()
	defer tc.Close()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return runWorker(gctx, e, tc, pool) })
	g.Go(func() error { return serveAPI(gctx, e, api.NewServer(e.cfg, pool, tc, e.log), pool, tc) })
	return g.Wait()
}

// serveAPI serves the API and the console on DEALFLOW_HTTP_ADDR and its Prometheus
// /metrics on DEALFLOW_API_METRICS_ADDR (unless off), never on the API's
// address: whoever reaches the API does not read its figures.
func serveAPI(ctx context.Context, e env, s *api.Server, pool *pgxpool.Pool, tc client.Client) error {
	// The console is mounted on the API's router, sharing its throttle on
	// authentication by address.
	h := s.Handler(console.New(e.cfg, pool, tc, e.log, s.AuthGuard()))
	if e.cfg.APIMetricsAddr == "" {
		return serveHTTP(ctx, e, h)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return serveHTTP(gctx, e, h) })
	g.Go(func() error { return serveOn(gctx, e, e.cfg.APIMetricsAddr, s.MetricsHandler()) })
	return g.Wait()
}

func runWorker(ctx context.Context, e env, tc client.Client, pool *pgxpool.Pool) error {
	acts := worker.Activities{
		Deal:      dealacts.New(pool),
		Incentive: &incentiveacts.Activities{Pool: pool, PayoutDir: e.cfg.PayoutDir, FreezeParts: e.cfg.FreezeParts},
		Quote:     &quoteacts.Activities{Pool: pool, Deals: deal.NewClient(tc, e.cfg.RequestTimeout)},
		CoSell:    &cosellacts.Activities{Pool: pool, Deals: deal.NewClient(tc, 0)},
		Lead:      leadacts.New(pool, deal.NewClient(tc, 0)),
		Notify: notifyacts.New(pool, notifyacts.Settings{SMTPAddr: e.cfg.SMTPAddr, From: e.cfg.MailFrom,
			ConsoleURL: e.cfg.ConsoleURL, Secret: e.cfg.NotifySecret}),
		Webhook: webhookacts.New(pool),
	}
	w := worker.New(tc, acts, sdkworker.Options{})
	if err := w.Start(); err != nil {
		return err
	}
	// With an SMTP server configured, the outbox is delivered by e-mail
	// (docs/notify.md); without one it is kept.
	if e.cfg.SMTPAddr == "" {
		e.log.Info("e-mail delivery off (DEALFLOW_SMTP_ADDR unset); notifications stay in the outbox")
	} else if err := notify.NewClient(tc).EnsureEmail(ctx, notify.Input{}); err != nil {
		w.Stop()
		return fmt.Errorf("start e-mail delivery: %w", err)
	} else if err := notify.NewClient(tc).EnsureDigest(ctx, notify.DigestInput{Hour: e.cfg.DigestHour, TimeZone: e.cfg.DigestTimeZone}); err != nil {
		w.Stop()
		return fmt.Errorf("start the daily digest: %w", err)
	} else {
		e.log.Info("e-mail delivery on", "smtp", e.cfg.SMTPAddr, "digest_hour", e.cfg.DigestHour, "digest_timezone", e.cfg.DigestTimeZone)
	}
	if err := ensureWebhooks(ctx, e, tc, pool); err != nil {
		w.Stop()
		return err
	}
	e.log.Info("worker started", "task_queue", workflows.TaskQueue, "namespace", e.cfg.TemporalNamespace)
	<-ctx.Done()
	w.Stop()
	e.log.Info("worker stopped")
	return nil
}

// serveHTTP serves h until ctx ends, then drains in-flight requests.
func serveHTTP(ctx context.Context, e env, h http.Handler) error {
	return serveOn(ctx, e, e.cfg.HTTPAddr, h)
}

func serveOn(ctx context.Context, e env, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: e.cfg.RequestTimeout + 30*time.Second, IdleTimeout: 2 * time.Minute}
	e.log.Info("HTTP listening", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	e.log.Info("HTTP stopped", "addr", addr)
	return nil
}

// ensureWebhooks makes sure every active webhook subscription's delivery
// workflow runs (docs/webhooks.md): one terminated or never started
// resumes from the delivery log.
func ensureWebhooks(ctx context.Context, e env, tc client.Client, pool *pgxpool.Pool) error {
	subs, err := dbq.New(pool).WebhookSubscriptionsActive(ctx)
	if err != nil {
		return fmt.Errorf("webhook subscriptions: %w", err)
	}
	k := webhook.NewClient(tc)
	for _, id := range subs {
		if err := k.Ensure(ctx, id.String()); err != nil {
			return fmt.Errorf("start webhook delivery of %s: %w", id, err)
		}
	}
	if len(subs) > 0 {
		e.log.Info("webhook delivery on", "subscriptions", len(subs))
	}
	return nil
}
