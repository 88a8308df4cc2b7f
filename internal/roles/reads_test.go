package roles_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

// reads are the read rules of the role matrix that are not capabilities,
// written out by hand: who sees pending invitations (and the addresses in
// them), and who sees a project by default (per-project access: BILLING's
// is none, as is a custom role's that grants nothing).
var reads = map[string]string{
	//                      OWNER ADMIN DEVOPS BILLING VIEWER custom
	"pending invitations": "y     y     .      .       .      .",
	"projects":            "y     y     y      .       y      .",
}

func canRead(t *testing.T, what string, k rbac.Kind) bool {
	t.Helper()
	cells := strings.Fields(reads[what])
	return cells[slices.Index(columns, k)] == "y"
}

// Each role reads pending invitations and projects as the matrix says,
// through the list, through node(id:), and through a count that does not
// depend on who asks (usage counts every project); an outsider reads none.
func TestReadRulesFollowTheMatrix(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		owner := e.SignIn(t, "owner")
		org := owner.CreateOrg(t)
		invitationID, _ := owner.Invite(t, org, "pending@acme.dev", e.RoleID(t, org, rbac.Viewer))
		var p struct{ CreateProject struct{ ID string } }
		owner.Do(t, `mutation($org: ID!) { createProject(organizationID: $org, input: {name: "web"}) { id } }`,
			map[string]any{"org": org.ID}).OK(t, &p)
		stranger, _ := outsider(t, e)
		const list = `query($id: ID!) { organization(id: $id) {
			invitations { totalCount edges { node { email } } }
			projects { totalCount edges { node { id } } }
			usage { projects members }
		} }`
		const node = `query($id: ID!) { node(id: $id) { id } }`
		stranger.Do(t, list, map[string]any{"id": org.ID}).Err(t, "NOT_FOUND")
		for _, id := range []string{invitationID, p.CreateProject.ID} {
			stranger.Do(t, node, map[string]any{"id": id}).Err(t, "NOT_FOUND")
		}
		for _, kind := range columns {
			t.Run(string(kind), func(t *testing.T) {
				actor := owner
				if kind != rbac.Owner {
					actor = e.SignIn(t, strings.ToLower(string(kind)))
					addMemberOfKind(t, e, owner, org, actor, kind)
				}
				var out struct {
					Organization struct {
						Invitations struct {
							TotalCount int
							Edges      []struct{ Node struct{ Email string } }
						}
						Projects struct{ TotalCount int }
						Usage    struct{ Projects, Members int }
					}
				}
				actor.Do(t, list, map[string]any{"id": org.ID}).OK(t, &out)
				o := out.Organization
				sees := o.Invitations.TotalCount == 1 && len(o.Invitations.Edges) == 1 && o.Invitations.Edges[0].Node.Email == "pending@acme.dev"
				hidden := o.Invitations.TotalCount == 0 && len(o.Invitations.Edges) == 0
				if want := canRead(t, "pending invitations", kind); (want && !sees) || (!want && !hidden) {
					t.Errorf("%s reads invitations %+v, want seen=%v", kind, o.Invitations, want)
				}
				if want := canRead(t, "projects", kind); (o.Projects.TotalCount == 1) != want {
					t.Errorf("%s reads %d projects, want seen=%v", kind, o.Projects.TotalCount, want)
				}
				if o.Usage.Projects != 1 {
					t.Errorf("%s: usage counts %d projects, want all of them (1)", kind, o.Usage.Projects)
				}
				for what, id := range map[string]string{"pending invitations": invitationID, "projects": p.CreateProject.ID} {
					r := actor.Do(t, node, map[string]any{"id": id})
					if canRead(t, what, kind) {
						r.OK(t, nil)
					} else {
						r.Err(t, "NOT_FOUND")
					}
				}
			})
		}
	})
}
