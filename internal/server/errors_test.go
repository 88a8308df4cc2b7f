package server_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/testkit"
)

const secret = "pq: relation secret_internal_table does not exist"

// failingPlans makes the plans field fail with fail.
func failingPlans(fail func()) graphql.FieldMiddleware {
	return func(ctx context.Context, next graphql.Resolver) (any, error) {
		if graphql.GetFieldContext(ctx).Field.Name == "plans" {
			fail()
		}
		return next(ctx)
	}
}

func TestInternalErrorsAreMaskedAndLoggedWithTheRequestID(t *testing.T) {
	cases := map[string]graphql.FieldMiddleware{
		"panic": failingPlans(func() { panic(secret) }),
		"error": func(ctx context.Context, next graphql.Resolver) (any, error) {
			if graphql.GetFieldContext(ctx).Field.Name == "plans" {
				return nil, errors.New(secret)
			}
			return next(ctx)
		},
	}
	for name, around := range cases {
		t.Run(name, func(t *testing.T) {
			testkit.Run(t, func(t *testing.T, e *testkit.Env) {
				var logs logBuffer
				replaceServer(t, e, server.Options{Logger: logs.Logger(), AroundFields: around})
				r := e.Anonymous().Do(t, `{ plans { code } }`, nil)
				err := r.Err(t, "INTERNAL_SERVER_ERROR")
				if strings.Contains(string(r.Body), "secret_internal_table") {
					t.Fatalf("internal text reached the client: %s", r.Body)
				}
				id, _ := err.Extensions["requestId"].(string)
				if id == "" || id != r.Header.Get("X-Request-ID") {
					t.Fatalf("requestId %q, X-Request-ID %q", id, r.Header.Get("X-Request-ID"))
				}
				for _, line := range strings.Split(logs.String(), "\n") {
					if strings.Contains(line, id) && strings.Contains(line, "secret_internal_table") {
						return
					}
				}
				t.Fatalf("no log line with request id %s and the error:\n%s", id, logs.String())
			})
		})
	}
}

func TestParseAndValidationErrorsHaveTheirCodes(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		anon := e.Anonymous()
		anon.Do(t, `{ plans { code `, nil).Err(t, "GRAPHQL_PARSE_FAILED")
		anon.Do(t, `{ plans { nope } }`, nil).Err(t, "GRAPHQL_VALIDATION_FAILED")
		anon.Do(t, `query($x: Int!) { plans { code } }`, map[string]any{"x": "one"}).Err(t, "GRAPHQL_VALIDATION_FAILED")
	})
}
