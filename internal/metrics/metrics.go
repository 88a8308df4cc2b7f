// Package metrics holds orgql's Prometheus metrics: GraphQL operations by
// name, type and outcome, their latency and statement counts, SQL statements
// and their latency, the database pool, rate-limit refusals, refused
// untrusted documents, and subscriptions: active, their events delivered and
// lag, and why they ended. Each server has its own registry, served at /metrics
// (docs/configuration.md: --metrics-addr).
package metrics

import (
	"database/sql"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are one server's metrics.
type Metrics struct {
	registry          *prometheus.Registry
	operations        *prometheus.CounterVec
	operationDuration *prometheus.HistogramVec
	operationStmts    *prometheus.HistogramVec
	statements        *prometheus.CounterVec
	statementDuration *prometheus.HistogramVec
	rateLimited       *prometheus.CounterVec
	untrusted         prometheus.Counter
	subscriptions     *prometheus.GaugeVec
	subscriptionsEnd  *prometheus.CounterVec
	delivered         *prometheus.CounterVec
	lag               prometheus.Histogram
	costInFlight      prometheus.Gauge
	waiting           prometheus.Gauge
	// Names bounds the operation label's values.
	Names *Names
}

// New registers the metrics, with db's pool statistics, on a new registry.
func New(db *sql.DB, names *Names) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		Names:    names,
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orgql_graphql_operations_total",
			Help: "GraphQL operations by operation name, type and outcome (OK, or the first error's extensions.code).",
		}, []string{"operation", "type", "outcome"}),
		operationDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "orgql_graphql_operation_duration_seconds",
			Help:    "Time from the request's arrival to its answer, by operation name and type.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"operation", "type"}),
		operationStmts: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "orgql_graphql_operation_sql_statements",
			Help:    "SQL statements one GraphQL operation ran, by operation type.",
			Buckets: []float64{0, 1, 2, 4, 8, 16, 32, 64, 128},
		}, []string{"type"}),
		statements: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orgql_sql_statements_total",
			Help: "SQL statements run for requests, by kind (query or exec) and outcome (ok or error).",
		}, []string{"kind", "outcome"}),
		statementDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "orgql_sql_statement_duration_seconds",
			Help:    "Time SQL statements run for requests took, by kind.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
		}, []string{"kind"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orgql_rate_limited_total",
			Help: "Requests refused for a spent budget: operations with RATE_LIMITED by caller kind (user, api_token, anonymous), and sign-in requests (sign_in) with 429.",
		}, []string{"caller"}),
		untrusted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "orgql_untrusted_documents_refused_total",
			Help: "Documents refused because they are not among the trusted documents.",
		}),
		subscriptions: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "orgql_subscriptions_active",
			Help: "Subscriptions running on this instance, by transport (websocket, sse) and field.",
		}, []string{"transport", "field"}),
		subscriptionsEnd: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orgql_subscriptions_ended_total",
			Help: "Subscriptions ended, by transport, field and reason (completed, access_lost, dropped: a slow client cut off, error).",
		}, []string{"transport", "field", "reason"}),
		delivered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orgql_subscription_events_delivered_total",
			Help: "Events handed to subscriptions' transports, by transport and field.",
		}, []string{"transport", "field"}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "orgql_subscription_event_lag_seconds",
			Help:    "Time from an organization event's commit to its handing to a subscription's transport.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 15, 30, 60},
		}),
		costInFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "orgql_graphql_cost_in_flight",
			Help: "Cost of the queries and mutations executing on this instance now (at most --max-cost-in-flight).",
		}),
		waiting: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "orgql_graphql_operations_waiting",
			Help: "Queries and mutations waiting for room under --max-cost-in-flight.",
		}),
	}
	m.registry.MustRegister(m.operations, m.operationDuration, m.operationStmts, m.statements,
		m.statementDuration, m.rateLimited, m.untrusted, m.subscriptions, m.subscriptionsEnd, m.delivered, m.lag,
		m.costInFlight, m.waiting,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if db != nil {
		m.registry.MustRegister(collectors.NewDBStatsCollector(db, "orgql"))
	}
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Registry is where the metrics are registered (tests gather from it).
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Operation counts one operation; operation is already a label (see Names).
func (m *Metrics) Operation(operation, typ, outcome string, took time.Duration, statements int64) {
	if typ == "" {
		typ = "none"
	}
	m.operations.WithLabelValues(operation, typ, outcome).Inc()
	m.operationDuration.WithLabelValues(operation, typ).Observe(took.Seconds())
	m.operationStmts.WithLabelValues(typ).Observe(float64(statements))
}

// Statement counts one SQL statement.
func (m *Metrics) Statement(kind string, took time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.statements.WithLabelValues(kind, outcome).Inc()
	m.statementDuration.WithLabelValues(kind).Observe(took.Seconds())
}

// RateLimited counts one refusal for a caller of kind.
func (m *Metrics) RateLimited(kind string) { m.rateLimited.WithLabelValues(kind).Inc() }

// Untrusted counts one refused untrusted document.
func (m *Metrics) Untrusted() { m.untrusted.Inc() }

// SubscriptionStarted counts one running subscription more.
func (m *Metrics) SubscriptionStarted(transport, field string) {
	m.subscriptions.WithLabelValues(transport, field).Inc()
}

// Admission records an operation that starts waiting for room under the
// cost in flight (waiting +1), gets it (waiting -1, cost +cost), or ends (cost -cost).
func (m *Metrics) Admission(waiting, cost int64) {
	m.waiting.Add(float64(waiting))
	m.costInFlight.Add(float64(cost))
}

// SubscriptionEnded counts one running subscription less, ended for reason.
func (m *Metrics) SubscriptionEnded(transport, field, reason string) {
	m.subscriptions.WithLabelValues(transport, field).Dec()
	m.subscriptionsEnd.WithLabelValues(transport, field, reason).Inc()
}

// Delivered counts one value handed to a subscription's transport.
func (m *Metrics) Delivered(transport, field string) {
	m.delivered.WithLabelValues(transport, field).Inc()
}

// Lag observes the time from an event's commit to its handing to a transport.
func (m *Metrics) Lag(d time.Duration) { m.lag.Observe(d.Seconds()) }
