package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/testkit"
)

// bodyOf is a JSON GraphQL request of exactly n bytes.
func bodyOf(n int) []byte {
	head, tail := `{"query":"{ __typename }","variables":{"pad":"`, `"}}`
	return []byte(head + strings.Repeat("x", n-len(head)-len(tail)) + tail)
}

func TestBodyOverTheLimitIs413(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		limit := int(e.Config.MaxBodyBytes)
		if limit != 1<<20 {
			t.Fatalf("default body limit %d, want 1 MiB", limit)
		}
		var resolved atomic.Int32
		replaceServer(t, e, server.Options{AroundFields: func(ctx context.Context, next graphql.Resolver) (any, error) {
			resolved.Add(1)
			return next(ctx)
		}})
		for _, chunked := range []bool{false, true} {
			send := func(n int) int {
				var body io.Reader = bytes.NewReader(bodyOf(n))
				if chunked {
					body = io.MultiReader(body) // hides the length
				}
				req := httptest.NewRequest(http.MethodPost, "/graphql", body)
				if chunked {
					req.ContentLength = -1
					req.TransferEncoding = []string{"chunked"}
				}
				req.Header.Set("Content-Type", "application/json")
				return e.Serve(req).Code
			}
			if code := send(limit + 1); code != http.StatusRequestEntityTooLarge {
				t.Fatalf("chunked=%v: a body of limit+1 bytes got %d, want 413", chunked, code)
			}
			if resolved.Load() != 0 {
				t.Fatalf("chunked=%v: a resolver ran for a refused body", chunked)
			}
			if code := send(limit); code != http.StatusOK {
				t.Fatalf("chunked=%v: a body of exactly the limit got %d, want 200", chunked, code)
			}
			resolved.Store(0)
		}
	})
}

// nodesQuery is a document of about n tokens: a list argument of n/2 items.
func nodesQuery(n int) string {
	return `{ nodes(ids: [` + strings.Repeat(`"x" `, n) + `]) { id } }`
}

func TestParserTokenLimit(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		if e.Config.ParserTokenLimit != 15000 {
			t.Fatalf("default token limit %d", e.Config.ParserTokenLimit)
		}
		err := e.Anonymous().Do(t, nodesQuery(15001), nil).Err(t, "GRAPHQL_PARSE_FAILED")
		if !strings.Contains(err.Message, "token limit") {
			t.Fatalf("message %q does not name the token limit", err.Message)
		}
		// Under the limit the document parses; its list of 7,000 IDs is then
		// refused, like every argument check, before any resolver runs.
		e.SignIn(t, "alice").Do(t, nodesQuery(14000), nil).Err(t, "BAD_USER_INPUT")
	})
}

// deepQuery nests 12 levels through fragments (viewer 1 ... id 12), plus
// one more when extra is "user { id }" instead of "id".
func deepQuery(leaf string) string {
	return `query { viewer { ...V } }
fragment V on Viewer { organizations(first: 1) { edges { node { ...O } } } }
fragment O on Organization { members(first: 5) { edges { node { organization { members(first: 5) { edges { node { ` + leaf + ` } } } } } } } }`
}

func TestDepthLimit(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		alice.CreateOrg(t)
		alice.Do(t, deepQuery("id"), nil).OK(t, nil)
		err := alice.Do(t, deepQuery("user { id }"), nil).Err(t, "GRAPHQL_VALIDATION_FAILED")
		if err.Extensions["limit"] != "depth" || !strings.Contains(err.Message, "depth 13") {
			t.Fatalf("error does not name the depth limit: %+v", err)
		}
	})
}

func TestAliasLimit(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		// 2 root aliases + 2 spreads of 14 = 30; one more alias is refused.
		fragment := `fragment F on Viewer { ` + repeat("a%d: __typename", 14, " ") + ` }`
		alice.Do(t, `{ x: viewer { ...F } y: viewer { ...F } } `+fragment, nil).OK(t, nil)
		err := alice.Do(t, `{ x: viewer { ...F } y: viewer { ...F } z: __typename } `+fragment, nil).Err(t, "GRAPHQL_VALIDATION_FAILED")
		if err.Extensions["limit"] != "aliases" || !strings.Contains(err.Message, "aliases 31") {
			t.Fatalf("error does not name the alias limit: %+v", err)
		}
	})
}

func TestRootFieldLimitRefusesBeforeAnyResolver(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		create := `o%d: createOrganization(input: {name: "` + testkit.Unique("Root") + ` %d"}) { id }`
		err := alice.Do(t, `mutation { `+repeat(create, 11, " ")+` ...M } fragment M on Mutation { `+repeat(strings.Replace(create, "o%d", "p%d", 1), 10, " ")+` }`, nil).
			Err(t, "GRAPHQL_VALIDATION_FAILED")
		if err.Extensions["limit"] != "rootFields" || !strings.Contains(err.Message, "root fields 21") {
			t.Fatalf("error does not name the root field limit: %+v", err)
		}
		if n := orgCount(t, alice); n != 0 {
			t.Fatalf("a refused operation created %d organizations", n)
		}
		alice.Do(t, `{ `+repeat("a%d: __typename", 20, " ")+` }`, nil).OK(t, nil)
	})
}

func TestLimitsAreConfigurable(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { c.MaxDepth, c.MaxAliases, c.MaxRootFields = 2, 1, 1 }, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		alice.Do(t, `{ viewer { user { id } } }`, nil).Err(t, "GRAPHQL_VALIDATION_FAILED")
		alice.Do(t, `{ viewer { a: __typename b: __typename } }`, nil).Err(t, "GRAPHQL_VALIDATION_FAILED")
		alice.Do(t, `{ viewer { __typename } plans { code } }`, nil).Err(t, "GRAPHQL_VALIDATION_FAILED")
		alice.Do(t, `{ viewer { a: __typename } }`, nil).OK(t, nil)
	})
}
