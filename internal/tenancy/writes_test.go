package tenancy_test

import (
	"context"
	"errors"
	"testing"

	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/testkit"
	"github.com/orgql/orgql/internal/viewer"
)

// as returns a context in which the data layer sees c's user as the caller.
func as(t *testing.T, e *testkit.Env, c *testkit.Client) context.Context {
	t.Helper()
	u, err := e.DB.Client.User.Query().Where(user.Login(c.Login)).Only(tenancy.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return viewer.NewContext(context.Background(), &viewer.Caller{UserID: u.ID, DisplayName: u.Login})
}

// Updates and deletes of organization-owned rows find the rows' organization
// (orgsOf) and check the caller's capability there.
func TestOrgOwnedWritesCheckTheCapabilityInTheRowsOrganization(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		a := populate(t, e, alice)
		viewerMember := e.SignIn(t, "vera")
		e.AddMember(t, a.Org, viewerMember, rbac.Viewer)
		bob := e.SignIn(t, "bob")
		bob.CreateOrg(t)
		c := e.DB.Client
		project, cluster := a.IDs[id.Project], a.IDs[id.Cluster]

		if err := c.Project.UpdateOneID(project).SetDescription("by bob").Exec(as(t, e, bob)); !errors.Is(err, apperr.ErrNotFound) && !tenancy.IsDenied(err) {
			t.Errorf("non-member updating a project: want NOT_FOUND or a denial, got %v", err)
		}
		// A delete without predicates touches every organization's clusters: refused as a whole.
		if _, err := c.Cluster.Delete().Exec(as(t, e, bob)); err == nil {
			t.Errorf("a non-member's unfiltered cluster delete was allowed")
		}
		if err := c.Project.UpdateOneID(project).SetDescription("by vera").Exec(as(t, e, viewerMember)); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("VIEWER updating a project: want FORBIDDEN, got %v", err)
		}
		if err := c.Project.UpdateOneID(project).SetDescription("by alice").Exec(as(t, e, alice)); err != nil {
			t.Errorf("OWNER updating a project: %v", err)
		}
		if err := c.Cluster.DeleteOneID(cluster).Exec(as(t, e, alice)); err != nil {
			t.Errorf("OWNER deleting a cluster: %v", err)
		}
	})
}
