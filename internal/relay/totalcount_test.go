package relay_test

import (
	"fmt"
	"testing"

	"github.com/orgql/orgql/internal/testkit"
)

// totalCount is the number of rows the filter matches in the organization,
// whether the page holds all of them (nothing counted) or not, from the
// start or past a cursor: another organization's rows, even named in the
// filter, are never counted.
func TestTotalCountOfAFilteredConnection(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org, other := alice.CreateOrgOnPlan(t, "TEAM"), e.SignIn(t, "bob").CreateOrgOnPlan(t, "TEAM")
		mine := seedProjects(t, e, org, []string{"a", "b", "c", "d", "e"}, []int{1, 2, 3, 4, 5})
		theirs := seedProjects(t, e, other, []string{"x", "y"}, []int{1, 2})
		ids := []string{mine[0].id, mine[2].id, mine[4].id, theirs[0].id, theirs[1].id} // 3 of the organization's
		const q = `query($org: ID!, $ids: [ID!], ` + pageVars + `) { organization(id: $org) {
			projects(first: $first, last: $last, after: $after, before: $before, where: {idIn: $ids}) { ` + connFields + ` } } }`
		fetch := func(vars map[string]any) conn {
			vars["org"], vars["ids"] = org.ID, ids
			r := alice.Do(t, q, vars).OK(t, nil)
			return dig(t, r.Data, "organization", "projects")
		}
		all := fetch(map[string]any{"first": 50})
		if len(all.Edges) != 3 {
			t.Fatalf("%d edges, want the organization's 3", len(all.Edges))
		}
		for _, c := range []struct {
			vars  map[string]any
			edges int
		}{
			{map[string]any{"first": 50}, 3}, {map[string]any{"first": 3}, 3}, {map[string]any{"first": 2}, 2},
			{map[string]any{"first": 0}, 0}, {map[string]any{"last": 50}, 3}, {map[string]any{"last": 1}, 1},
			{map[string]any{"first": 50, "after": all.Edges[0].Cursor}, 2},
			{map[string]any{"last": 50, "before": all.Edges[2].Cursor}, 2},
		} {
			label := fmt.Sprint(c.vars)
			got := fetch(c.vars)
			if got.TotalCount != 3 || len(got.Edges) != c.edges {
				t.Errorf("%s: totalCount %d, %d edges; want 3, %d", label, got.TotalCount, len(got.Edges), c.edges)
			}
		}
	})
}
