// Package ops makes a running Sunlight observable and operable: /healthz,
// /readyz, Prometheus /metrics, one structured log line per request, and a
// bounded graceful shutdown. The graph and jobs packages stay free of
// Prometheus: graph takes the GraphQL extension of this package, jobs calls
// its jobs.Observer.
package ops

import (
	"context"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"

	"sunlight/ent"
	entreport "sunlight/ent/report"
	"sunlight/internal/storage/db"
	"sunlight/internal/web/respcache"
	"sunlight/jobs"
)

// Metrics are the platform's Prometheus metrics, in a registry of their own.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	gqlRequests  *prometheus.CounterVec
	gqlDuration  *prometheus.HistogramVec
	gqlErrors    *prometheus.CounterVec
	jobRuns      *prometheus.CounterVec
	renderTime   *prometheus.HistogramVec
	reportSize   *prometheus.HistogramVec
	lastPublish  *prometheus.GaugeVec
	missing      *prometheus.GaugeVec
	integrity    prometheus.Counter

	mu  sync.Mutex
	ops map[string]bool // operation names seen, to bound label cardinality
}

// maxOperations bounds the distinct operation names kept as labels; later
// names count as "other".
const maxOperations = 200

// NewMetrics registers the metrics, the Go runtime's and the process's,
// and d's connection pool statistics (nil d: none).
func NewMetrics(d *db.DB) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), ops: map[string]bool{}}
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sunlight_http_requests_total", Help: "HTTP requests by route pattern, method and status code.",
	}, []string{"handler", "method", "code"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "sunlight_http_request_duration_seconds", Help: "HTTP request durations by route pattern.",
		Buckets: prometheus.DefBuckets,
	}, []string{"handler"})
	m.gqlRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sunlight_graphql_requests_total", Help: "GraphQL requests by operation name (\"anonymous\" when unnamed).",
	}, []string{"operation"})
	m.gqlDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "sunlight_graphql_request_duration_seconds", Help: "GraphQL request durations by operation name.",
		Buckets: prometheus.DefBuckets,
	}, []string{"operation"})
	m.gqlErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sunlight_graphql_errors_total", Help: "GraphQL errors by extensions.code.",
	}, []string{"code"})
	m.jobRuns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sunlight_job_runs_total", Help: "Report job runs finished by this process, by job and final status.",
	}, []string{"job", "status"})
	m.renderTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "sunlight_report_generation_seconds", Help: "Time to gather and render a report PDF, by kind.",
		Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"kind"})
	m.reportSize = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "sunlight_report_size_bytes", Help: "Size of rendered report PDFs, by kind.",
		Buckets: prometheus.ExponentialBuckets(16<<10, 2, 8),
	}, []string{"kind"})
	m.lastPublish = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "sunlight_report_last_published_timestamp_seconds", Help: "Unix time of the last successful publish, by report kind.",
	}, []string{"kind"})
	m.missing = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "sunlight_reports_missing", Help: "Reports that should exist and do not (a closed month without its disclosure, a deleted report), by kind, as of the scheduler's last tick; sunlight verify names them.",
	}, []string{"kind"})
	m.integrity = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "sunlight_report_integrity_failures_total",
		Help: "Reads of a published report whose archived bytes did not match its recorded SHA-256 (refused).",
	})
	m.reg.MustRegister(m.integrity, m.httpRequests, m.httpDuration, m.gqlRequests, m.gqlDuration, m.gqlErrors,
		m.jobRuns, m.renderTime, m.reportSize, m.lastPublish, m.missing,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if d != nil {
		m.reg.MustRegister(collectors.NewDBStatsCollector(d.SQL, d.Dialect))
	}
	return m
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is where the metrics are registered.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// LoadLastPublished sets the last-publish gauges from the database, so
// they survive restarts and count publishes by other instances.
func (m *Metrics) LoadLastPublished(ctx context.Context, client *ent.Client) error {
	for _, kind := range []entreport.Kind{entreport.KindMONTHLY_DISCLOSURE, entreport.KindYEARLY_ASSET_GROWTH} {
		r, err := client.Report.Query().
			Where(entreport.KindEQ(kind), entreport.StatusEQ(entreport.StatusPUBLISHED), entreport.PublishedAtNotNil()).
			Order(ent.Desc(entreport.FieldPublishedAt)).First(ctx)
		if ent.IsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		m.Published(kind, *r.PublishedAt)
	}
	return nil
}

var (
	_ jobs.Observer        = (*Metrics)(nil)
	_ jobs.MissingObserver = (*Metrics)(nil)
)

// ReportsMissing sets how many reports of kind are missing
// (jobs.MissingObserver).
func (m *Metrics) ReportsMissing(kind entreport.Kind, n int) {
	m.missing.WithLabelValues(string(kind)).Set(float64(n))
}

// IntegrityFailure counts a published report refused because its archived
// file was changed.
func (m *Metrics) IntegrityFailure() { m.integrity.Inc() }

// RunFinished counts a job run (jobs.Observer).
func (m *Metrics) RunFinished(job, status string) { m.jobRuns.WithLabelValues(job, status).Inc() }

// Rendered observes a report's generation (jobs.Observer).
func (m *Metrics) Rendered(kind entreport.Kind, took time.Duration, size int) {
	m.renderTime.WithLabelValues(string(kind)).Observe(took.Seconds())
	m.reportSize.WithLabelValues(string(kind)).Observe(float64(size))
}

// Published records a successful publish (jobs.Observer).
func (m *Metrics) Published(kind entreport.Kind, at time.Time) {
	g := m.lastPublish.WithLabelValues(string(kind))
	// Never move backwards (a catch-up may publish an old period late, but
	// its publish time is still now; this guards the database load).
	m.mu.Lock()
	defer m.mu.Unlock()
	if ts := float64(at.Unix()); currentGauge(g) < ts {
		g.Set(ts)
	}
}

func currentGauge(g prometheus.Gauge) float64 {
	ch := make(chan prometheus.Metric, 1)
	g.Collect(ch)
	out := struct{ v float64 }{}
	if pm, ok := <-ch; ok {
		var d dto.Metric
		_ = pm.Write(&d)
		if d.Gauge != nil && d.Gauge.Value != nil {
			out.v = *d.Gauge.Value
		}
	}
	return out.v
}

var operationName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]{0,63}$`)

// operation turns a client-chosen operation name into a bounded label.
func (m *Metrics) operation(name string) string {
	switch {
	case name == "":
		return "anonymous"
	case !operationName.MatchString(name):
		return "invalid"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ops[name] {
		return name
	}
	if len(m.ops) >= maxOperations {
		return "other"
	}
	m.ops[name] = true
	return name
}

// ObserveResponseCache exports the response cache's counters and size,
// read from stats at each scrape.
func (m *Metrics) ObserveResponseCache(stats func() respcache.Stats) {
	counter := func(name, help string, get func(respcache.Stats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(get(stats())) })
	}
	m.reg.MustRegister(
		counter("sunlight_response_cache_hits_total", "GraphQL queries answered from the response cache (including waits for an identical query being computed).",
			func(s respcache.Stats) uint64 { return s.Hits }),
		counter("sunlight_response_cache_misses_total", "GraphQL queries the response cache had no answer for.",
			func(s respcache.Stats) uint64 { return s.Misses }),
		counter("sunlight_response_cache_stores_total", "Answers kept by the response cache.",
			func(s respcache.Stats) uint64 { return s.Stores }),
		counter("sunlight_response_cache_evictions_total", "Answers dropped to keep the response cache within its bytes.",
			func(s respcache.Stats) uint64 { return s.Evictions }),
		counter("sunlight_response_cache_invalidations_total", "Times the response cache was emptied because the data version rose (a write committed).",
			func(s respcache.Stats) uint64 { return s.Invalidations }),
		counter("sunlight_response_cache_bypasses_total", "GraphQL queries that could not use the response cache (the data version unreadable, or older than the cache's).",
			func(s respcache.Stats) uint64 { return s.Bypasses }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "sunlight_response_cache_entries", Help: "Answers in the response cache."},
			func() float64 { return float64(stats().Entries) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "sunlight_response_cache_bytes", Help: "Bytes of keys and answers in the response cache."},
			func() float64 { return float64(stats().Bytes) }),
	)
}
