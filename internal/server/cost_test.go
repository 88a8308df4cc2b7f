package server_test

import (
	"testing"

	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/testkit"
)

// complexityError asserts a COMPLEXITY_LIMIT_EXCEEDED with the cost and limit in extensions.
func complexityError(t *testing.T, r *testkit.Response, cost, limit int) {
	t.Helper()
	err := r.Err(t, "COMPLEXITY_LIMIT_EXCEEDED")
	if err.Extensions["complexity"] != float64(cost) || err.Extensions["limit"] != float64(limit) {
		t.Fatalf("extensions %v, want complexity %d and limit %d", err.Extensions, cost, limit)
	}
}

func TestComplexityLimitCountsConnectionsByPageSize(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		alice.CreateOrg(t)
		// members: 100 × (edges 1 + node 1 + id 1) = 300; node 301, edges 302;
		// organizations: 100 × 302 = 30200; viewer: 30201.
		complexityError(t, alice.Do(t, `{ viewer { organizations(first: 100) { edges { node { members(first: 100) { edges { node { id } } } } } } } }`, nil), 30201, 25000)
		// 3 × 302 + 1 = 907 is under the limit.
		alice.Do(t, `{ viewer { organizations(first: 3) { edges { node { members(first: 100) { edges { node { id } } } } } } } }`, nil).OK(t, nil)
	})
}

func TestComplexityOfExactCosts(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { c.ComplexityLimit = 20 }, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		// last: 7 × (edges 1 + node 1 + id 1) + viewer 1 = 22.
		complexityError(t, alice.Do(t, `query($n: Int) { viewer { organizations(last: $n) { edges { node { id } } } } }`, map[string]any{"n": 7}), 22, 20)
		// No page size: 50 × totalCount 1 + viewer 1 = 51.
		complexityError(t, alice.Do(t, `{ viewer { organizations { totalCount } } }`, nil), 51, 20)
		// A fragment spread twice counts twice: 2 × (1 + 6 × 1) = 14, under 20.
		alice.Do(t, `{ a: viewer { ...F } b: viewer { ...F } } fragment F on Viewer { organizations(first: 6) { totalCount } }`, nil).OK(t, nil)
		complexityError(t, alice.Do(t, `{ a: viewer { ...F } b: viewer { ...F } } fragment F on Viewer { organizations(first: 10) { totalCount } }`, nil), 22, 20)
	})
}
