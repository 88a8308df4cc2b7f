package tenancy_test

import (
	"context"
	"errors"
	"testing"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/cluster"
	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
	"github.com/orgql/orgql/internal/viewer"
)

// as returns a context in which the data layer sees c's user as the caller.
func as(t *testing.T, e *testkit.Env, c *testkit.Client) context.Context {
	t.Helper()
	u, err := e.DB.Client.User.Query().Where(user.Login(c.Login)).Only(testkit.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return viewer.NewContext(context.Background(), viewer.NewUser(u.ID, "", u.Login))
}

// Writes of organization-owned rows made straight through ent, past every
// domain check, are still held to the permission table: an update of one
// row is checked against the row's organization (FORBIDDEN for a member
// without the capability, not found for anyone else), and a bulk update or
// delete only ever touches rows of organizations where the caller holds the
// capability.
func TestOrgOwnedWritesCheckTheCapabilityInTheRowsOrganization(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		a := populate(t, e, alice)
		viewerMember := e.SignIn(t, "vera")
		e.AddMember(t, a.Org, viewerMember, rbac.Viewer)
		bob := e.SignIn(t, "bob")
		bobs := bob.CreateOrg(t)
		c := e.DB.Client
		sys := testkit.System(context.Background())
		bobsCluster := c.Cluster.Create().SetOrganizationID(bobs.ID).SetName("bobs").SetRegion("eu").
			SetCloudProvider(cluster.CloudProviderAWS).SaveX(sys)
		project, aliceCluster := a.IDs[id.Project], a.IDs[id.Cluster]

		if err := c.Project.UpdateOneID(project).SetDescription("by bob").Exec(as(t, e, bob)); !ent.IsNotFound(err) {
			t.Errorf("non-member updating a project: want not found, got %v", err)
		}
		// Deletes and bulk updates without predicates reach only bob's own organization.
		if _, err := c.Project.Update().SetDescription("by bob").Save(as(t, e, bob)); err != nil {
			t.Errorf("bob's unfiltered project update: %v", err)
		}
		if n, err := c.Cluster.Delete().Exec(as(t, e, bob)); err != nil || n != 1 {
			t.Errorf("bob's unfiltered cluster delete: %d rows, %v; want his one cluster", n, err)
		}
		if c.Cluster.Query().Where(cluster.ID(bobsCluster.ID)).ExistX(sys) {
			t.Errorf("bob's own cluster was not deleted")
		}
		if !c.Cluster.Query().Where(cluster.ID(aliceCluster)).ExistX(sys) {
			t.Fatalf("bob's unfiltered delete deleted alice's cluster")
		}
		if p := c.Project.GetX(sys, project); p.Description != "" {
			t.Fatalf("bob's unfiltered update changed alice's project: %q", p.Description)
		}
		if err := c.Project.UpdateOneID(project).SetDescription("by vera").Exec(as(t, e, viewerMember)); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("VIEWER updating a project: want FORBIDDEN, got %v", err)
		}
		if n, err := c.Cluster.Delete().Exec(as(t, e, viewerMember)); err != nil || n != 0 {
			t.Errorf("VIEWER's unfiltered cluster delete: %d rows, %v; want none", n, err)
		}
		if err := c.Project.UpdateOneID(project).SetDescription("by alice").Exec(as(t, e, alice)); err != nil {
			t.Errorf("OWNER updating a project: %v", err)
		}
		if err := c.Cluster.DeleteOneID(aliceCluster).Exec(as(t, e, alice)); err != nil {
			t.Errorf("OWNER deleting a cluster: %v", err)
		}
	})
}
