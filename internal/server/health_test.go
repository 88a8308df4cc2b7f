package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/testkit"
)

func status(e *testkit.Env, path string) int {
	return e.Serve(httptest.NewRequest(http.MethodGet, path, nil)).Code
}

func TestHealthAndReadiness(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		if c := status(e, "/healthz"); c != http.StatusOK {
			t.Fatalf("/healthz: %d", c)
		}
		if c := status(e, "/readyz"); c != http.StatusOK {
			t.Fatalf("/readyz: %d", c)
		}
		e.Server.Drain()
		if c := status(e, "/readyz"); c != http.StatusServiceUnavailable {
			t.Fatalf("/readyz while draining: %d, want 503", c)
		}
		if c := status(e, "/healthz"); c != http.StatusOK {
			t.Fatalf("/healthz while draining: %d", c)
		}
	})
}

func TestReadinessFailsWithoutTheDatabase(t *testing.T) {
	ctx := context.Background()
	db, err := database.Open(ctx, filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(config.Defaults(), db, server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Keys: testkit.TestKeys()})
	if err != nil {
		t.Fatal(err)
	}
	e := &testkit.Env{Server: srv}
	if c := status(e, "/readyz"); c != http.StatusOK {
		t.Fatalf("/readyz: %d", c)
	}
	db.Close()
	if c := status(e, "/readyz"); c != http.StatusServiceUnavailable {
		t.Fatalf("/readyz with the database closed: %d, want 503", c)
	}
}

// blockingPlans holds every plans resolver until release is closed, telling
// entered when one starts.
func blockingPlans(entered chan<- struct{}, release <-chan struct{}) graphql.FieldMiddleware {
	return func(ctx context.Context, next graphql.Resolver) (any, error) {
		if graphql.GetFieldContext(ctx).Field.Name == "plans" {
			entered <- struct{}{}
			<-release
		}
		return next(ctx)
	}
}

// startRun serves e's server with Run on a real listener.
func startRun(t *testing.T, ctx context.Context, e *testkit.Env, drain, grace time.Duration) (string, <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- server.Run(ctx, e.Server, ln, drain, grace, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	return "http://" + ln.Addr().String(), done
}

// inFlight sends a plans query to base and reports its status on the returned channel.
func inFlight(base string) <-chan int {
	out := make(chan int, 1)
	go func() {
		resp, err := http.Post(base+"/graphql", "application/json", strings.NewReader(`{"query":"{ plans { code } }"}`))
		if err != nil {
			out <- 0
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		out <- resp.StatusCode
	}()
	return out
}

// On SIGTERM (ctx cancelled) Run turns readiness 503 at once, lets the
// in-flight request finish with 200 and returns nil.
func TestRunDrainsInFlightRequests(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		entered, release := make(chan struct{}, 1), make(chan struct{})
		replaceServer(t, e, server.Options{AroundFields: blockingPlans(entered, release)})
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		base, done := startRun(t, ctx, e, 0, time.Minute)

		resp, err := http.Get(base + "/readyz")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("/readyz before shutdown: %v %v", resp, err)
		}
		resp.Body.Close()

		result := inFlight(base)
		<-entered
		stop() // SIGTERM
		for status(e, "/readyz") != http.StatusServiceUnavailable {
			time.Sleep(time.Millisecond) // until Run has started draining
		}
		select {
		case err := <-done:
			t.Fatalf("Run returned with a request in flight: %v", err)
		default:
		}
		close(release)
		if code := <-result; code != http.StatusOK {
			t.Fatalf("the in-flight request ended with %d, want 200", code)
		}
		if err := <-done; err != nil {
			t.Fatalf("Run: %v", err)
		}
		if _, err := http.Get(base + "/healthz"); err == nil {
			t.Fatal("the listener still accepts connections after Run returned")
		}
	})
}

// A request that outlives the grace period does not keep the process: Run
// closes its connection and returns the deadline.
func TestRunReturnsAfterTheGracePeriod(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		entered, release := make(chan struct{}, 1), make(chan struct{})
		defer close(release)
		replaceServer(t, e, server.Options{AroundFields: blockingPlans(entered, release)})
		ctx, stop := context.WithCancel(context.Background())
		base, done := startRun(t, ctx, e, 0, 10*time.Millisecond)
		result := inFlight(base)
		<-entered
		stop()
		if err := <-done; err == nil || !strings.Contains(err.Error(), "deadline") {
			t.Fatalf("Run: %v, want the grace deadline", err)
		}
		if code := <-result; code == http.StatusOK {
			t.Fatal("the request past the grace period was answered")
		}
	})
}

// After SIGTERM the instance keeps accepting for the drain delay with
// readiness failing, so a load balancer probing /readyz sees 503 (not a
// refused connection) and takes the instance out; requests in that window
// are still served; then the listener closes and Run returns.
func TestReadinessFailsOverTheNetworkDuringTheDrainDelay(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		base, done := startRun(t, ctx, e, 300*time.Millisecond, time.Minute)
		if s := netStatus(t, base+"/readyz"); s != http.StatusOK {
			t.Fatalf("/readyz before SIGTERM: %d", s)
		}
		stop() // SIGTERM
		for e.Server.Ready() {
			time.Sleep(time.Millisecond) // until Run has started draining
		}
		if s := netStatus(t, base+"/readyz"); s != http.StatusServiceUnavailable {
			t.Fatalf("/readyz over the network during the drain delay: %d, want 503", s)
		}
		resp, err := http.Post(base+"/graphql", "application/json", strings.NewReader(`{"query":"{ plans { code } }"}`))
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("a request during the drain delay: %v %v", resp, err)
		}
		resp.Body.Close()
		if err := <-done; err != nil {
			t.Fatalf("Run: %v", err)
		}
		if _, err := http.Get(base + "/healthz"); err == nil {
			t.Fatal("the listener still accepts connections after Run returned")
		}
	})
}

func netStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
