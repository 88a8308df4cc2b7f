package roles_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

// columns and matrix are the role matrix of docs/permissions.md, written out by hand
// (not read from rbac) so the test fails when the rbac table drifts from it.
var columns = []rbac.Kind{rbac.Owner, rbac.Admin, rbac.DevOps, rbac.Billing, rbac.Viewer, rbac.Custom}

var matrix = map[rbac.Capability]string{
	//                              OWNER ADMIN DEVOPS BILLING VIEWER custom
	rbac.ReadOrganization:       "y     y     y      y       y      y",
	rbac.EditGeneralInformation: "y     y     .      .       .      .",
	rbac.DeleteOrganization:     "y     .     .      .       .      .",
	rbac.TransferOwnership:      "y     .     .      .       .      .",
	rbac.ManageMembers:          "y     y     .      .       .      .",
	rbac.ManageBilling:          "y     y     .      y       .      .",
	rbac.ManageSettings:         "y     y     y      .       .      .",
	rbac.CreateProjects:         "y     y     y      .       .      .",
	rbac.ManageClusters:         "y     y     y      .       .      .",
	rbac.ReadAuditLog:           "y     y     y      .       .      .",
}

// allowed reads the matrix cell of capability c and role kind k.
func allowed(t *testing.T, c rbac.Capability, k rbac.Kind) bool {
	t.Helper()
	row, ok := matrix[c]
	if !ok {
		t.Fatalf("capability %s is not in the test's matrix", c)
	}
	cells := strings.Fields(row)
	if len(cells) != len(columns) {
		t.Fatalf("matrix row %s has %d cells, want %d", c, len(cells), len(columns))
	}
	return cells[slices.Index(columns, k)] == "y"
}

// cell is one matrix cell's setting: a fresh organization owned by owner,
// in which actor holds the role under test.
type cell struct {
	e        *testkit.Env
	owner    *testkit.Client
	org      testkit.Org
	actor    *testkit.Client
	outsider *testkit.Client
	allowed  bool
}

// expect checks a response of the operation under test: success when the
// cell allows it, else refusal with code.
func (c cell) expect(t *testing.T, r *testkit.Response, refusal string, v any) bool {
	t.Helper()
	if c.allowed {
		r.OK(t, v)
		return true
	}
	r.Err(t, refusal)
	return false
}

// operations runs, for each capability, a real operation that needs it, first
// as an outsider (member of another organization: NOT_FOUND), then as the actor.
var operations = map[rbac.Capability]func(t *testing.T, c cell){
	rbac.ReadOrganization: func(t *testing.T, c cell) {
		doc := `query($id: ID!) { organization(id: $id) { id } }`
		vars := map[string]any{"id": c.org.ID}
		c.outsider.Do(t, doc, vars).Err(t, "NOT_FOUND")
		var out struct{ Organization *struct{ ID string } }
		if c.expect(t, c.actor.Do(t, doc, vars), "NOT_FOUND", &out) && (out.Organization == nil || out.Organization.ID != c.org.ID) {
			t.Fatalf("organization not returned: %+v", out)
		}
	},
	rbac.EditGeneralInformation: func(t *testing.T, c cell) {
		doc := `mutation($id: ID!) { updateOrganization(id: $id, input: {description: "edited"}) { description } }`
		vars := map[string]any{"id": c.org.ID}
		c.outsider.Do(t, doc, vars).Err(t, "NOT_FOUND")
		var out struct{ UpdateOrganization struct{ Description string } }
		if c.expect(t, c.actor.Do(t, doc, vars), "FORBIDDEN", &out) && out.UpdateOrganization.Description != "edited" {
			t.Fatalf("description not changed: %+v", out)
		}
	},
	rbac.DeleteOrganization: func(t *testing.T, c cell) {
		doc := `mutation($id: ID!, $name: String!) { deleteOrganization(id: $id, confirmName: $name) }`
		vars := map[string]any{"id": c.org.ID, "name": c.org.Name}
		c.outsider.Do(t, doc, vars).Err(t, "NOT_FOUND")
		c.expect(t, c.actor.Do(t, doc, vars), "FORBIDDEN", nil)
		r := c.owner.Do(t, `query($id: ID!) { organization(id: $id) { id } }`, map[string]any{"id": c.org.ID})
		if c.allowed {
			r.Err(t, "NOT_FOUND")
		} else {
			r.OK(t, nil)
		}
	},
	rbac.TransferOwnership: func(t *testing.T, c cell) {
		heir := c.e.SignIn(t, "heir")
		c.e.AddMember(t, c.org, heir, rbac.Viewer)
		doc := `mutation($org: ID!, $m: ID!) { transferOwnership(organizationID: $org, membershipID: $m) { owner { login } } }`
		vars := map[string]any{"org": c.org.ID, "m": membershipID(t, c.e, c.org, heir)}
		c.outsider.Do(t, doc, vars).Err(t, "NOT_FOUND")
		var out struct {
			TransferOwnership struct{ Owner struct{ Login string } }
		}
		if c.expect(t, c.actor.Do(t, doc, vars), "FORBIDDEN", &out) && out.TransferOwnership.Owner.Login != heir.Login {
			t.Fatalf("owner not transferred: %+v", out)
		}
	},
	rbac.ManageMembers: func(t *testing.T, c cell) {
		vars := map[string]any{"org": c.org.ID, "input": map[string]any{"name": "Deployers"}}
		c.outsider.Do(t, createRoleDoc, vars).Err(t, "NOT_FOUND")
		c.expect(t, c.actor.Do(t, createRoleDoc, vars), "FORBIDDEN", nil)

		// The FREE plan's member limit would refuse the invitation below for its own reason.
		c.owner.Do(t, `mutation($org: ID!) { changePlan(organizationID: $org, plan: TEAM) { id } }`, map[string]any{"org": c.org.ID}).OK(t, nil)
		doc := `mutation($org: ID!, $role: ID!) { inviteMember(organizationID: $org, input: {email: "new@example.com", roleID: $role}) { id } }`
		vars = map[string]any{"org": c.org.ID, "role": builtInRoleID(t, c.e, c.org, rbac.Viewer)}
		c.outsider.Do(t, doc, vars).Err(t, "NOT_FOUND")
		c.expect(t, c.actor.Do(t, doc, vars), "FORBIDDEN", nil)

		subject := c.e.SignIn(t, "subject")
		c.e.AddMember(t, c.org, subject, rbac.Viewer)
		doc = `mutation($m: ID!, $role: ID!) { updateMemberRole(membershipID: $m, roleID: $role) { role { kind } } }`
		vars = map[string]any{"m": membershipID(t, c.e, c.org, subject), "role": builtInRoleID(t, c.e, c.org, rbac.Billing)}
		c.outsider.Do(t, doc, vars).Err(t, "NOT_FOUND")
		var out struct {
			UpdateMemberRole struct{ Role struct{ Kind string } }
		}
		if c.expect(t, c.actor.Do(t, doc, vars), "FORBIDDEN", &out) && out.UpdateMemberRole.Role.Kind != "BILLING" {
			t.Fatalf("role not changed: %+v", out)
		}
	},
	rbac.ManageBilling: func(t *testing.T, c cell) {
		doc := `mutation($org: ID!) { changePlan(organizationID: $org, plan: TEAM) { plan { code } } }`
		vars := map[string]any{"org": c.org.ID}
		c.outsider.Do(t, doc, vars).Err(t, "NOT_FOUND")
		var out struct {
			ChangePlan struct{ Plan struct{ Code string } }
		}
		if c.expect(t, c.actor.Do(t, doc, vars), "FORBIDDEN", &out) && out.ChangePlan.Plan.Code != "TEAM" {
			t.Fatalf("plan not changed: %+v", out)
		}
	},
	// MANAGE_SETTINGS guards API tokens, registries, git tokens, helm
	// repositories and labels/annotations groups, which come in a later
	// issue: until then the cell is checked through viewerCapabilities only.
	rbac.ManageSettings: func(t *testing.T, c cell) {
		doc := `query($id: ID!) { organization(id: $id) { viewerCapabilities } }`
		vars := map[string]any{"id": c.org.ID}
		c.outsider.Do(t, doc, vars).Err(t, "NOT_FOUND")
		var out struct {
			Organization struct{ ViewerCapabilities []string }
		}
		c.actor.Do(t, doc, vars).OK(t, &out)
		if got := slices.Contains(out.Organization.ViewerCapabilities, string(rbac.ManageSettings)); got != c.allowed {
			t.Fatalf("viewerCapabilities %v: MANAGE_SETTINGS held = %v, want %v", out.Organization.ViewerCapabilities, got, c.allowed)
		}
	},
	rbac.CreateProjects: func(t *testing.T, c cell) {
		doc := `mutation($org: ID!) { createProject(organizationID: $org, input: {name: "api"}) { id } }`
		vars := map[string]any{"org": c.org.ID}
		c.outsider.Do(t, doc, vars).Err(t, "NOT_FOUND")
		c.expect(t, c.actor.Do(t, doc, vars), "FORBIDDEN", nil)
	},
	rbac.ManageClusters: func(t *testing.T, c cell) {
		doc := `mutation($org: ID!) { createCluster(organizationID: $org, input: {name: "prod", cloudProvider: AWS, region: "eu-west-3"}) { id } }`
		vars := map[string]any{"org": c.org.ID}
		c.outsider.Do(t, doc, vars).Err(t, "NOT_FOUND")
		c.expect(t, c.actor.Do(t, doc, vars), "FORBIDDEN", nil)
	},
	rbac.ReadAuditLog: func(t *testing.T, c cell) {
		ctx := testkit.System(context.Background())
		eventID, err := c.e.DB.Client.OrganizationEvent.Query().
			Where(organizationevent.OrganizationID(c.org.ID)).
			FirstID(ctx)
		if err != nil {
			t.Fatalf("find an event: %v", err)
		}
		doc := `query($id: ID!) { node(id: $id) { id ... on OrganizationEvent { type } } }`
		vars := map[string]any{"id": eventID}
		c.outsider.Do(t, doc, vars).Err(t, "NOT_FOUND")
		var out struct{ Node *struct{ ID string } }
		if c.expect(t, c.actor.Do(t, doc, vars), "NOT_FOUND", &out) && (out.Node == nil || out.Node.ID != eventID) {
			t.Fatalf("event not returned: %+v", out)
		}
	},
}

// TestRoleMatrix checks every cell of the role matrix (docs/security.md S17):
// each role, built-in and custom, against each capability, by running a real
// operation that needs the capability as a member with that role.
func TestRoleMatrix(t *testing.T) {
	if len(matrix) != len(rbac.Capabilities) || len(operations) != len(rbac.Capabilities) {
		t.Fatalf("the matrix (%d rows) and operations (%d) must cover the %d capabilities", len(matrix), len(operations), len(rbac.Capabilities))
	}
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		stranger, _ := outsider(t, e)
		for _, capability := range rbac.Capabilities {
			for _, kind := range columns {
				t.Run(string(capability)+"/"+string(kind), func(t *testing.T) {
					owner := e.SignIn(t, "owner")
					org := owner.CreateOrg(t)
					actor := owner
					if kind != rbac.Owner {
						actor = e.SignIn(t, strings.ToLower(string(kind)))
						addMemberOfKind(t, e, owner, org, actor, kind)
					}
					operations[capability](t, cell{
						e: e, owner: owner, org: org, actor: actor, outsider: stranger,
						allowed: allowed(t, capability, kind),
					})
				})
			}
		}
	})
}

// addMemberOfKind makes member a member of org with a built-in role of kind,
// or with a fresh custom role (full access to nothing) for rbac.Custom.
func addMemberOfKind(t *testing.T, e *testkit.Env, owner *testkit.Client, org testkit.Org, member *testkit.Client, kind rbac.Kind) {
	t.Helper()
	if kind == rbac.Custom {
		e.AddMemberWithRole(t, org, member, createRole(t, owner, org, map[string]any{"name": "Custom"}))
		return
	}
	e.AddMember(t, org, member, kind)
}

// TestViewerCapabilitiesFollowTheMatrix checks Organization.viewerRole and
// viewerCapabilities for a member of each role against the matrix.
func TestViewerCapabilitiesFollowTheMatrix(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		owner := e.SignIn(t, "owner")
		org := owner.CreateOrg(t)
		stranger, _ := outsider(t, e)
		doc := `query($id: ID!) { organization(id: $id) { viewerRole { kind name builtIn } viewerCapabilities } }`
		stranger.Do(t, doc, map[string]any{"id": org.ID}).Err(t, "NOT_FOUND")
		for _, kind := range columns {
			t.Run(string(kind), func(t *testing.T) {
				actor := owner
				if kind != rbac.Owner {
					actor = e.SignIn(t, strings.ToLower(string(kind)))
					addMemberOfKind(t, e, owner, org, actor, kind)
				}
				var out struct {
					Organization struct {
						ViewerRole struct {
							Kind    string
							Name    string
							BuiltIn bool
						}
						ViewerCapabilities []string
					}
				}
				actor.Do(t, doc, map[string]any{"id": org.ID}).OK(t, &out)
				role := out.Organization.ViewerRole
				if role.Kind != string(kind) || role.BuiltIn != (kind != rbac.Custom) {
					t.Fatalf("viewerRole = %+v, want kind %s", role, kind)
				}
				var want []string
				for _, c := range rbac.Capabilities {
					if allowed(t, c, kind) {
						want = append(want, string(c))
					}
				}
				got := slices.Clone(out.Organization.ViewerCapabilities)
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Fatalf("viewerCapabilities = %v, want %v", got, want)
				}
			})
		}
	})
}
