package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics is what /metrics exposes: HTTP latency by route, and figures read
// from PostgreSQL at scrape time (deals by status — the outcomes of the deal
// workflows —, SLA breaches, incentive cycles, ledger totals), so that every
// API replica reports the same truth. It is served apart from the API
// (MetricsHandler), on the internal network only.
type metrics struct {
	reg      *prometheus.Registry
	duration *prometheus.HistogramVec
}

func newMetrics(q *dbq.Queries) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "dealflow_http_request_duration_seconds",
		Help:    "HTTP request latency by method, route and status code.",
		Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"method", "route", "code"})
	m.reg.MustRegister(m.duration)
	if q != nil {
		m.reg.MustRegister(&dbCollector{q: q})
	}
	return m
}

func (m *metrics) observe(c *gin.Context, took time.Duration) {
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	m.duration.WithLabelValues(c.Request.Method, route, strconv.Itoa(c.Writer.Status())).Observe(took.Seconds())
}

// MetricsHandler serves the Prometheus metrics at /metrics (and nothing
// else): this server's, and the process's default registry — the Go
// runtime, the process, and the Temporal SDK's metrics. It is not among the
// API's routes: `dealflow serve` and `dealflow dev` serve it on an address
// of its own (DEALFLOW_API_METRICS_ADDR), kept off the API's port.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(prometheus.Gatherers{s.metrics.reg, prometheus.DefaultGatherer}, promhttp.HandlerOpts{}))
	return mux
}

var (
	descDeals     = prometheus.NewDesc("dealflow_deals", "Deal registrations by status.", []string{"status"}, nil)
	descEscalated = prometheus.NewDesc("dealflow_deals_sla_breached", "Deals whose review SLA was breached (escalated), by status.", []string{"status"}, nil)
	descCycles    = prometheus.NewDesc("dealflow_incentive_cycles", "Incentive cycles by status.", []string{"status"}, nil)
	descLedger    = prometheus.NewDesc("dealflow_ledger_minor_units", "Ledger totals in minor units by account, currency and side.", []string{"account", "currency", "side"}, nil)
	descEntries   = prometheus.NewDesc("dealflow_ledger_entries", "Ledger entries by account and currency.", []string{"account", "currency"}, nil)
	descUp        = prometheus.NewDesc("dealflow_database_up", "Whether the scrape could read PostgreSQL.", nil, nil)
)

// dbCollector reads its figures from PostgreSQL at each scrape.
type dbCollector struct{ q *dbq.Queries }

func (d *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, x := range []*prometheus.Desc{descDeals, descEscalated, descCycles, descLedger, descEntries, descUp} {
		ch <- x
	}
}

func (d *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	up := 1.0
	if rows, err := d.q.MetricsDealsByStatus(ctx); err == nil {
		for _, r := range rows {
			ch <- prometheus.MustNewConstMetric(descDeals, prometheus.GaugeValue, float64(r.Deals), r.Status)
			ch <- prometheus.MustNewConstMetric(descEscalated, prometheus.GaugeValue, float64(r.Escalated), r.Status)
		}
	} else {
		up = 0
	}
	if rows, err := d.q.MetricsCyclesByStatus(ctx); err == nil {
		for _, r := range rows {
			ch <- prometheus.MustNewConstMetric(descCycles, prometheus.GaugeValue, float64(r.Cycles), r.Status)
		}
	} else {
		up = 0
	}
	if rows, err := d.q.MetricsLedgerTotals(ctx); err == nil {
		for _, r := range rows {
			ch <- prometheus.MustNewConstMetric(descLedger, prometheus.GaugeValue, float64(r.Debits), r.Account, r.Currency, "debit")
			ch <- prometheus.MustNewConstMetric(descLedger, prometheus.GaugeValue, float64(r.Credits), r.Account, r.Currency, "credit")
			ch <- prometheus.MustNewConstMetric(descEntries, prometheus.GaugeValue, float64(r.Entries), r.Account, r.Currency)
		}
	} else {
		up = 0
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up)
}
