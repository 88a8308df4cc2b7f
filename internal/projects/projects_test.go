package projects_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

func TestProjectLifecycle(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		// TEAM: the members added below are over FREE's member limit.
		alice.Do(t, `mutation($id: ID!) { changePlan(organizationID: $id, plan: TEAM) { id } }`, map[string]any{"id": org.ID}).OK(t, nil)
		p := createProject(t, alice, org, map[string]any{"name": "Web", "description": "the site"})
		if p.Name != "Web" || p.Description != "the site" {
			t.Fatalf("created %+v", p)
		}
		other := createProject(t, alice, org, map[string]any{"name": "api"})

		// Names are unique per organization, case-insensitively, on create and update.
		alice.Do(t, createProjectDoc, map[string]any{"org": org.ID, "input": map[string]any{"name": "WEB"}}).Err(t, "CONFLICT")
		alice.Do(t, updateProjectDoc, map[string]any{"id": other.ID, "input": map[string]any{"name": "web"}}).Err(t, "CONFLICT")

		// A DevOps member updates; omitted fields stay.
		devops := e.SignIn(t, "devops")
		e.AddMember(t, org, devops, rbac.DevOps)
		var out struct{ UpdateProject project }
		devops.Do(t, updateProjectDoc, map[string]any{"id": p.ID, "input": map[string]any{"name": "Website"}}).OK(t, &out)
		if out.UpdateProject.Name != "Website" || out.UpdateProject.Description != "the site" {
			t.Fatalf("updated %+v", out.UpdateProject)
		}

		// Members without CREATE_PROJECTS: a viewer sees the project but may not change it;
		// a billing manager has no project access, so does not even see it.
		viewer := e.SignIn(t, "viewer")
		e.AddMember(t, org, viewer, rbac.Viewer)
		billing := e.SignIn(t, "billing")
		e.AddMember(t, org, billing, rbac.Billing)
		viewer.Do(t, updateProjectDoc, map[string]any{"id": p.ID, "input": map[string]any{"name": "x"}}).Err(t, "FORBIDDEN")
		viewer.Do(t, deleteProjectDoc, map[string]any{"id": p.ID}).Err(t, "FORBIDDEN")
		billing.Do(t, nodeDoc, map[string]any{"id": p.ID}).Err(t, "NOT_FOUND")
		billing.Do(t, updateProjectDoc, map[string]any{"id": p.ID, "input": map[string]any{"name": "x"}}).Err(t, "NOT_FOUND")

		// A member of another organization neither sees nor changes it.
		stranger := outsider(t, e)
		stranger.Do(t, nodeDoc, map[string]any{"id": p.ID}).Err(t, "NOT_FOUND")
		stranger.Do(t, updateProjectDoc, map[string]any{"id": p.ID, "input": map[string]any{"name": "x"}}).Err(t, "NOT_FOUND")
		stranger.Do(t, deleteProjectDoc, map[string]any{"id": p.ID}).Err(t, "NOT_FOUND")
		stranger.Do(t, createProjectDoc, map[string]any{"org": org.ID, "input": map[string]any{"name": "mine"}}).Err(t, "NOT_FOUND")

		var del struct{ DeleteProject string }
		alice.Do(t, deleteProjectDoc, map[string]any{"id": p.ID}).OK(t, &del)
		if del.DeleteProject != p.ID {
			t.Fatalf("deleteProject = %q", del.DeleteProject)
		}
		alice.Do(t, nodeDoc, map[string]any{"id": p.ID}).Err(t, "NOT_FOUND")
		if got, want := events(t, e, org, p.ID), []string{"PROJECT CREATE", "PROJECT UPDATE", "PROJECT DELETE"}; !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
		// Its name is free again.
		createProject(t, alice, org, map[string]any{"name": "website"})
	})
}

func TestProjectValidation(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		p := createProject(t, alice, org, map[string]any{"name": "web"})
		cases := []struct {
			name  string
			input map[string]any
			field string
		}{
			{"empty name", map[string]any{"name": ""}, "input.name"},
			{"leading space", map[string]any{"name": " web2"}, "input.name"},
			{"too long name", map[string]any{"name": strings.Repeat("n", 256)}, "input.name"},
			{"too long description", map[string]any{"name": "ok", "description": strings.Repeat("d", 1001)}, "input.description"},
		}
		stranger := outsider(t, e)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				// A non-member learns nothing from the input: NOT_FOUND comes first.
				stranger.Do(t, createProjectDoc, map[string]any{"org": org.ID, "input": tc.input}).Err(t, "NOT_FOUND")
				stranger.Do(t, updateProjectDoc, map[string]any{"id": p.ID, "input": tc.input}).Err(t, "NOT_FOUND")
				if f := alice.Do(t, createProjectDoc, map[string]any{"org": org.ID, "input": tc.input}).Err(t, "BAD_USER_INPUT").Field(); f != tc.field {
					t.Fatalf("create: field %q, want %q", f, tc.field)
				}
				if f := alice.Do(t, updateProjectDoc, map[string]any{"id": p.ID, "input": tc.input}).Err(t, "BAD_USER_INPUT").Field(); f != tc.field {
					t.Fatalf("update: field %q, want %q", f, tc.field)
				}
			})
		}
	})
}

func TestProjectPlanLimit(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t) // FREE: 3 projects
		var last project
		for _, name := range []string{"a", "b", "c"} {
			last = createProject(t, alice, org, map[string]any{"name": name})
		}
		err := alice.Do(t, createProjectDoc, map[string]any{"org": org.ID, "input": map[string]any{"name": "d"}}).Err(t, "PLAN_LIMIT_EXCEEDED")
		if err.Extensions["limit"] != "projects" {
			t.Fatalf("limit = %v, want projects", err.Extensions["limit"])
		}
		// A member of another organization cannot spend this organization's limit.
		outsider(t, e).Do(t, deleteProjectDoc, map[string]any{"id": last.ID}).Err(t, "NOT_FOUND")
		alice.Do(t, deleteProjectDoc, map[string]any{"id": last.ID}).OK(t, nil)
		createProject(t, alice, org, map[string]any{"name": "d"})
	})
}

// TestDeletedProjectLeavesCustomRoles checks that a project's custom role
// permissions go with it, so a new project of the same name starts at the default.
func TestDeletedProjectLeavesCustomRoles(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		p := createProject(t, alice, org, map[string]any{"name": "web"})
		var role struct{ CreateCustomRole struct{ ID string } }
		alice.Do(t, `mutation($org: ID!, $p: ID!) { createCustomRole(organizationID: $org, input: {name: "Web team",
			projectPermissions: [{projectID: $p, fullAccess: true}]}) { id } }`, map[string]any{"org": org.ID, "p": p.ID}).OK(t, &role)
		bob := e.SignIn(t, "bob")
		e.AddMemberWithRole(t, org, bob, role.CreateCustomRole.ID)
		bob.Do(t, nodeDoc, map[string]any{"id": p.ID}).OK(t, nil)

		outsider(t, e).Do(t, `query($id: ID!) { node(id: $id) { ... on Role { projectPermissions { project { id } } } } }`,
			map[string]any{"id": role.CreateCustomRole.ID}).Err(t, "NOT_FOUND")
		alice.Do(t, deleteProjectDoc, map[string]any{"id": p.ID}).OK(t, nil)
		again := createProject(t, alice, org, map[string]any{"name": "web"})
		bob.Do(t, nodeDoc, map[string]any{"id": again.ID}).Err(t, "NOT_FOUND")
		var out struct {
			Node struct {
				ProjectPermissions []struct {
					Project    struct{ ID string }
					FullAccess bool
				}
			}
		}
		alice.Do(t, `query($id: ID!) { node(id: $id) { ... on Role { projectPermissions { project { id } fullAccess } } } }`,
			map[string]any{"id": role.CreateCustomRole.ID}).OK(t, &out)
		if pp := out.Node.ProjectPermissions; len(pp) != 1 || pp[0].Project.ID != again.ID || pp[0].FullAccess {
			t.Fatalf("role's project permissions = %+v, want the new project at the default", pp)
		}
	})
}
