package testkit

import (
	"context"
	"testing"

	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/tenancy"
)

// Org is an organization created for a test.
type Org struct {
	ID   string
	Name string
}

// CreateOrg creates an organization owned by c through createOrganization.
func (c *Client) CreateOrg(t testing.TB) Org {
	t.Helper()
	name := Unique("Org")
	var out struct {
		CreateOrganization Org `json:"createOrganization"`
	}
	c.Do(t, `mutation($name: String!) { createOrganization(input: {name: $name}) { id name } }`,
		map[string]any{"name": name}).OK(t, &out)
	return out.CreateOrganization
}

// AddMember makes member a member of org with the built-in role of kind
// (OWNER excepted) or, when roleID is given instead, that role. It writes
// the membership directly, as the system, so tests of other features do not
// depend on the invitation flow.
func (e *Env) AddMember(t testing.TB, org Org, member *Client, kind rbac.Kind) {
	t.Helper()
	ctx := System(context.Background())
	r, err := e.DB.Client.Role.Query().Where(role.OrganizationID(org.ID), role.KindEQ(kind)).Only(ctx)
	if err != nil {
		t.Fatalf("find %s role: %v", kind, err)
	}
	e.AddMemberWithRole(t, org, member, r.ID)
}

// AddMemberWithRole makes member a member of org with role roleID (see AddMember).
func (e *Env) AddMemberWithRole(t testing.TB, org Org, member *Client, roleID string) {
	t.Helper()
	ctx := System(context.Background())
	u, err := e.DB.Client.User.Query().Where(user.Login(member.Login)).Only(ctx)
	if err != nil {
		t.Fatalf("find user %s: %v", member.Login, err)
	}
	if err := e.DB.Client.Membership.Create().SetOrganizationID(org.ID).SetUserID(u.ID).SetRoleID(roleID).Exec(ctx); err != nil {
		t.Fatalf("add member: %v", err)
	}
}

// Fixture is the reason tests write and read rows directly, past the API.
const Fixture tenancy.Reason = "test-fixture"

// System returns ctx in which the data layer allows everything, for test fixtures.
func System(ctx context.Context) context.Context { return tenancy.AsSystem(ctx, Fixture) }
