package roles_test

import (
	"context"
	"testing"

	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/predicate"
	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

const (
	createRoleDoc = `mutation($org: ID!, $input: CustomRoleInput!) { createCustomRole(organizationID: $org, input: $input) { id name } }`
	updateRoleDoc = `mutation($id: ID!, $input: CustomRoleInput!) { updateCustomRole(id: $id, input: $input) { id name } }`
	deleteRoleDoc = `mutation($id: ID!) { deleteCustomRole(id: $id) }`
)

// createRole creates a custom role in org as c and returns its ID.
func createRole(t *testing.T, c *testkit.Client, org testkit.Org, input map[string]any) string {
	t.Helper()
	var out struct{ CreateCustomRole struct{ ID string } }
	c.Do(t, createRoleDoc, map[string]any{"org": org.ID, "input": input}).OK(t, &out)
	return out.CreateCustomRole.ID
}

// createProject creates a project in org as c and returns its ID.
func createProject(t *testing.T, c *testkit.Client, org testkit.Org, name string) string {
	t.Helper()
	var out struct{ CreateProject struct{ ID string } }
	c.Do(t, `mutation($org: ID!, $name: String!) { createProject(organizationID: $org, input: {name: $name}) { id } }`,
		map[string]any{"org": org.ID, "name": name}).OK(t, &out)
	return out.CreateProject.ID
}

// createCluster creates a cluster in org as c and returns its ID.
func createCluster(t *testing.T, c *testkit.Client, org testkit.Org, name string) string {
	t.Helper()
	var out struct{ CreateCluster struct{ ID string } }
	c.Do(t, `mutation($org: ID!, $name: String!) { createCluster(organizationID: $org, input: {name: $name, cloudProvider: AWS, region: "eu-west-3"}) { id } }`,
		map[string]any{"org": org.ID, "name": name}).OK(t, &out)
	return out.CreateCluster.ID
}

// outsider signs in a user who owns another organization, so holds every
// capability there but is no member of the organizations under test.
func outsider(t *testing.T, e *testkit.Env) (*testkit.Client, testkit.Org) {
	t.Helper()
	c := e.SignIn(t, "mallory")
	return c, c.CreateOrg(t)
}

// membershipID returns the ID of c's membership in org.
func membershipID(t *testing.T, e *testkit.Env, org testkit.Org, c *testkit.Client) string {
	t.Helper()
	ctx := testkit.System(context.Background())
	id, err := e.DB.Client.Membership.Query().
		Where(membership.OrganizationID(org.ID), membership.HasUserWith(user.Login(c.Login))).
		OnlyID(ctx)
	if err != nil {
		t.Fatalf("membership of %s: %v", c.Login, err)
	}
	return id
}

// membershipIs selects c's membership in org.
func membershipIs(t *testing.T, e *testkit.Env, org testkit.Org, c *testkit.Client) predicate.Membership {
	return membership.ID(membershipID(t, e, org, c))
}

// builtInRoleID returns the ID of org's built-in role of kind k.
func builtInRoleID(t *testing.T, e *testkit.Env, org testkit.Org, k rbac.Kind) string {
	t.Helper()
	id, err := e.DB.Client.Role.Query().Where(role.OrganizationID(org.ID), role.KindEQ(k)).OnlyID(testkit.System(context.Background()))
	if err != nil {
		t.Fatalf("%s role: %v", k, err)
	}
	return id
}
