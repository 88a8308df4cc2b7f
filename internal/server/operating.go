package server

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/graph"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/credentials"
	"github.com/orgql/orgql/internal/logging"
	"github.com/orgql/orgql/internal/metrics"
	"github.com/orgql/orgql/internal/observe"
	"github.com/orgql/orgql/internal/ratelimit"
	"github.com/orgql/orgql/internal/requestid"
	"github.com/orgql/orgql/internal/tracing"
	"github.com/orgql/orgql/internal/viewer"
)

// This file wires what operators watch (docs/architecture.md, "Operating"):
// every request gets an observe.Request that the GraphQL layer and the
// database driver fill in; when it ends, it becomes a metric, a log line
// and a span.

// maxOperationNames bounds the operation label of the metrics when no
// trusted documents name the operations.
const maxOperationNames = 200

// maxLoggedName is the longest operation name a log line holds.
const maxLoggedName = 100

// observability is what a server records requests with.
type observability struct {
	metrics  *metrics.Metrics
	tracer   trace.Tracer
	tracing  bool
	dbSystem string
	redactor *logging.Redactor
	logger   *slog.Logger
}

func newObservability(s *Server, opts Options) *observability {
	names := metrics.NewNames(maxOperationNames)
	if s.trusted != nil {
		names = metrics.FixedNames(s.trusted.OperationNames())
	}
	o := &observability{metrics: metrics.New(s.db.SQL, names), dbSystem: "sqlite", logger: s.logger,
		redactor: logging.NewRedactor(graph.NewExecutableSchema(nil).Schema(), secretSettings(), sensitiveFields())}
	if s.db.Dialect == dialect.Postgres {
		o.dbSystem = "postgresql"
	}
	tp := opts.TracerProvider
	if tp == nil {
		tp = noop.NewTracerProvider()
	}
	_, off := tp.(noop.TracerProvider)
	o.tracing = !off
	o.tracer = tp.Tracer(tracing.ScopeName)
	return o
}

// secretSettings are the input fields the schema marks secret: the settings
// containerRegistryKinds, helmRepositoryKinds and Git tokens list with
// secret: true. Logs redact them whatever they are called.
func secretSettings() []string {
	var out []string
	for _, catalog := range [][]credentials.Kind{credentials.RegistryKinds, credentials.HelmKinds, {{Fields: credentials.GitSettings}}} {
		for _, k := range catalog {
			for _, f := range k.Fields {
				if f.Secret {
					out = append(out, f.Name)
				}
			}
		}
	}
	return out
}

// sensitiveFields are the ent fields marked Sensitive() (ent.Fields).
func sensitiveFields() []logging.SensitiveField {
	var out []logging.SensitiveField
	for typ, fields := range ent.Fields {
		for _, f := range fields {
			if f.Sensitive {
				out = append(out, logging.SensitiveField{Type: typ, Field: f.GraphQL})
			}
		}
	}
	return out
}

// observeRequests records each request once it is answered.
func (s *Server) observeRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &observe.Request{Start: time.Now(), Statements: s.obs.statement}
		ctx := r.Context()
		var span trace.Span
		if s.obs.tracing {
			ctx = tracing.Propagator.Extract(ctx, propagation.HeaderCarrier(r.Header))
			ctx, span = s.obs.tracer.Start(ctx, r.Method+" "+r.URL.Path, trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(tracing.RequestID.String(requestid.From(ctx)),
					attribute.String("http.request.method", r.Method), attribute.String("url.path", r.URL.Path)))
		}
		ctx = observe.NewContext(ctx, rec)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r.WithContext(ctx))
		s.finish(ctx, r, rec, sw.status, span)
	})
}

func (s *Server) finish(ctx context.Context, r *http.Request, rec *observe.Request, status int, span trace.Span) {
	took := time.Since(rec.Start)
	op := rec.Operation()
	// A CORS preflight is no operation.
	isGraphQL := r.URL.Path == "/graphql" && r.Method != http.MethodOptions
	outcome := op.Outcome
	if outcome == "" {
		switch {
		case status >= 500:
			outcome = apperr.CodeInternal
		case status >= 400:
			outcome = CodeBadRequest
		default:
			outcome = "OK"
		}
	}
	if isGraphQL {
		label := s.obs.metrics.Names.Label(op.Name, op.Type != "")
		s.obs.metrics.Operation(label, op.Type, outcome, took, rec.StatementCount())
	}
	if span != nil {
		if op.Type != "" {
			span.SetName(strings.TrimSpace(op.Type + " " + op.Name))
			span.SetAttributes(tracing.OperationName.String(op.Name), tracing.OperationType.String(op.Type))
		}
		span.SetAttributes(tracing.Outcome.String(outcome), attribute.Int("http.response.status_code", status))
		if outcome == apperr.CodeInternal {
			span.SetStatus(codes.Error, outcome)
		}
		span.End()
	}
	level := s.logLevelOf(isGraphQL)
	if !s.logger.Enabled(ctx, level) {
		return
	}
	attrs := []any{
		"method", r.Method, "path", r.URL.Path, "status", status,
		"duration_ms", float64(took.Microseconds()) / 1000, "statements", rec.StatementCount(),
		"outcome", outcome,
	}
	if op.CallerKind != "" {
		attrs = append(attrs, "caller_kind", op.CallerKind, "caller_id", op.CallerID)
	}
	if isGraphQL {
		attrs = append(attrs, "operation", op.Name, "operation_type", op.Type, "cost", op.Cost,
			"client_address", ratelimit.ClientAddress(r, s.cfg.ClientIPHeader))
		if op.Organization != "" {
			attrs = append(attrs, "organization", op.Organization)
		}
		if s.trusted != nil {
			attrs = append(attrs, "trusted", op.Trusted)
		}
		if op.Variables != nil {
			attrs = append(attrs, "variables", op.Variables)
		}
		attrs = append(attrs, "headers", logging.Headers(r.Header))
	}
	if span != nil && span.SpanContext().IsValid() {
		attrs = append(attrs, "trace_id", span.SpanContext().TraceID().String())
	}
	s.logger.Log(ctx, level, "request", attrs...)
}

// logLevelOf: GraphQL requests are logged at info, the rest (health
// checks, the playground's files) at debug.
func (s *Server) logLevelOf(isGraphQL bool) slog.Level {
	if isGraphQL {
		return slog.LevelInfo
	}
	return slog.LevelDebug
}

// statement observes one SQL statement: its metrics and, when tracing, its span.
func (o *observability) statement(ctx context.Context, kind, query string) (context.Context, func(error)) {
	start := time.Now()
	var span trace.Span
	if o.tracing {
		if len(query) > 2000 {
			query = query[:2000]
		}
		ctx, span = o.tracer.Start(ctx, "sql "+kind, trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(tracing.DBSystem.String(o.dbSystem), tracing.DBQueryText.String(query),
				tracing.RequestID.String(requestid.From(ctx))))
	}
	return ctx, func(err error) {
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
		o.metrics.Statement(kind, time.Since(start), err)
		if span != nil {
			if err != nil {
				span.SetStatus(codes.Error, "statement failed")
			}
			span.End()
		}
	}
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wroteHeader = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flushing, hijacking).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush serves streams (Server-Sent Events) that look for an http.Flusher.
func (w *statusWriter) Flush() {
	w.wroteHeader = true
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// observeOperation is the outermost response interceptor: it records the
// operation, its caller, its cost and its outcome in the request's
// observe.Request, for the metrics and the log line.
type observeOperation struct{ obs *observability }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = observeOperation{}

func (observeOperation) ExtensionName() string                   { return "ObserveOperation" }
func (observeOperation) Validate(graphql.ExecutableSchema) error { return nil }

func (o observeOperation) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	rec := observe.FromContext(ctx)
	if rec == nil || !graphql.HasOperationContext(ctx) {
		return resp
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation != nil && oc.Operation.Operation == ast.Subscription && rec.Operation().Type != "" &&
		resp != nil && len(resp.Errors) == 0 {
		// A subscription's later responses are its events: the request
		// was described by its first (an error still sets the outcome).
		return resp
	}
	caller := viewer.FromContext(ctx)
	var vars map[string]any
	if o.obs.logger.Enabled(ctx, slog.LevelInfo) {
		vars = o.obs.redactor.Variables(oc.Doc, oc.Operation, oc.Variables)
	}
	rec.UpdateOperation(func(op *observe.Operation) {
		op.Name = oc.OperationName
		if oc.Operation != nil {
			op.Type = string(oc.Operation.Operation)
			if op.Name == "" {
				op.Name = oc.Operation.Name
			}
		}
		if len(op.Name) > maxLoggedName { // a name the client sent with a document that did not parse
			op.Name = op.Name[:maxLoggedName]
		}
		op.Outcome = outcomeOf(resp)
		if stats := extension.GetComplexityStats(ctx); stats != nil {
			op.Cost = stats.Complexity
		}
		if caller != nil {
			op.CallerKind, op.CallerID = caller.Kind().String(), caller.ID()
		} else {
			op.CallerKind = "anonymous"
		}
		op.Organization = organizationOf(oc, caller)
		op.Variables = vars
	})
	return resp
}

func outcomeOf(resp *graphql.Response) string {
	switch {
	case resp == nil:
		return apperr.CodeInternal
	case len(resp.Errors) == 0:
		return "OK"
	}
	if code, ok := resp.Errors[0].Extensions["code"].(string); ok && code != "" {
		return code
	}
	return apperr.CodeInternal
}

// organizationOf is the organization an operation acts in: an API token's
// own, or the one a root field names (organizationID, or an organization's id).
func organizationOf(oc *graphql.OperationContext, caller *viewer.Caller) string {
	if caller.IsAPIToken() {
		return caller.Token.OrganizationID
	}
	if oc.Operation == nil {
		return ""
	}
	for _, sel := range oc.Operation.SelectionSet {
		f, ok := sel.(*ast.Field)
		if !ok || f.Definition == nil {
			continue
		}
		args := f.ArgumentMap(oc.Variables)
		if v, ok := args["organizationID"].(string); ok {
			return v
		}
		if v, ok := args["id"].(string); ok && strings.HasPrefix(v, "org_") {
			return v
		}
	}
	return ""
}
