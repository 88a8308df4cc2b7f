package orgs_test

import (
	"slices"
	"testing"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

type orgConnection struct {
	Viewer struct {
		Organizations struct {
			TotalCount int
			Edges      []struct{ Node struct{ ID, Name string } }
		}
	}
}

func (c orgConnection) names() []string {
	var out []string
	for _, e := range c.Viewer.Organizations.Edges {
		out = append(out, e.Node.Name)
	}
	return out
}

const listOrgs = `query($where: OrganizationWhereInput, $orderBy: OrganizationOrder) {
	viewer { organizations(where: $where, orderBy: $orderBy) { totalCount edges { node { id name } } } }
}`

func TestViewerOrganizationsListsOnlyTheCallers(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		tag := testkit.Unique("t")[2:] // a random word shared by this test's names
		names := []string{"b " + tag, "a " + tag, "c " + tag}
		var ids []string
		for _, n := range names[:2] {
			var out struct{ CreateOrganization struct{ ID string } }
			alice.Do(t, createOrg, map[string]any{"input": map[string]any{"name": n}}).OK(t, &out)
			ids = append(ids, out.CreateOrganization.ID)
		}
		bob := e.SignIn(t, "bob")
		var bobs struct{ CreateOrganization struct{ ID, Name string } }
		bob.Do(t, createOrg, map[string]any{"input": map[string]any{"name": names[2]}}).OK(t, &bobs)
		other := bob.CreateOrg(t) // bob's, alice never joins it

		var out orgConnection
		alice.Do(t, listOrgs, nil).OK(t, &out)
		if out.Viewer.Organizations.TotalCount != 2 || slices.Contains(out.names(), names[2]) {
			t.Fatalf("alice sees %v", out.names())
		}
		// Membership through any role lists the organization.
		e.AddMember(t, testkit.Org{ID: bobs.CreateOrganization.ID}, alice, rbac.Viewer)
		out = orgConnection{}
		alice.Do(t, listOrgs, map[string]any{"orderBy": map[string]any{"field": "NAME", "direction": "ASC"}}).OK(t, &out)
		if got := out.names(); !slices.Equal(got, []string{"a " + tag, "b " + tag, "c " + tag}) {
			t.Fatalf("ordered by name: %v", got)
		}
		out = orgConnection{}
		alice.Do(t, listOrgs, map[string]any{"orderBy": map[string]any{"field": "NAME", "direction": "DESC"}}).OK(t, &out)
		if got := out.names(); !slices.Equal(got, []string{"c " + tag, "b " + tag, "a " + tag}) {
			t.Fatalf("ordered by name, descending: %v", got)
		}
		out = orgConnection{}
		alice.Do(t, listOrgs, map[string]any{"where": map[string]any{"nameHasPrefix": "a "}}).OK(t, &out)
		if got := out.names(); !slices.Equal(got, []string{"a " + tag}) || out.Viewer.Organizations.TotalCount != 1 {
			t.Fatalf("where nameHasPrefix: %v", got)
		}
		// A filter naming someone else's organization finds nothing.
		out = orgConnection{}
		alice.Do(t, listOrgs, map[string]any{"where": map[string]any{"idIn": []string{other.ID, ids[0]}}}).OK(t, &out)
		if got := out.names(); !slices.Equal(got, []string{"b " + tag}) {
			t.Fatalf("where idIn: %v", got)
		}
		out = orgConnection{}
		bob.Do(t, listOrgs, nil).OK(t, &out)
		if out.Viewer.Organizations.TotalCount != 2 || slices.Contains(out.names(), names[0]) {
			t.Fatalf("bob sees %v", out.names())
		}
	})
}
