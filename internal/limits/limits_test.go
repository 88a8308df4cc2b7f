package limits_test

import (
	"testing"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// An organization over one limit (members here, written past the API as a
// catalog change would leave it) may still add what that limit does not count,
// and is refused what it does.
func TestAddingIsCheckedOnlyAgainstItsOwnLimit(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		owner := e.SignIn(t, "owner")
		org := owner.CreateOrg(t) // FREE: 3 members, 3 projects
		for _, login := range []string{"m1", "m2", "m3"} {
			e.AddMember(t, org, e.SignIn(t, login), rbac.Viewer)
		}

		owner.Do(t, `mutation($org: ID!) { createProject(organizationID: $org, input: {name: "api"}) { id } }`,
			map[string]any{"org": org.ID}).OK(t, nil)

		var roles struct {
			Organization struct{ Roles []struct{ ID, Name string } }
		}
		owner.Do(t, `query($org: ID!) { organization(id: $org) { roles { id name } } }`, map[string]any{"org": org.ID}).OK(t, &roles)
		err := owner.Do(t, `mutation($org: ID!, $role: ID!) { inviteMember(organizationID: $org, input: {email: "new@example.com", roleID: $role}) { id } }`,
			map[string]any{"org": org.ID, "role": roles.Organization.Roles[4].ID}).Err(t, "PLAN_LIMIT_EXCEEDED")
		if err.Extensions["limit"] != "members" {
			t.Fatalf("limit = %v, want members", err.Extensions["limit"])
		}

		// Another organization's owner is not affected, and cannot add to this one.
		other := e.SignIn(t, "other")
		other.CreateOrg(t)
		other.Do(t, `mutation($org: ID!) { createProject(organizationID: $org, input: {name: "x"}) { id } }`,
			map[string]any{"org": org.ID}).Err(t, "NOT_FOUND")
	})
}
