package roles_test

import (
	"testing"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

const orgsWithViewerRole = `{ viewer { organizations(first: 100) { edges { node { id viewerRole { kind } viewerCapabilities } } } } }`

// A list of organizations asking for the caller's role costs the same number
// of statements for 3 organizations as for 25.
func TestViewerRoleStatementsDoNotGrowWithTheList(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		count := func(n int) int {
			alice := e.SignIn(t, "alice")
			for range n {
				alice.CreateOrg(t)
			}
			alice.Do(t, orgsWithViewerRole, nil).OK(t, nil) // the session's first use writes its activity
			stmts := &testkit.Statements{}
			var out struct {
				Viewer struct {
					Organizations struct {
						Edges []struct {
							Node struct {
								ViewerRole         struct{ Kind string }
								ViewerCapabilities []string
							}
						}
					}
				}
			}
			alice.WithStatements(stmts).Do(t, orgsWithViewerRole, nil).OK(t, &out)
			edges := out.Viewer.Organizations.Edges
			if len(edges) != n || edges[0].Node.ViewerRole.Kind != "OWNER" || len(edges[0].Node.ViewerCapabilities) != len(rbac.Capabilities) {
				t.Fatalf("%d organizations: %+v", n, edges)
			}
			return stmts.Count()
		}
		few, many := count(3), count(25)
		t.Logf("statements: %d for 3 organizations, %d for 25", few, many)
		if few != many {
			t.Fatalf("statements grow with the list: %d for 3 organizations, %d for 25", few, many)
		}
	})
}

// A mutation reads the caller's role fresh: the old owner's transfer answers
// with the role it leaves them, not the one they had when it started.
func TestViewerRoleAfterAMutationIsFresh(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		bob := e.SignIn(t, "bob")
		e.AddMember(t, org, bob, rbac.Admin)
		var members struct {
			Organization struct {
				Members struct {
					Edges []struct {
						Node struct {
							ID   string
							User struct{ Login string }
						}
					}
				}
			}
		}
		alice.Do(t, `query($id: ID!) { organization(id: $id) { members { edges { node { id user { login } } } } } }`,
			map[string]any{"id": org.ID}).OK(t, &members)
		var bobMembership string
		for _, edge := range members.Organization.Members.Edges {
			if edge.Node.User.Login == bob.Login {
				bobMembership = edge.Node.ID
			}
		}
		var out struct {
			TransferOwnership struct{ ViewerRole struct{ Kind string } }
		}
		alice.Do(t, `mutation($org: ID!, $m: ID!) { transferOwnership(organizationID: $org, membershipID: $m) { viewerRole { kind } } }`,
			map[string]any{"org": org.ID, "m": bobMembership}).OK(t, &out)
		if out.TransferOwnership.ViewerRole.Kind != "ADMIN" {
			t.Fatalf("after the transfer alice is %q, want ADMIN", out.TransferOwnership.ViewerRole.Kind)
		}

		// Another organization's member sees nothing of it.
		mallory := e.SignIn(t, "mallory")
		mallory.CreateOrg(t)
		mallory.Do(t, `query($id: ID!) { organization(id: $id) { viewerRole { kind } } }`, map[string]any{"id": org.ID}).Err(t, "NOT_FOUND")
	})
}
