package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/testkit"
)

func TestOperationTimeoutDefault(t *testing.T) {
	if d := config.Defaults().OperationTimeout; d != 10*time.Second {
		t.Fatalf("default operation timeout %v, want 10s", d)
	}
}

// With a deadline that has passed before any resolver runs, a query and a
// mutation fail cleanly: INTERNAL_SERVER_ERROR that says only that the
// operation timed out, and the mutation writes nothing.
func TestOperationPastItsDeadlineFailsCleanly(t *testing.T) {
	for _, b := range testkit.Backends(t) {
		t.Run(string(b), func(t *testing.T) {
			normal := testkit.New(t, b, nil)
			alice := normal.SignIn(t, "alice")
			expired := testkit.New(t, b, func(c *config.Config) { c.OperationTimeout = time.Nanosecond })
			late := *alice
			lateClient := expired.Anonymous()
			lateClient.Token = late.Token

			for _, q := range []string{
				`{ viewer { organizations { totalCount } } }`,
				`mutation { createOrganization(input: {name: "` + testkit.Unique("Late") + `"}) { id } }`,
			} {
				r := lateClient.Do(t, q, nil)
				err := r.Err(t, "INTERNAL_SERVER_ERROR")
				if err.Message != "the operation timed out" || err.Extensions["requestId"] == nil {
					t.Fatalf("%s: %s", q, r.Body)
				}
				if strings.Contains(strings.ToLower(string(r.Body)), "context") || strings.Contains(string(r.Body), "pq:") {
					t.Fatalf("%s: internal text reached the client: %s", q, r.Body)
				}
			}
			if n := orgCount(t, alice); n != 0 {
				t.Fatalf("the timed-out mutation created %d organizations", n)
			}
		})
	}
}

// A resolver still running at the deadline finds its context, and so its
// database statements, cancelled; the client gets the same clean error.
func TestOperationCancelledAtItsDeadline(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { c.OperationTimeout = 20 * time.Millisecond }, func(t *testing.T, e *testkit.Env) {
		replaceServer(t, e, server.Options{AroundFields: func(ctx context.Context, next graphql.Resolver) (any, error) {
			if name := graphql.GetFieldContext(ctx).Field.Name; name == "organizations" || name == "createOrganization" {
				select { // the operation outlives its deadline
				case <-ctx.Done():
				case <-time.After(time.Minute): // no deadline came: fail below rather than hang
				}
			}
			return next(ctx)
		}})
		alice := e.SignIn(t, "alice")
		for _, q := range []string{
			`{ viewer { organizations { totalCount } } }`,
			`mutation { createOrganization(input: {name: "` + testkit.Unique("Late") + `"}) { id } }`,
		} {
			r := alice.Do(t, q, nil)
			if err := r.Err(t, "INTERNAL_SERVER_ERROR"); err.Message != "the operation timed out" {
				t.Fatalf("%s: %s", q, r.Body)
			}
		}
		replaceServer(t, e, server.Options{})
		if n := orgCount(t, alice); n != 0 {
			t.Fatalf("the cancelled mutation created %d organizations", n)
		}
	})
}
