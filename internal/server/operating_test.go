package server_test

import (
	"bufio"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/testkit"
)

// scrape reads /metrics from h into name{labels} -> value.
func scrape(t *testing.T, h http.Handler) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// A scrape after a known set of requests finds the counts they caused:
// operations by name, type and outcome, their latency histograms, SQL
// statements, the database pool; a client's invented operation names in
// documents that do not validate collapse into one value.
func TestMetricsCountTheRequestsMade(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		anon := e.Anonymous()
		for range 3 {
			anon.Do(t, `query Plans { plans { code } }`, nil).OK(t, nil)
		}
		for i := range 4 {
			anon.Do(t, `query Invented`+itoa(i)+` { nope }`, nil).Err(t, "GRAPHQL_VALIDATION_FAILED")
		}
		anon.Do(t, `query Me { viewer { user { id } } }`, nil).Err(t, "UNAUTHENTICATED")
		alice := e.SignIn(t, "alice")
		alice.Do(t, `query Me { viewer { user { id } } }`, nil).OK(t, nil)
		alice.Do(t, `mutation($name: String!) { createOrganization(input: {name: $name}) { id } }`,
			map[string]any{"name": testkit.Unique("Org")}).OK(t, nil)

		m := scrape(t, e.Server)
		want := map[string]float64{
			`orgql_graphql_operations_total{operation="Plans",outcome="OK",type="query"}`:                           3,
			`orgql_graphql_operations_total{operation="(invalid)",outcome="GRAPHQL_VALIDATION_FAILED",type="none"}`: 4,
			`orgql_graphql_operations_total{operation="Me",outcome="UNAUTHENTICATED",type="query"}`:                 1,
			`orgql_graphql_operations_total{operation="Me",outcome="OK",type="query"}`:                              1,
			`orgql_graphql_operations_total{operation="(anonymous)",outcome="OK",type="mutation"}`:                  1,
			`orgql_graphql_operation_duration_seconds_count{operation="Plans",type="query"}`:                        3,
			`orgql_graphql_operation_sql_statements_count{type="mutation"}`:                                         1,
		}
		for k, v := range want {
			if m[k] != v {
				t.Errorf("%s = %v, want %v", k, m[k], v)
			}
		}
		for k := range m {
			if strings.Contains(k, "Invented") {
				t.Errorf("an invalid document's name became a label: %s", k)
			}
		}
		// The signed-in requests ran statements (authentication, the mutation).
		if m[`orgql_sql_statements_total{kind="query",outcome="ok"}`] < 2 || m[`orgql_sql_statements_total{kind="exec",outcome="ok"}`] < 1 {
			t.Errorf("SQL statements not counted: %v", pick(m, "orgql_sql_statements_total"))
		}
		if m[`orgql_sql_statement_duration_seconds_count{kind="query"}`] != m[`orgql_sql_statements_total{kind="query",outcome="ok"}`] {
			t.Errorf("statement latencies and counts disagree: %v", pick(m, "orgql_sql_"))
		}
		if _, ok := m[`go_sql_max_open_connections{db_name="orgql"}`]; !ok {
			t.Errorf("no database pool metrics: %v", pick(m, "go_sql_"))
		}
	})
}

func pick(m map[string]float64, prefix string) map[string]float64 {
	out := map[string]float64{}
	for k, v := range m {
		if strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out
}

// Operation names are bounded: past the bound, new names are one value.
func TestMetricsBoundOperationNames(t *testing.T) {
	e := testkit.New(t, testkit.SQLite, nil)
	anon := e.Anonymous()
	for i := range 210 {
		anon.Do(t, `query N`+itoa(i)+` { plans { code } }`, nil).OK(t, nil)
	}
	series := pick(scrape(t, e.Server), "orgql_graphql_operations_total")
	if len(series) != 201 || series[`orgql_graphql_operations_total{operation="(other)",outcome="OK",type="query"}`] != 10 {
		t.Fatalf("%d operation series, want 200 names and (other) counting 10", len(series))
	}
}

// With --metrics-addr, /metrics is not served on the API's listener.
func TestMetricsApartFromTheAPI(t *testing.T) {
	e := testkit.New(t, testkit.SQLite, func(c *config.Config) { c.MetricsAddr = "127.0.0.1:0" })
	rec := e.Serve(httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("GET /metrics on the API listener: %d", rec.Code)
	}
	if len(scrape(t, e.Server.MetricsHandler())) == 0 {
		t.Fatal("the metrics handler serves nothing")
	}
}

// docs/security.md S14: the JSON line of a request holds its request id,
// caller, organization, operation, duration, statement count and outcome,
// and none of the values of a variable named like a password, of an input
// field the schema marks secret (jsonCredentials), or of a variable passed
// to such a field under an innocent name; nor the credentials of its headers.
func TestRequestLogLineRedactsSecrets(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		var logs logBuffer
		logger := slog.New(slog.NewJSONHandler(&logs, nil))
		replaceServer(t, e, server.Options{Logger: logger})
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		const (
			pw      = "pw-hunter2-value"
			jsonKey = "json-key-value-0123"
			aliased = "aliased-secret-value"
		)
		r := alice.Do(t, `mutation Create($org: ID!, $name: String!, $myPassword: String, $k: String) {
			a: createContainerRegistry(organizationID: $org, input: {name: $name, kind: GENERIC_CR, url: "https://registry.example.com", config: {username: "u", password: $myPassword}}) { id }
			b: createContainerRegistry(organizationID: $org, input: {name: "gcp", kind: GCP_ARTIFACT_REGISTRY, url: "https://europe-west1-docker.pkg.dev", config: {region: "europe-west1", jsonCredentials: $k}}) { id }
		}`, map[string]any{"org": org.ID, "name": "docker", "myPassword": pw, "k": aliased})
		r.OK(t, nil)
		r2 := alice.Do(t, `mutation Update($org: ID!, $input: ContainerRegistryInput!) {
			createContainerRegistry(organizationID: $org, input: $input) { id }
		}`, map[string]any{"org": org.ID, "input": map[string]any{"name": "gcp2", "kind": "GCP_ARTIFACT_REGISTRY",
			"url": "https://europe-west1-docker.pkg.dev", "config": map[string]any{"region": "europe-west1", "jsonCredentials": jsonKey}}})
		r2.OK(t, nil)
		all := logs.String()
		for _, v := range []string{pw, jsonKey, aliased, alice.Token} {
			if strings.Contains(all, v) {
				t.Errorf("the log holds %q:\n%s", v, all)
			}
		}
		line := requestLine(t, all, r.Header.Get("X-Request-ID"))
		for k, want := range map[string]any{
			"msg": "request", "operation": "Create", "operation_type": "mutation", "outcome": "OK",
			"caller_kind": "user", "organization": org.ID, "status": float64(200),
		} {
			if line[k] != want {
				t.Errorf("%s = %v, want %v (%v)", k, line[k], want, line)
			}
		}
		if id, _ := line["caller_id"].(string); !strings.HasPrefix(id, "usr_") {
			t.Errorf("caller_id %v", line["caller_id"])
		}
		if n, _ := line["statements"].(float64); n < 3 {
			t.Errorf("statements %v", line["statements"])
		}
		if _, ok := line["duration_ms"].(float64); !ok {
			t.Errorf("no duration: %v", line)
		}
		vars, _ := line["variables"].(map[string]any)
		if vars["myPassword"] != "[REDACTED]" || vars["k"] != "[REDACTED]" || vars["name"] != "docker" {
			t.Errorf("variables %v", vars)
		}
		headers, _ := line["headers"].(map[string]any)
		if headers["authorization"] != "[REDACTED]" {
			t.Errorf("headers %v", headers)
		}
		line2 := requestLine(t, all, r2.Header.Get("X-Request-ID"))
		cfg := line2["variables"].(map[string]any)["input"].(map[string]any)["config"].(map[string]any)
		if cfg["jsonCredentials"] != "[REDACTED]" || cfg["region"] != "europe-west1" {
			t.Errorf("input variables %v", cfg)
		}
	})
}

// requestLine finds the JSON request line of request id in logs.
func requestLine(t *testing.T, logs, id string) map[string]any {
	t.Helper()
	for _, l := range strings.Split(logs, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "request" && m["request_id"] == id {
			return m
		}
	}
	t.Fatalf("no request line for %s:\n%s", id, logs)
	return nil
}

// docs/security.md S8: an internal error's log line holds its whole chain,
// keyed by the request id the client saw.
func TestInternalErrorLogHasTheChain(t *testing.T) {
	e := testkit.New(t, testkit.SQLite, nil)
	var logs logBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	replaceServer(t, e, server.Options{Logger: logger, AroundFields: wrappedFailure})
	r := e.Anonymous().Do(t, `{ plans { code } }`, nil)
	r.Err(t, "INTERNAL_SERVER_ERROR")
	id := r.Header.Get("X-Request-ID")
	for _, l := range strings.Split(logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "internal error" && m["request_id"] == id {
			chain, _ := m["error_chain"].(string)
			if !strings.Contains(chain, "load plans") || !strings.Contains(chain, "disk on fire") || strings.Count(chain, " <- ") < 1 {
				t.Fatalf("chain %q", chain)
			}
			if req := requestLine(t, logs.String(), id); req["outcome"] != "INTERNAL_SERVER_ERROR" {
				t.Fatalf("request line %v", req)
			}
			return
		}
	}
	t.Fatalf("no internal error line for %s:\n%s", id, logs.String())
}

// docs/configuration.md --otlp-endpoint: a span per operation, named after
// it, and one per SQL statement within it, each with the request id.
func TestTracesSpanOperationsAndStatements(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		spans := tracetest.NewSpanRecorder()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
		replaceServer(t, e, server.Options{TracerProvider: tp, Logger: (&logBuffer{}).Logger()})
		// The caller's trace is followed (W3C traceparent).
		const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
		alice.Header = http.Header{"Traceparent": {"00-" + traceID + "-00f067aa0ba902b7-01"}}
		r := alice.Do(t, `query Orgs { viewer { organizations { totalCount } } }`, nil).OK(t, nil)
		id := r.Header.Get("X-Request-ID")
		var op sdktrace.ReadOnlySpan
		var statements []sdktrace.ReadOnlySpan
		for _, s := range spans.Ended() {
			switch {
			case s.Name() == "query Orgs":
				op = s
			case strings.HasPrefix(s.Name(), "sql "):
				statements = append(statements, s)
			}
		}
		if op == nil || len(statements) == 0 {
			t.Fatalf("spans: %v", names(spans.Ended()))
		}
		if op.SpanContext().TraceID().String() != traceID {
			t.Fatalf("the operation's trace %s is not the caller's", op.SpanContext().TraceID())
		}
		if attr(op, "orgql.request_id") != id || attr(op, "graphql.operation.type") != "query" {
			t.Fatalf("operation span attributes: %v", op.Attributes())
		}
		selects := 0
		for _, s := range statements {
			if s.Parent().SpanID() != op.SpanContext().SpanID() || attr(s, "orgql.request_id") != id {
				t.Fatalf("statement span %s: parent %v, attributes %v", s.Name(), s.Parent(), s.Attributes())
			}
			if regexp.MustCompile(`(?i)^select .*count`).MatchString(attr(s, "db.query.text")) {
				selects++
			}
		}
		if selects == 0 {
			t.Fatalf("no span of the count statement among %d statement spans", len(statements))
		}
	})
}

func names(spans []sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name())
	}
	return out
}

func attr(s sdktrace.ReadOnlySpan, key string) string {
	for _, a := range s.Attributes() {
		if string(a.Key) == key {
			return a.Value.Emit()
		}
	}
	return ""
}
