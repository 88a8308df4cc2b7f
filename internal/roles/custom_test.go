package roles_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/ent/invitation"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/ent/roleclusterpermission"
	"github.com/orgql/orgql/ent/roleprojectpermission"
	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

// teamOrg creates an organization on the TEAM plan, which allows several clusters.
func teamOrg(t *testing.T, owner *testkit.Client) testkit.Org {
	t.Helper()
	org := owner.CreateOrg(t)
	owner.Do(t, `mutation($id: ID!) { changePlan(organizationID: $id, plan: TEAM) { id } }`, map[string]any{"id": org.ID}).OK(t, nil)
	return org
}

func env(t, p string) map[string]any { return map[string]any{"environmentType": t, "permission": p} }

// countEvents counts org's events of type typ on target id.
func countEvents(t *testing.T, e *testkit.Env, org testkit.Org, typ organizationevent.Type, targetID string) int {
	t.Helper()
	n, err := e.DB.Client.OrganizationEvent.Query().
		Where(organizationevent.OrganizationID(org.ID), organizationevent.TypeEQ(typ), organizationevent.TargetID(targetID)).
		Count(testkit.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCreateCustomRoleWithPermissionsAndDefaults(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := teamOrg(t, alice)
		p1 := createProject(t, alice, org, "p1")
		p2 := createProject(t, alice, org, "p2")
		p3 := createProject(t, alice, org, "p3")
		c1 := createCluster(t, alice, org, "c1")
		c2 := createCluster(t, alice, org, "c2")

		roleID := createRole(t, alice, org, map[string]any{
			"name": "Deployers", "description": "ships things",
			"clusterPermissions": []any{map[string]any{"clusterID": c1, "permission": "ENV_CREATOR"}},
			"projectPermissions": []any{
				map[string]any{"projectID": p1, "fullAccess": true},
				map[string]any{"projectID": p2, "permissions": []any{env("PRODUCTION", "VIEWER"), env("STAGING", "DEPLOYER")}},
			},
		})
		if countEvents(t, e, org, organizationevent.TypeCREATE, roleID) != 1 {
			t.Fatalf("no ROLE CREATE event")
		}
		// Created later: they get the defaults in the existing custom role.
		p4 := createProject(t, alice, org, "p4")
		c3 := createCluster(t, alice, org, "c3")

		r := roleByID(t, listRoles(t, alice, org), roleID)
		if r.Kind != "CUSTOM" || r.BuiltIn || r.Name != "Deployers" {
			t.Fatalf("role = %+v", r)
		}
		var clusters []string
		for _, c := range r.ClusterPermissions {
			clusters = append(clusters, c.Cluster.ID+"="+c.Permission)
		}
		if want := []string{c1 + "=ENV_CREATOR", c2 + "=VIEWER", c3 + "=VIEWER"}; strings.Join(clusters, " ") != strings.Join(want, " ") {
			t.Fatalf("clusterPermissions = %v, want %v", clusters, want)
		}
		want := map[string]string{
			p1: "full DEVELOPMENT=MANAGER PREVIEW=MANAGER STAGING=MANAGER PRODUCTION=MANAGER",
			p2: "DEVELOPMENT=NO_ACCESS PREVIEW=NO_ACCESS STAGING=DEPLOYER PRODUCTION=VIEWER",
			p3: "DEVELOPMENT=NO_ACCESS PREVIEW=NO_ACCESS STAGING=NO_ACCESS PRODUCTION=NO_ACCESS",
			p4: "DEVELOPMENT=NO_ACCESS PREVIEW=NO_ACCESS STAGING=NO_ACCESS PRODUCTION=NO_ACCESS",
		}
		if len(r.ProjectPermissions) != len(want) {
			t.Fatalf("projectPermissions = %+v, want %d projects", r.ProjectPermissions, len(want))
		}
		for _, p := range r.ProjectPermissions {
			var parts []string
			if p.FullAccess {
				parts = append(parts, "full")
			}
			for _, e := range p.Permissions {
				parts = append(parts, envPermissions(e))
			}
			if got := strings.Join(parts, " "); got != want[p.Project.ID] {
				t.Errorf("project %s: %s, want %s", p.Project.ID, got, want[p.Project.ID])
			}
		}

		// A member of another organization neither sees the role nor uses its ID.
		stranger, _ := outsider(t, e)
		stranger.Do(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": roleID}).Err(t, "NOT_FOUND")
		stranger.Do(t, updateRoleDoc, map[string]any{"id": roleID, "input": map[string]any{"name": "Mine"}}).Err(t, "NOT_FOUND")
		stranger.Do(t, deleteRoleDoc, map[string]any{"id": roleID}).Err(t, "NOT_FOUND")
	})
}

func TestCustomRoleValidation(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		project := createProject(t, alice, org, "web")
		cluster := createCluster(t, alice, org, "prod")
		stranger, strangerOrg := outsider(t, e)
		foreignProject := createProject(t, stranger, strangerOrg, "theirs")
		foreignCluster := createCluster(t, stranger, strangerOrg, "theirs")
		existing := createRole(t, alice, org, map[string]any{"name": "Existing"})

		cl := func(id, perm string) map[string]any { return map[string]any{"clusterID": id, "permission": perm} }
		pr := func(id string, perms ...any) map[string]any {
			return map[string]any{"projectID": id, "permissions": perms}
		}
		cases := []struct {
			name  string
			input map[string]any
			field string
		}{
			{"empty name", map[string]any{"name": ""}, "input.name"},
			{"blank name", map[string]any{"name": "   "}, "input.name"},
			{"leading space", map[string]any{"name": " Ops"}, "input.name"},
			{"trailing space", map[string]any{"name": "Ops "}, "input.name"},
			{"reserved owner", map[string]any{"name": "owner"}, "input.name"},
			{"reserved admin", map[string]any{"name": "ADMIN"}, "input.name"},
			{"reserved devops", map[string]any{"name": "DevOps"}, "input.name"},
			{"reserved billing", map[string]any{"name": "billing"}, "input.name"},
			{"reserved billing manager", map[string]any{"name": "Billing Manager"}, "input.name"},
			{"reserved viewer", map[string]any{"name": "vIeWeR"}, "input.name"},
			{"too long description", map[string]any{"name": "Ops", "description": strings.Repeat("x", 1001)}, "input.description"},
			{"duplicate cluster", map[string]any{"name": "Ops", "clusterPermissions": []any{cl(cluster, "ADMIN"), cl(cluster, "VIEWER")}},
				"input.clusterPermissions.1.clusterID"},
			{"duplicate project", map[string]any{"name": "Ops", "projectPermissions": []any{pr(project), pr(project)}},
				"input.projectPermissions.1.projectID"},
			{"duplicate environment type", map[string]any{"name": "Ops", "projectPermissions": []any{
				pr(project, env("STAGING", "VIEWER"), env("STAGING", "MANAGER"))}},
				"input.projectPermissions.0.permissions.1.environmentType"},
			{"full access with permissions", map[string]any{"name": "Ops", "projectPermissions": []any{
				map[string]any{"projectID": project, "fullAccess": true, "permissions": []any{env("PRODUCTION", "VIEWER")}}}},
				"input.projectPermissions.0.permissions"},
			{"project as cluster", map[string]any{"name": "Ops", "clusterPermissions": []any{cl(project, "ADMIN")}},
				"input.clusterPermissions.0.clusterID"},
			{"cluster as project", map[string]any{"name": "Ops", "projectPermissions": []any{pr(cluster)}},
				"input.projectPermissions.0.projectID"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				// A non-member learns nothing from the input: NOT_FOUND comes first.
				stranger.Do(t, createRoleDoc, map[string]any{"org": org.ID, "input": tc.input}).Err(t, "NOT_FOUND")
				stranger.Do(t, updateRoleDoc, map[string]any{"id": existing, "input": tc.input}).Err(t, "NOT_FOUND")
				err := alice.Do(t, createRoleDoc, map[string]any{"org": org.ID, "input": tc.input}).Err(t, "BAD_USER_INPUT")
				if err.Field() != tc.field {
					t.Fatalf("field = %q, want %q (%s)", err.Field(), tc.field, err.Message)
				}
				// Update validates the same way.
				err = alice.Do(t, updateRoleDoc, map[string]any{"id": existing, "input": tc.input}).Err(t, "BAD_USER_INPUT")
				if err.Field() != tc.field {
					t.Fatalf("update: field = %q, want %q (%s)", err.Field(), tc.field, err.Message)
				}
			})
		}

		// An ID of another organization answers exactly like an ID that does not exist.
		random := map[string]string{"cluster": id.New(id.Cluster), "project": id.New(id.Project)}
		foreign := map[string]string{"cluster": foreignCluster, "project": foreignProject}
		for _, kind := range []string{"cluster", "project"} {
			answer := func(targetID string) string {
				input := map[string]any{"name": "Ops"}
				if kind == "cluster" {
					input["clusterPermissions"] = []any{cl(targetID, "ADMIN")}
				} else {
					input["projectPermissions"] = []any{pr(targetID, env("PRODUCTION", "VIEWER"))}
				}
				err := alice.Do(t, createRoleDoc, map[string]any{"org": org.ID, "input": input}).Err(t, "BAD_USER_INPUT")
				return err.Field() + " | " + err.Message
			}
			if f, r := answer(foreign[kind]), answer(random[kind]); f != r || !strings.HasPrefix(f, "input."+kind+"Permissions.0."+kind+"ID") {
				t.Errorf("%s from another organization: %q; random ID: %q", kind, f, r)
			}
		}

		// Nothing was written by the refused calls.
		n, err := e.DB.Client.Role.Query().Where(role.OrganizationID(org.ID)).Count(testkit.System(context.Background()))
		if err != nil || n != len(rbac.BuiltIn)+1 {
			t.Fatalf("roles in the organization: %d (%v), want %d", n, err, len(rbac.BuiltIn)+1)
		}
	})
}

func TestCustomRoleNamesAreUniqueCaseInsensitively(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		createRole(t, alice, org, map[string]any{"name": "Deployers"})
		alice.Do(t, createRoleDoc, map[string]any{"org": org.ID, "input": map[string]any{"name": "deployers"}}).Err(t, "CONFLICT")

		other := createRole(t, alice, org, map[string]any{"name": "Readers"})
		alice.Do(t, updateRoleDoc, map[string]any{"id": other, "input": map[string]any{"name": "DEPLOYERS"}}).Err(t, "CONFLICT")
		// Renaming a role to its own name in another case is no conflict.
		alice.Do(t, updateRoleDoc, map[string]any{"id": other, "input": map[string]any{"name": "READERS"}}).OK(t, nil)

		// The same name in another organization is fine; its owner cannot touch this one.
		stranger, strangerOrg := outsider(t, e)
		createRole(t, stranger, strangerOrg, map[string]any{"name": "Deployers"})
		stranger.Do(t, updateRoleDoc, map[string]any{"id": other, "input": map[string]any{"name": "Deployers"}}).Err(t, "NOT_FOUND")
	})
}

func TestUpdateCustomRoleReplacesTheDefinition(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		p1 := createProject(t, alice, org, "p1")
		p2 := createProject(t, alice, org, "p2")
		c1 := createCluster(t, alice, org, "c1")
		roleID := createRole(t, alice, org, map[string]any{
			"name": "Ops", "description": "old",
			"clusterPermissions": []any{map[string]any{"clusterID": c1, "permission": "ADMIN"}},
			"projectPermissions": []any{map[string]any{"projectID": p1, "fullAccess": true}},
		})
		// An admin manages roles too; the new definition omits the description, c1 and p1.
		admin := e.SignIn(t, "admin")
		e.AddMember(t, org, admin, rbac.Admin)
		var out struct {
			UpdateCustomRole struct{ Name, Description string }
		}
		admin.Do(t, `mutation($id: ID!, $input: CustomRoleInput!) { updateCustomRole(id: $id, input: $input) { name description } }`,
			map[string]any{"id": roleID, "input": map[string]any{
				"name":               "Operators",
				"projectPermissions": []any{map[string]any{"projectID": p2, "permissions": []any{env("DEVELOPMENT", "MANAGER")}}},
			}}).OK(t, &out)
		if out.UpdateCustomRole.Name != "Operators" || out.UpdateCustomRole.Description != "" {
			t.Fatalf("updated role = %+v", out.UpdateCustomRole)
		}
		r := roleByID(t, listRoles(t, alice, org), roleID)
		if len(r.ClusterPermissions) != 1 || r.ClusterPermissions[0].Permission != "VIEWER" {
			t.Fatalf("cluster permission not back to the default: %+v", r.ClusterPermissions)
		}
		for _, p := range r.ProjectPermissions {
			want := "NO_ACCESS"
			if p.FullAccess {
				t.Fatalf("project %s still has full access", p.Project.ID)
			}
			for _, e := range p.Permissions {
				if p.Project.ID == p2 && e.EnvironmentType == "DEVELOPMENT" {
					want = "MANAGER"
				} else {
					want = "NO_ACCESS"
				}
				if e.Permission != want {
					t.Errorf("project %s %s = %s, want %s", p.Project.ID, e.EnvironmentType, e.Permission, want)
				}
			}
		}
		if countEvents(t, e, org, organizationevent.TypeUPDATE, roleID) != 1 {
			t.Fatalf("no ROLE UPDATE event")
		}
		stranger, _ := outsider(t, e)
		stranger.Do(t, updateRoleDoc, map[string]any{"id": roleID, "input": map[string]any{"name": "Mine"}}).Err(t, "NOT_FOUND")
	})
}

func TestBuiltInRolesCannotBeUpdatedOrDeleted(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		stranger, _ := outsider(t, e)
		for _, r := range listRoles(t, alice, org) {
			if !r.BuiltIn {
				continue
			}
			stranger.Do(t, updateRoleDoc, map[string]any{"id": r.ID, "input": map[string]any{"name": "Renamed"}}).Err(t, "NOT_FOUND")
			stranger.Do(t, deleteRoleDoc, map[string]any{"id": r.ID}).Err(t, "NOT_FOUND")
			err := alice.Do(t, updateRoleDoc, map[string]any{"id": r.ID, "input": map[string]any{"name": "Renamed"}}).Err(t, "BAD_USER_INPUT")
			if err.Field() != "id" {
				t.Fatalf("update %s: field %q", r.Kind, err.Field())
			}
			alice.Do(t, deleteRoleDoc, map[string]any{"id": r.ID}).Err(t, "BAD_USER_INPUT")
		}
		if got := len(listRoles(t, alice, org)); got != len(rbac.BuiltIn) {
			t.Fatalf("%d roles after refused changes, want %d", got, len(rbac.BuiltIn))
		}
	})
}

func TestOnlyMemberManagersChangeRoles(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		roleID := createRole(t, alice, org, map[string]any{"name": "Ops"})
		for _, kind := range []rbac.Kind{rbac.DevOps, rbac.Billing, rbac.Viewer, rbac.Custom} {
			member := e.SignIn(t, "member")
			addMemberOfKind(t, e, alice, org, member, kind)
			member.Do(t, updateRoleDoc, map[string]any{"id": roleID, "input": map[string]any{"name": "Mine"}}).Err(t, "FORBIDDEN")
			member.Do(t, deleteRoleDoc, map[string]any{"id": roleID}).Err(t, "FORBIDDEN")
		}
		stranger, _ := outsider(t, e)
		stranger.Do(t, updateRoleDoc, map[string]any{"id": roleID, "input": map[string]any{"name": "Mine"}}).Err(t, "NOT_FOUND")
		stranger.Do(t, deleteRoleDoc, map[string]any{"id": roleID}).Err(t, "NOT_FOUND")
		if r := roleByID(t, listRoles(t, alice, org), roleID); r.Name != "Ops" {
			t.Fatalf("role changed by a refused call: %+v", r)
		}
	})
}

func TestDeleteCustomRoleRefusedWhileHeld(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		ctx := testkit.System(context.Background())
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		project := createProject(t, alice, org, "web")
		cluster := createCluster(t, alice, org, "prod")
		roleID := createRole(t, alice, org, map[string]any{
			"name":               "Ops",
			"clusterPermissions": []any{map[string]any{"clusterID": cluster, "permission": "ADMIN"}},
			"projectPermissions": []any{map[string]any{"projectID": project, "fullAccess": true}},
		})

		// Held by a member.
		bob := e.SignIn(t, "bob")
		e.AddMemberWithRole(t, org, bob, roleID)
		alice.Do(t, deleteRoleDoc, map[string]any{"id": roleID}).Err(t, "CONFLICT")
		if _, err := e.DB.Client.Membership.Delete().Where(membershipIs(t, e, org, bob)).Exec(ctx); err != nil {
			t.Fatal(err)
		}

		// Held by a pending invitation; an accepted one holds nothing.
		aliceID := e.DB.Client.User.Query().Where(user.Login(alice.Login)).OnlyIDX(ctx)
		invite := func(email string, status invitation.Status) string {
			return e.DB.Client.Invitation.Create().
				SetOrganizationID(org.ID).SetEmail(email).SetRoleID(roleID).SetInviterID(aliceID).
				SetTokenHash(id.New("tok")).SetStatus(status).SetExpiresAt(time.Now().Add(time.Hour)).
				SaveX(ctx).ID
		}
		pending := invite("carol@example.com", invitation.StatusPENDING)
		invite("dave@example.com", invitation.StatusACCEPTED)
		alice.Do(t, deleteRoleDoc, map[string]any{"id": roleID}).Err(t, "CONFLICT")
		e.DB.Client.Invitation.UpdateOneID(pending).SetStatus(invitation.StatusREVOKED).ExecX(ctx)

		// A member of another organization cannot delete it.
		stranger, _ := outsider(t, e)
		stranger.Do(t, deleteRoleDoc, map[string]any{"id": roleID}).Err(t, "NOT_FOUND")

		var out struct{ DeleteCustomRole string }
		alice.Do(t, deleteRoleDoc, map[string]any{"id": roleID}).OK(t, &out)
		if out.DeleteCustomRole != roleID {
			t.Fatalf("deleteCustomRole = %q, want %q", out.DeleteCustomRole, roleID)
		}
		if e.DB.Client.Role.Query().Where(role.ID(roleID)).ExistX(ctx) ||
			e.DB.Client.RoleClusterPermission.Query().Where(roleclusterpermission.RoleID(roleID)).ExistX(ctx) ||
			e.DB.Client.RoleProjectPermission.Query().Where(roleprojectpermission.RoleID(roleID)).ExistX(ctx) ||
			e.DB.Client.Invitation.Query().Where(invitation.RoleID(roleID)).ExistX(ctx) {
			t.Fatalf("the role or rows referring to it remain")
		}
		if countEvents(t, e, org, organizationevent.TypeDELETE, roleID) != 1 {
			t.Fatalf("no ROLE DELETE event")
		}
		alice.Do(t, deleteRoleDoc, map[string]any{"id": roleID}).Err(t, "NOT_FOUND")
	})
}
