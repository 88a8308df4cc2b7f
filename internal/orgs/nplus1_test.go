package orgs_test

import (
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/testkit"
)

const orgsWithOwnerAndProjects = `{ viewer { organizations(first: 100) { edges { node { id name owner { login } projects { totalCount } } } } } }`

// memberOf returns a user who belongs to n organizations, each owned by
// someone else and holding a project.
func memberOf(t *testing.T, e *testkit.Env, n int) *testkit.Client {
	t.Helper()
	u := e.SignIn(t, "many")
	for range n {
		owner := e.SignIn(t, "owner")
		org := owner.CreateOrg(t)
		owner.Do(t, `mutation($org: ID!) { createProject(organizationID: $org, input: {name: "web"}) { id } }`,
			map[string]any{"org": org.ID}).OK(t, nil)
		e.AddMember(t, org, u, "DEVOPS")
	}
	return u
}

// countStatements runs the organizations query as c and returns how many SQL statements it ran.
func countStatements(t *testing.T, c *testkit.Client, orgs int) int {
	t.Helper()
	var stmts testkit.Statements
	var out struct {
		Viewer struct {
			Organizations struct {
				Edges []struct {
					Node struct {
						Owner    struct{ Login string }
						Projects struct{ TotalCount int }
					}
				}
			}
		}
	}
	c.WithStatements(&stmts).Do(t, orgsWithOwnerAndProjects, nil).OK(t, &out)
	edges := out.Viewer.Organizations.Edges
	if len(edges) != orgs {
		t.Fatalf("listed %d organizations, want %d", len(edges), orgs)
	}
	for _, e := range edges {
		if e.Node.Owner.Login == "" || e.Node.Projects.TotalCount != 1 {
			t.Fatalf("incomplete organization: %+v", e.Node)
		}
	}
	list := stmts.List()
	for i, s := range list {
		if len(s) > 300 {
			list[i] = s[:300] + "..."
		}
	}
	t.Logf("%d organizations: %d statements:\n  %s", orgs, len(list), strings.Join(list, "\n  "))
	return stmts.Count()
}

// Point 9: the statements for a page of organizations with their owner and
// project count do not grow with the number of organizations.
func TestViewerOrganizationsStatementsDoNotGrowWithTheList(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		few := countStatements(t, memberOf(t, e, 5), 5)
		many := countStatements(t, memberOf(t, e, 100), 100)
		if few != many {
			t.Fatalf("5 organizations take %d statements, 100 take %d", few, many)
		}
	})
}
