package server_test

import (
	"context"
	"errors"
	"fmt"
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

// An invalid document gets at most 100 errors and a last one saying how many
// more there were, and no message quotes more than a few dozen characters of
// the document: the answer stays small whatever the document.
func TestAnswersToInvalidDocumentsAreBounded(t *testing.T) {
	long := strings.Repeat("x", 500_000)
	cases := []struct {
		name, query string
		many        bool // over 100 errors
	}{
		{"unknown directives", `{ __typename ` + repeat("@d%d", 7000, " ") + ` }`, true},
		{"unknown fields", `{ viewer { ` + repeat("f%d", 1500, " ") + ` } }`, true},
		{"unknown arguments", `{ __typename @skip(` + repeat("a%d: true", 3000, " ") + `) }`, true},
		{"bad argument values", `{ __typename ` + repeat(`@skip(if: "%d")`, 2000, " ") + ` }`, true},
		{"undefined variables", `{ __typename ` + repeat("@skip(if: $v%d)", 1500, " ") + ` }`, true},
		{"unused variables", `query(` + repeat("$v%d: Int", 3000, " ") + `) { __typename }`, true},
		{"a long field name", `{ ` + long + ` }`, false},
		{"a long alias", `{ ` + long + `: nope }`, false},
		{"a long argument name", `{ plans(` + long + `: 1) { code } }`, false},
		{"a long string value", `{ viewer { organizations(first: "` + long + `") { totalCount } } }`, false},
		{"a long enum value", `mutation { changePlan(organizationID: "x", plan: ` + long + `) { name } }`, false},
		{"a long fragment name", `{ ...` + long + ` }`, false},
		{"a long variable name", `query($` + long + `: Int) { __typename }`, false},
		{"a long directive name", `{ __typename @` + long + ` }`, false},
		{"a long type name", `query($v: ` + long + `) { __typename }`, false},
		{"a long string where a name is expected", `{ viewer "` + long + `" }`, false},
	}
	check := func(t *testing.T, e *testkit.Env, many bool) {
		for _, c := range cases {
			if c.many != many {
				continue
			}
			r := e.Anonymous().Do(t, c.query, nil)
			switch {
			case len(r.Errors) == 0 || len(r.Errors) > 101:
				t.Errorf("%s: %d errors", c.name, len(r.Errors))
			case c.many && (len(r.Errors) != 101 || !strings.Contains(r.Errors[100].Message, "more were left out")):
				t.Errorf("%s: %d errors, the last %q", c.name, len(r.Errors), r.Errors[len(r.Errors)-1].Message)
			case len(r.Body) > 32<<10:
				t.Errorf("%s: an answer of %d bytes", c.name, len(r.Body))
			}
			for _, err := range r.Errors {
				if len(err.Message) > 500 {
					t.Errorf("%s: a message of %d bytes: %.200s", c.name, len(err.Message), err.Message)
				}
				if code := err.Code(); code != "GRAPHQL_VALIDATION_FAILED" && code != "GRAPHQL_PARSE_FAILED" {
					t.Errorf("%s: code %q", c.name, code)
				}
			}
		}
	}
	testkit.RunWith(t, production, func(t *testing.T, e *testkit.Env) {
		check(t, e, true)
		check(t, e, false)
	})
	// Development suggests names, at a cost in the length of the name: only
	// the counts are checked there.
	testkit.Run(t, func(t *testing.T, e *testkit.Env) { check(t, e, true) })
}

// wrappedFailure makes plans fail with an error wrapping another.
func wrappedFailure(ctx context.Context, next graphql.Resolver) (any, error) {
	if graphql.GetFieldContext(ctx).Field.Name == "plans" {
		return nil, fmt.Errorf("load plans: %w", errors.New("disk on fire"))
	}
	return next(ctx)
}
