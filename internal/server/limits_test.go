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
			send := func(n int) *httptest.ResponseRecorder {
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
				return e.Serve(req)
			}
			if rec := send(limit + 1); rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), `"code":"BAD_REQUEST"`) {
				t.Fatalf("chunked=%v: a body of limit+1 bytes got %d %s, want 413 with BAD_REQUEST", chunked, rec.Code, rec.Body)
			}
			if resolved.Load() != 0 {
				t.Fatalf("chunked=%v: a resolver ran for a refused body", chunked)
			}
			if rec := send(limit); rec.Code != http.StatusOK {
				t.Fatalf("chunked=%v: a body of exactly the limit got %d, want 200", chunked, rec.Code)
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

// chain is fragments F0..Fn on Viewer, each spreading the next.
func chain(n int) string {
	doc := ""
	for i := range n {
		doc += " fragment F" + itoa(i) + " on Viewer { ...F" + itoa(i+1) + " }"
	}
	return doc + " fragment F" + itoa(n) + " on Viewer { __typename }"
}

// doubling is fragments F0..Fn on Viewer, each spreading the next twice.
func doubling(n int) string {
	doc := ""
	for i := range n {
		doc += " fragment F" + itoa(i) + " on Viewer { ...F" + itoa(i+1) + " ...F" + itoa(i+1) + " }"
	}
	return doc + " fragment F" + itoa(n) + " on Viewer { __typename }"
}

// nested is sel inside n inline fragments on User.
func nested(n int, sel string) string {
	return strings.Repeat("... on User { ", n) + sel + strings.Repeat(" }", n)
}

// tree is a binary tree of depth levels along Organization.members.edges.node.organization.
func tree(depth int) string {
	cycle := []string{"members", "edges", "node", "organization"}
	var sel func(level int) string
	sel = func(level int) string {
		if level == depth {
			return "id"
		}
		name, inner := cycle[level%len(cycle)], sel(level+1)
		return name + " { " + inner + " } " + name + " { " + inner + " }"
	}
	return "{ nope viewer { currentOrganization { " + sel(0) + " } } }"
}

// Documents whose validation takes time quadratic or worse in their size
// are refused before validation, each by the limit its shape is over. Each
// document also has an unknown field: refused after validation, it would get
// that error instead.
func TestShapeLimitsRefuseBeforeValidation(t *testing.T) {
	cases := []struct {
		name, query, operation, limit string
	}{
		{"repeated field", `{ viewer { user { nope ` + strings.Repeat("id ", 7000) + `} } }`, "", "selections"},
		{"repeated root field", `{ nope ` + strings.Repeat("__typename ", 3700) + `}`, "", "rootFields"},
		{"root fields with selections", `{ nope ` + strings.Repeat("plans { code } ", 21) + `}`, "", "rootFields"},
		{"a field merged 21 times", `{ viewer { user { nope ` + strings.Repeat("id ", 21) + `} } }`, "", "mergedFields"},
		{"an alias merged 21 times", `{ viewer { user { nope ` + strings.Repeat("a: id ", 21) + `} } }`, "", "mergedFields"},
		{"conflicting aliases", `{ viewer { user { nope ` + strings.Repeat("a: id a: login ", 11) + `} } }`, "", "mergedFields"},
		{"fragment spread 21 times", `{ viewer { nope ` + strings.Repeat("...F ", 21) + `} } fragment F on Viewer { user { id } }`, "", "mergedFields"},
		{"inline fragments", `{ viewer { nope ` + strings.Repeat("... on Viewer { user { id } } ", 21) + `} }`, "", "mergedFields"},
		{"many distinct fragments", `{ viewer { nope ` + repeat("...F%d", 1100, " ") + ` } } ` + repeat("fragment F%d on Viewer { __typename }", 1100, " "), "", "selections"},
		{"a chain of fragments", `{ viewer { nope ...F0 } } ` + chain(100), "", "selections"},
		{"fragments doubling", `{ viewer { nope ...F0 } } ` + doubling(40), "", "selections"},
		{"a tree of repeated fields", tree(9), "", "mergedFields"},
		{"an unused fragment", `{ nope } fragment U on User { ` + strings.Repeat("id ", 21) + `}`, "", "mergedFields"},
		{"another operation", `query Small { __typename } query Big { viewer { user { nope ` + strings.Repeat("id ", 21) + `} } }`, "Small", "mergedFields"},
		{"too many arguments", `{ nope plans(` + repeat("a%d: 1", 50, " ") + `) { code } }`, "", "arguments"},
		{"depth", `{ nope ` + strings.TrimPrefix(deepQuery("user { id }"), "query {"), "", "depth"},
		{"aliases", `{ nope ` + repeat("a%d: __typename", 31, " ") + ` }`, "", "aliases"},
	}
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		for _, c := range cases {
			body := map[string]any{"query": c.query}
			if c.operation != "" {
				body["operationName"] = c.operation
			}
			r := alice.Send(t, post(t, body))
			if len(r.Errors) != 1 || r.Errors[0].Code() != "GRAPHQL_VALIDATION_FAILED" || r.Errors[0].Extensions["limit"] != c.limit {
				t.Errorf("%s: want one GRAPHQL_VALIDATION_FAILED error with limit %s, got HTTP %d: %.400s", c.name, c.limit, r.Status, r.Body)
			}
		}
	})
}

// A fragment spreading itself through nested fields would expand forever.
func TestFragmentCyclesAreRefused(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		for _, doc := range []string{
			`{ viewer { currentOrganization { ...O } } } fragment O on Organization { members { edges { node { organization { ...O } } } } }`,
			`{ viewer { ...A } } fragment A on Viewer { ...B } fragment B on Viewer { ...A }`,
		} {
			err := e.Anonymous().Do(t, doc, nil).Err(t, "GRAPHQL_VALIDATION_FAILED")
			if !strings.Contains(err.Message, "within itself") {
				t.Errorf("%s: %q", doc, err.Message)
			}
		}
	})
}

func TestSelectionLimitsAreConfigurable(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { c.MaxSelections, c.MaxMergedFields = 10, 2 }, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		// viewer, user and 8 fields: 10 selections.
		alice.Do(t, `{ viewer { user { id login name email avatarURL createdAt updatedAt provider } } }`, nil).OK(t, nil)
		err := alice.Do(t, `{ viewer { user { id login name email avatarURL createdAt updatedAt provider __typename } } }`, nil).Err(t, "GRAPHQL_VALIDATION_FAILED")
		if err.Extensions["limit"] != "selections" || err.Extensions["maximum"] != float64(10) {
			t.Errorf("11 selections: %+v", err)
		}
		// A fragment counts at each spread and in its definition:
		// 2 × (viewer, ...U, user, id, login) + (user, id, login) = 13.
		err = alice.Do(t, `{ viewer { ...U } a: viewer { ...U } } fragment U on Viewer { user { id login } }`, nil).Err(t, "GRAPHQL_VALIDATION_FAILED")
		if err.Extensions["limit"] != "selections" {
			t.Errorf("fragments: %+v", err)
		}
		alice.Do(t, `{ viewer { user { id id } } }`, nil).OK(t, nil)
		err = alice.Do(t, `{ viewer { user { id ...on User { id } } ...U } } fragment U on Viewer { user { id } }`, nil).Err(t, "GRAPHQL_VALIDATION_FAILED")
		if err.Extensions["limit"] != "mergedFields" || err.Extensions["maximum"] != float64(2) || !strings.Contains(err.Message, `"id" is selected 3 times`) {
			t.Errorf("3 ids merged: %+v", err)
		}
	})
}

// A document at the default limits is served.
func TestDocumentsAtTheLimitsAreServed(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		// 20 ids merge in one place; viewer, user, 20 × 99 and 18: 2,000 selections.
		alice.Do(t, `{ viewer { user { `+strings.Repeat(nested(98, "id"), 20)+nested(17, "login")+` } } }`, nil).OK(t, nil)
	})
}
