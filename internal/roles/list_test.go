package roles_test

import (
	"slices"
	"testing"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

type roleOut struct {
	ID                 string
	Kind               string
	Name               string
	BuiltIn            bool
	ClusterPermissions []struct {
		Cluster    struct{ ID string }
		Permission string
	}
	ProjectPermissions []struct {
		Project     struct{ ID string }
		FullAccess  bool
		Permissions []struct {
			EnvironmentType string
			Permission      string
		}
	}
}

const rolesDoc = `query($id: ID!) { organization(id: $id) { roles {
	id kind name builtIn
	clusterPermissions { cluster { id } permission }
	projectPermissions { project { id } fullAccess permissions { environmentType permission } }
} } }`

func listRoles(t *testing.T, c *testkit.Client, org testkit.Org) []roleOut {
	t.Helper()
	var out struct{ Organization struct{ Roles []roleOut } }
	c.Do(t, rolesDoc, map[string]any{"id": org.ID}).OK(t, &out)
	return out.Organization.Roles
}

func roleByID(t *testing.T, list []roleOut, id string) roleOut {
	t.Helper()
	for _, r := range list {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("role %s not listed", id)
	return roleOut{}
}

// envPermissions flattens a project permission to "DEVELOPMENT=… PREVIEW=… …" for comparison.
func envPermissions(p struct {
	EnvironmentType string
	Permission      string
}) string {
	return p.EnvironmentType + "=" + p.Permission
}

func TestRolesListBuiltInFirstThenCustomByName(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		createRole(t, alice, org, map[string]any{"name": "zeta"})
		createRole(t, alice, org, map[string]any{"name": "Alpha"})
		createRole(t, alice, org, map[string]any{"name": "beta"})

		// Any member reads the roles; a member of another organization does not.
		viewer := e.SignIn(t, "viewer")
		e.AddMember(t, org, viewer, rbac.Viewer)
		var got []string
		for _, r := range listRoles(t, viewer, org) {
			got = append(got, r.Kind+":"+r.Name)
		}
		want := []string{"OWNER:Owner", "ADMIN:Admin", "DEVOPS:DevOps", "BILLING:Billing Manager", "VIEWER:Viewer",
			"CUSTOM:Alpha", "CUSTOM:beta", "CUSTOM:zeta"}
		if !slices.Equal(got, want) {
			t.Fatalf("roles = %v, want %v", got, want)
		}
		stranger, _ := outsider(t, e)
		stranger.Do(t, rolesDoc, map[string]any{"id": org.ID}).Err(t, "NOT_FOUND")
	})
}

func TestBuiltInRolesPermissionsComeFromTheTable(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		projectID := createProject(t, alice, org, "web")
		clusterID := createCluster(t, alice, org, "prod")

		// Written out from the role matrix: per-project access and cluster permission of each built-in role.
		want := map[string]struct {
			cluster string
			full    bool
			env     string
		}{
			"OWNER":   {"ADMIN", true, "MANAGER"},
			"ADMIN":   {"ADMIN", true, "MANAGER"},
			"DEVOPS":  {"ADMIN", true, "MANAGER"},
			"BILLING": {"VIEWER", false, "NO_ACCESS"},
			"VIEWER":  {"VIEWER", false, "VIEWER"},
		}
		for _, r := range listRoles(t, alice, org) {
			if !r.BuiltIn {
				continue
			}
			w, ok := want[r.Kind]
			if !ok {
				t.Fatalf("unexpected built-in role %s", r.Kind)
			}
			delete(want, r.Kind)
			if len(r.ClusterPermissions) != 1 || r.ClusterPermissions[0].Cluster.ID != clusterID || r.ClusterPermissions[0].Permission != w.cluster {
				t.Errorf("%s clusterPermissions = %+v, want %s on %s", r.Kind, r.ClusterPermissions, w.cluster, clusterID)
			}
			if len(r.ProjectPermissions) != 1 || r.ProjectPermissions[0].Project.ID != projectID {
				t.Fatalf("%s projectPermissions = %+v, want one on %s", r.Kind, r.ProjectPermissions, projectID)
			}
			p := r.ProjectPermissions[0]
			if p.FullAccess != w.full || len(p.Permissions) != len(rbac.EnvironmentTypes) {
				t.Errorf("%s project access = %+v, want full=%v", r.Kind, p, w.full)
			}
			for i, env := range p.Permissions {
				if want := string(rbac.EnvironmentTypes[i]) + "=" + w.env; envPermissions(env) != want {
					t.Errorf("%s: %s, want %s", r.Kind, envPermissions(env), want)
				}
			}
		}
		if len(want) != 0 {
			t.Fatalf("built-in roles missing: %v", want)
		}
		stranger, _ := outsider(t, e)
		stranger.Do(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": builtInRoleID(t, e, org, rbac.Owner)}).Err(t, "NOT_FOUND")
	})
}
