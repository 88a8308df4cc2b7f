package isolation_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/orgql/orgql/ent/cluster"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/kubemeta"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
	"github.com/orgql/orgql/internal/token"
)

// fixtures writes the objects of organization org directly, as the system,
// when the API that makes them does not work yet (other helpers are still
// writing some of the services): the walk needs the objects, not the API.
type fixtures struct {
	t   *testing.T
	e   *testkit.Env
	ctx context.Context // tenancy.System
	org string
}

// viaAPI returns the id of the object that resp (one root field) created,
// or when the API failed, the id of the object fixture writes.
func (fx fixtures) viaAPI(operation string, resp *testkit.Response, fixture func() string) string {
	fx.t.Helper()
	if len(resp.Errors) == 0 && resp.Status == 200 {
		var data map[string]struct{ ID string }
		if err := json.Unmarshal(resp.Data, &data); err == nil && data[operation].ID != "" {
			return data[operation].ID
		}
	}
	fx.t.Logf("setup: %s through the API answered HTTP %d %s; using a database fixture", operation, resp.Status, resp.Body)
	return fixture()
}

func (fx fixtures) project(name string) string {
	p, err := fx.e.DB.Client.Project.Create().
		SetOrganizationID(fx.org).SetName(name).Save(fx.ctx)
	fx.check("project", err)
	return p.ID
}

func (fx fixtures) cluster(name string, labelsGroupIDs ...string) string {
	c, err := fx.e.DB.Client.Cluster.Create().
		SetOrganizationID(fx.org).SetName(name).
		SetCloudProvider(cluster.CloudProviderAWS).SetRegion("eu-west-3").
		AddLabelsGroupIDs(labelsGroupIDs...).Save(fx.ctx)
	fx.check("cluster", err)
	return c.ID
}

func (fx fixtures) labelsGroup(name string) string {
	g, err := fx.e.DB.Client.LabelsGroup.Create().
		SetOrganizationID(fx.org).SetName(name).
		SetLabels([]kubemeta.Label{{Key: "example.com/team", Value: "web", PropagateToCloudProvider: true}}).Save(fx.ctx)
	fx.check("labels group", err)
	return g.ID
}

// invoice is an invoice of the organization, as the payment provider issues them.
func (fx fixtures) invoice() string {
	now := time.Now().UTC().Truncate(time.Microsecond)
	inv, err := fx.e.DB.Client.Invoice.Create().SetOrganizationID(fx.org).SetNumber("INV-" + randomHex()).
		SetStatus(billing.InvoicePaid).SetTotalCents(29900).SetCurrency("USD").
		SetPeriodStart(now.AddDate(0, -1, 0)).SetPeriodEnd(now).Save(fx.ctx)
	fx.check("invoice", err)
	return inv.ID
}

func (fx fixtures) annotationsGroup(name string) string {
	g, err := fx.e.DB.Client.AnnotationsGroup.Create().
		SetOrganizationID(fx.org).SetName(name).
		SetAnnotations([]kubemeta.Annotation{{Key: "example.com/note", Value: "x"}}).
		SetScopes([]kubemeta.Scope{kubemeta.Pods}).Save(fx.ctx)
	fx.check("annotations group", err)
	return g.ID
}

func (fx fixtures) customRole(name, projectID, clusterID string) string {
	client := fx.e.DB.Client
	r, err := client.Role.Create().
		SetOrganizationID(fx.org).SetKind(rbac.Custom).SetName(name).Save(fx.ctx)
	fx.check("custom role", err)
	err = client.RoleProjectPermission.Create().
		SetOrganizationID(fx.org).SetRoleID(r.ID).SetProjectID(projectID).SetFullAccess(true).Exec(fx.ctx)
	fx.check("project permission", err)
	err = client.RoleClusterPermission.Create().
		SetOrganizationID(fx.org).SetRoleID(r.ID).SetClusterID(clusterID).SetPermission(rbac.ClusterPermission("ADMIN")).Exec(fx.ctx)
	fx.check("cluster permission", err)
	return r.ID
}

func (fx fixtures) invitation(email, roleID, inviterID string) string {
	inv, err := fx.e.DB.Client.Invitation.Create().
		SetOrganizationID(fx.org).SetEmail(email).SetRoleID(roleID).SetInviterID(inviterID).
		SetTokenHash(token.Hash(token.New(token.Invitation))).SetExpiresAt(time.Now().Add(7 * 24 * time.Hour)).Save(fx.ctx)
	fx.check("invitation", err)
	return inv.ID
}

// ensureEvent writes an event when the changes above recorded none.
func (fx fixtures) ensureEvent() {
	n, err := fx.e.DB.Client.OrganizationEvent.Query().Where(organizationevent.OrganizationID(fx.org)).Count(fx.ctx)
	fx.check("count events", err)
	if n > 0 {
		return
	}
	fx.t.Logf("setup: the API recorded no event for %s; using a database fixture", fx.org)
	err = fx.e.DB.Client.OrganizationEvent.Create().
		SetOrganizationID(fx.org).SetType(organizationevent.TypeUPDATE).
		SetTargetType(organizationevent.TargetTypeORGANIZATION).SetTargetID(fx.org).Exec(fx.ctx)
	fx.check("event", err)
}

func (fx fixtures) check(what string, err error) {
	fx.t.Helper()
	if err != nil {
		fx.t.Fatalf("setup: write %s: %v", what, err)
	}
}

// userID returns the user ID of the signed-in client c.
func userID(t *testing.T, e *testkit.Env, c *testkit.Client) string {
	t.Helper()
	id, err := e.DB.Client.User.Query().Where(user.Login(c.Login)).OnlyID(systemCtx())
	if err != nil {
		t.Fatalf("find user %s: %v", c.Login, err)
	}
	return id
}

func randomHex() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// systemCtx is a context in which the data layer allows everything: the
// test reads and writes fixtures directly with it.
func systemCtx() context.Context { return testkit.System(context.Background()) }
