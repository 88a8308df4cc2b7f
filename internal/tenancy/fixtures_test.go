package tenancy_test

import (
	"context"
	"testing"
	"time"

	"github.com/orgql/orgql/ent/cluster"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/ent/project"
	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

// populated is an organization with a row of every organization-owned type.
type populated struct {
	Org testkit.Org
	// IDs holds one ID per type prefix (org, mem, rol, inv, prj, cls, evt, usr).
	IDs map[string]string
}

// populate creates an organization owned by owner with a project, a cluster,
// a custom role, an invitation and events. Rows the API cannot create yet
// are written directly, as the system.
func populate(t *testing.T, e *testkit.Env, owner *testkit.Client) populated {
	t.Helper()
	ctx := testkit.System(context.Background())
	c := e.DB.Client
	org := owner.CreateOrg(t)
	owner.Do(t, `mutation($org: ID!) { createProject(organizationID: $org, input: {name: "web"}) { id } }`,
		map[string]any{"org": org.ID}).OK(t, nil)
	u, err := c.User.Query().Where(user.Login(owner.Login)).Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	viewerRole, err := c.Role.Query().Where(role.OrganizationID(org.ID), role.KindEQ(rbac.Viewer)).Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	custom, err := c.Role.Create().SetOrganizationID(org.ID).SetKind(rbac.Custom).SetName("Ops").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := c.Invitation.Create().SetOrganizationID(org.ID).SetEmail("x@acme.dev").SetRoleID(viewerRole.ID).
		SetInviterID(u.ID).SetTokenHash(id.New("hash")).SetExpiresAt(time.Now().Add(time.Hour)).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := c.Cluster.Create().SetOrganizationID(org.ID).SetName("prod").
		SetCloudProvider(cluster.CloudProviderAWS).SetRegion("eu-west-1").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := func(ids []string, err error) string {
		t.Helper()
		if err != nil || len(ids) == 0 {
			t.Fatalf("fixture: %v %v", ids, err)
		}
		return ids[0]
	}
	return populated{Org: org, IDs: map[string]string{
		id.Organization:      org.ID,
		id.User:              u.ID,
		id.Role:              custom.ID,
		id.Invitation:        inv.ID,
		id.Cluster:           cl.ID,
		id.Membership:        first(c.Membership.Query().Where(membership.OrganizationID(org.ID)).IDs(ctx)),
		id.Project:           first(c.Project.Query().Where(project.OrganizationID(org.ID)).IDs(ctx)),
		id.OrganizationEvent: first(c.OrganizationEvent.Query().Where(organizationevent.OrganizationID(org.ID)).IDs(ctx)),
	}}
}
