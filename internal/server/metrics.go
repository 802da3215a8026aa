package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// Metrics holds the Prometheus collectors of one server, in a registry of
// its own so that two servers in one process (tests, demo) never collide.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec   // by route pattern and status code
	latency  *prometheus.HistogramVec // by route pattern
	signIns  *prometheus.CounterVec   // by outcome
	locks    prometheus.Counter
	limited  *prometheus.CounterVec // by rate limit name
}

// Sign-in outcomes counted by entrykeyid_signins_total.
const (
	OutcomeSuccess = "success" // signed in
	OutcomeFailure = "failure" // wrong password or unknown address
	OutcomeLocked  = "locked"  // refused: the account is locked
	OutcomeRefused = "refused" // refused: the account is pending or disabled
)

// NewMetrics returns the collectors registered in a fresh registry, with
// the Go runtime and process collectors beside them.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "entrykeyid_http_requests_total",
			Help: "HTTP requests served, by route pattern and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "entrykeyid_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
		signIns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "entrykeyid_signins_total",
			Help: "Password sign-ins, by outcome (success, failure, locked, refused).",
		}, []string{"outcome"}),
		locks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "entrykeyid_account_locks_total",
			Help: "Accounts locked after too many failed sign-ins (LOGIN-5).",
		}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "entrykeyid_ratelimited_total",
			Help: "Requests refused with 429 by a rate limit (signin, authorize, token, token_client).",
		}, []string{"limit"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.signIns, m.locks, m.limited,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Every outcome appears at zero before the first sign-in, so that rate()
	// queries work from the start.
	for _, o := range []string{OutcomeSuccess, OutcomeFailure, OutcomeLocked, OutcomeRefused} {
		m.signIns.WithLabelValues(o)
	}
	for _, l := range limitNames {
		m.limited.WithLabelValues(l)
	}
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// ObserveRequest counts one served request.
func (m *Metrics) ObserveRequest(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// Throttled counts one request refused by the named rate limit.
func (m *Metrics) Throttled(limit string) { m.limited.WithLabelValues(limit).Inc() }

// SignIn counts one sign-in attempt with the outcome.
func (m *Metrics) SignIn(outcome string) { m.signIns.WithLabelValues(outcome).Inc() }

// observeAudit counts the sign-in outcome an audit event records, if any.
// The audit log is the one place every sign-in is written, so counting
// from it keeps the metric and the log in agreement. A refused sign-in's
// Detail holds the message key of the refusal (package accounts).
func (m *Metrics) observeAudit(e *domain.AuditEvent) {
	switch e.Type {
	case domain.AuditSignInSuccess:
		m.SignIn(OutcomeSuccess)
	case domain.AuditSignInFailure:
		switch e.Detail {
		case accounts.KeyLoginLocked:
			m.SignIn(OutcomeLocked)
		case accounts.KeyLoginPending, accounts.KeyLoginDisabled:
			m.SignIn(OutcomeRefused)
		default:
			m.SignIn(OutcomeFailure)
		}
	case domain.AuditAccountLocked:
		m.locks.Inc()
	}
}
