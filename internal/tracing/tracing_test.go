package tracing

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Off unless an endpoint is configured; with one, an SDK provider
// exporting there (nothing is sent until a span ends).
func TestProvider(t *testing.T) {
	tp, shutdown, err := Provider(context.Background(), "", 1, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tp.(noop.TracerProvider); !ok {
		t.Fatalf("no endpoint: %T", tp)
	}
	_ = shutdown(context.Background())
	tp, shutdown, err = Provider(context.Background(), "http://127.0.0.1:4318", 0.5, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tp.(*sdktrace.TracerProvider); !ok {
		t.Fatalf("an endpoint: %T", tp)
	}
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Provider(context.Background(), "::not a url", 1, "test"); err == nil {
		t.Fatal("a bad endpoint was taken")
	}
}
