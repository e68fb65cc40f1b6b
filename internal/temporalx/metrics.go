package temporalx

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

var (
	processOnce    sync.Once
	processHandler client.MetricsHandler
)

// processMetrics is the one SDK metrics handler of this process, on
// prometheus.DefaultRegisterer, shared by every client it dials.
func processMetrics() client.MetricsHandler {
	processOnce.Do(func() { processHandler = PrometheusMetrics(prometheus.DefaultRegisterer) })
	return processHandler
}

// PrometheusMetrics adapts the Temporal SDK's metrics (workflow and
// activity task latencies, schedule-to-start, poll results, request
// failures, ...) to a Prometheus registry. Prometheus wants one label set
// per metric name: the first use of a name fixes its labels; a later use
// with other tags fills missing labels with "" and drops extra ones.
func PrometheusMetrics(reg prometheus.Registerer) client.MetricsHandler {
	return &promHandler{shared: &promShared{reg: reg, vecs: map[string]*promVec{}}}
}

type promShared struct {
	reg  prometheus.Registerer
	mu   sync.Mutex
	vecs map[string]*promVec
}

type promVec struct {
	labels  []string
	counter *prometheus.CounterVec
	gauge   *prometheus.GaugeVec
	timer   *prometheus.HistogramVec
}

type promHandler struct {
	shared *promShared
	tags   map[string]string
}

func (h *promHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := maps.Clone(h.tags)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, tags)
	return &promHandler{shared: h.shared, tags: merged}
}

func metricName(name string) string {
	name = strings.NewReplacer(".", "_", "-", "_").Replace(name)
	if !strings.HasPrefix(name, "temporal_") {
		name = "temporal_" + name
	}
	return name
}

// vec returns the metric of this name and kind, creating it on first use.
func (h *promHandler) vec(name, kind string) (*promVec, []string) {
	s := h.shared
	s.mu.Lock()
	defer s.mu.Unlock()
	key := kind + ":" + name
	v := s.vecs[key]
	if v == nil {
		v = &promVec{labels: slices.Sorted(maps.Keys(h.tags))}
		full := metricName(name)
		switch kind {
		case "counter":
			v.counter = prometheus.NewCounterVec(prometheus.CounterOpts{Name: full + "_total", Help: "Temporal SDK counter " + name}, v.labels)
			_ = s.reg.Register(v.counter)
		case "gauge":
			v.gauge = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: full, Help: "Temporal SDK gauge " + name}, v.labels)
			_ = s.reg.Register(v.gauge)
		default:
			v.timer = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: full + "_seconds", Help: "Temporal SDK timer " + name,
				Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, v.labels)
			_ = s.reg.Register(v.timer)
		}
		s.vecs[key] = v
	}
	values := make([]string, len(v.labels))
	for i, l := range v.labels {
		values[i] = h.tags[l]
	}
	return v, values
}

func (h *promHandler) Counter(name string) client.MetricsCounter {
	v, values := h.vec(name, "counter")
	c := v.counter.WithLabelValues(values...)
	return counterFunc(func(d int64) { c.Add(float64(d)) })
}

func (h *promHandler) Gauge(name string) client.MetricsGauge {
	v, values := h.vec(name, "gauge")
	g := v.gauge.WithLabelValues(values...)
	return gaugeFunc(g.Set)
}

func (h *promHandler) Timer(name string) client.MetricsTimer {
	v, values := h.vec(name, "timer")
	o := v.timer.WithLabelValues(values...)
	return timerFunc(func(d time.Duration) { o.Observe(d.Seconds()) })
}

type counterFunc func(int64)

func (f counterFunc) Inc(d int64) { f(d) }

type gaugeFunc func(float64)

func (f gaugeFunc) Update(v float64) { f(v) }

type timerFunc func(time.Duration)

func (f timerFunc) Record(d time.Duration) { f(d) }
