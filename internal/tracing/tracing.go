// Package tracing sets up OpenTelemetry traces: off unless an OTLP endpoint
// is configured, then a span per request (named after its GraphQL
// operation) and one per SQL statement, exported over OTLP/HTTP.
package tracing

import (
	"context"
	"fmt"
	"net/url"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// ScopeName names orgql's tracer.
const ScopeName = "github.com/orgql/orgql"

// Attribute keys orgql sets on its spans.
const (
	RequestID     = attribute.Key("orgql.request_id")
	OperationName = attribute.Key("graphql.operation.name")
	OperationType = attribute.Key("graphql.operation.type")
	Outcome       = attribute.Key("orgql.outcome")
	DBSystem      = attribute.Key("db.system.name")
	DBQueryText   = attribute.Key("db.query.text")
	DBOperation   = attribute.Key("db.operation.name")
)

// Propagator reads a caller's W3C traceparent, so orgql's spans join its trace.
var Propagator propagation.TextMapPropagator = propagation.TraceContext{}

// Provider returns the tracer provider for endpoint (an OTLP/HTTP URL such
// as http://collector:4318) sampling ratio of new traces, and its shutdown,
// which flushes what is buffered. With no endpoint it is a no-op provider.
func Provider(ctx context.Context, endpoint string, ratio float64, version string) (trace.TracerProvider, func(context.Context) error, error) {
	if endpoint == "" {
		return noop.NewTracerProvider(), func(context.Context) error { return nil }, nil
	}
	// The exporter would log a bad URL and carry on sending nowhere.
	if u, err := url.Parse(endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, nil, fmt.Errorf("otlp-endpoint must be an http:// or https:// URL: %q", endpoint)
	}
	exporter, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(endpoint))
	if err != nil {
		return nil, nil, fmt.Errorf("otlp exporter: %w", err)
	}
	res := resource.NewSchemaless(attribute.String("service.name", "orgql"), attribute.String("service.version", version))
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exporter),
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))),
	)
	return tp, tp.Shutdown, nil
}
