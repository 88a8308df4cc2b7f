package roles_test

import (
	"slices"
	"testing"

	"github.com/orgql/orgql/internal/testkit"
)

// visibleProjects returns the IDs of the projects c sees in org through
// organization.projects, and checks node(id:) and nodes agree for each of ids.
func visibleProjects(t *testing.T, c *testkit.Client, org testkit.Org, ids ...string) []string {
	t.Helper()
	var list struct {
		Organization struct {
			Projects struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID string } }
			}
		}
	}
	c.Do(t, `query($id: ID!) { organization(id: $id) { projects { totalCount edges { node { id } } } } }`,
		map[string]any{"id": org.ID}).OK(t, &list)
	var seen []string
	for _, e := range list.Organization.Projects.Edges {
		seen = append(seen, e.Node.ID)
	}
	if list.Organization.Projects.TotalCount != len(seen) {
		t.Fatalf("totalCount %d for %d projects", list.Organization.Projects.TotalCount, len(seen))
	}
	var nodes struct{ Nodes []*struct{ ID string } }
	c.Do(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids}).OK(t, &nodes)
	for i, id := range ids {
		listed := slices.Contains(seen, id)
		if (nodes.Nodes[i] != nil) != listed {
			t.Fatalf("project %s: listed=%v but nodes gives %v", id, listed, nodes.Nodes[i])
		}
		r := c.Do(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
		if listed {
			r.OK(t, nil)
		} else {
			r.Err(t, "NOT_FOUND")
		}
	}
	return seen
}

// TestCustomRoleSeesProjectsByEnvironmentType checks that a member with a
// custom role sees exactly the projects its permissions give access to, on
// any environment type, through organization.projects, node and nodes.
func TestCustomRoleSeesProjectsByEnvironmentType(t *testing.T) {
	cases := []struct {
		name    string
		access  map[string]any // the project permission input, without projectID; nil: not listed
		visible bool
	}{
		{"not listed", nil, false},
		{"all NO_ACCESS", map[string]any{"permissions": []any{
			env("DEVELOPMENT", "NO_ACCESS"), env("PREVIEW", "NO_ACCESS"), env("STAGING", "NO_ACCESS"), env("PRODUCTION", "NO_ACCESS")}}, false},
		{"no permissions listed", map[string]any{"permissions": []any{}}, false},
		{"DEVELOPMENT VIEWER", map[string]any{"permissions": []any{env("DEVELOPMENT", "VIEWER")}}, true},
		{"PREVIEW DEPLOYER", map[string]any{"permissions": []any{env("PREVIEW", "DEPLOYER")}}, true},
		{"STAGING MANAGER", map[string]any{"permissions": []any{env("STAGING", "MANAGER")}}, true},
		{"only PRODUCTION VIEWER", map[string]any{"permissions": []any{env("PRODUCTION", "VIEWER")}}, true},
		{"full access", map[string]any{"fullAccess": true}, true},
	}
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		stranger, _ := outsider(t, e)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				alice := e.SignIn(t, "alice")
				org := alice.CreateOrg(t)
				target := createProject(t, alice, org, "target")
				other := createProject(t, alice, org, "other")
				input := map[string]any{"name": "Scoped"}
				if tc.access != nil {
					grant := map[string]any{"projectID": target}
					for k, v := range tc.access {
						grant[k] = v
					}
					input["projectPermissions"] = []any{grant}
				}
				roleID := createRole(t, alice, org, input)
				bob := e.SignIn(t, "bob")
				e.AddMemberWithRole(t, org, bob, roleID)
				// Created after the role: NO_ACCESS by default, so invisible.
				later := createProject(t, alice, org, "later")

				var want []string
				if tc.visible {
					want = []string{target}
				}
				if got := visibleProjects(t, bob, org, target, other, later); !slices.Equal(got, want) {
					t.Fatalf("bob sees %v, want %v", got, want)
				}
				// The owner sees them all; a member of another organization none.
				if got := visibleProjects(t, alice, org, target, other, later); len(got) != 3 {
					t.Fatalf("owner sees %v", got)
				}
				stranger.Do(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": target}).Err(t, "NOT_FOUND")
			})
		}
	})
}

// TestCustomRoleAccessFollowsUpdates checks that visibility follows the
// role's current definition, and that the role lists only projects the
// caller sees.
func TestCustomRoleAccessFollowsUpdates(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		web := createProject(t, alice, org, "web")
		api := createProject(t, alice, org, "api")
		roleID := createRole(t, alice, org, map[string]any{"name": "Scoped",
			"projectPermissions": []any{map[string]any{"projectID": web, "permissions": []any{env("PRODUCTION", "VIEWER")}}}})
		bob := e.SignIn(t, "bob")
		e.AddMemberWithRole(t, org, bob, roleID)
		if got := visibleProjects(t, bob, org, web, api); !slices.Equal(got, []string{web}) {
			t.Fatalf("bob sees %v, want only web", got)
		}
		// Clusters are organization data every member reads, whatever the role's cluster permission.
		bob.Do(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": createCluster(t, alice, org, "prod")}).OK(t, nil)
		var out struct {
			Organization struct {
				ViewerRole struct {
					ProjectPermissions []struct{ Project struct{ ID string } }
				}
			}
		}
		bob.Do(t, `query($id: ID!) { organization(id: $id) { viewerRole { projectPermissions { project { id } } } } }`,
			map[string]any{"id": org.ID}).OK(t, &out)
		if pp := out.Organization.ViewerRole.ProjectPermissions; len(pp) != 1 || pp[0].Project.ID != web {
			t.Fatalf("bob's role lists %+v, want only web", pp)
		}

		alice.Do(t, updateRoleDoc, map[string]any{"id": roleID, "input": map[string]any{"name": "Scoped",
			"projectPermissions": []any{map[string]any{"projectID": api, "fullAccess": true}}}}).OK(t, nil)
		if got := visibleProjects(t, bob, org, web, api); !slices.Equal(got, []string{api}) {
			t.Fatalf("after the update bob sees %v, want only api", got)
		}
		// Through its own organization's list, node and nodes, an outsider sees neither project.
		stranger, strangerOrg := outsider(t, e)
		if got := visibleProjects(t, stranger, strangerOrg, web, api); len(got) != 0 {
			t.Fatalf("a member of another organization sees %v", got)
		}
	})
}
