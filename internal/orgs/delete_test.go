package orgs_test

import (
	"testing"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/orgql/orgql/ent/cluster"
	"github.com/orgql/orgql/ent/migrate"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/kubemeta"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

const deleteOrg = `mutation($id: ID!, $confirm: String!) { deleteOrganization(id: $id, confirmName: $confirm) }`

// ownedRows counts, per table, the rows that belong to organization orgID:
// every table with an organization_id column, so a new type is counted too.
func ownedRows(t *testing.T, e *testkit.Env, orgID string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tbl := range migrate.Tables {
		if tbl.Name == organizationevent.Table {
			continue // the audit log outlives the organization
		}
		for _, c := range tbl.Columns {
			if c.Name != "organization_id" {
				continue
			}
			q, args := entsql.Dialect(e.DB.Dialect).Select(entsql.Count("*")).From(entsql.Table(tbl.Name)).
				Where(entsql.EQ("organization_id", orgID)).Query()
			var n int
			if err := e.DB.SQL.QueryRow(q, args...).Scan(&n); err != nil {
				t.Fatalf("count %s: %v", tbl.Name, err)
			}
			out[tbl.Name] = n
		}
	}
	return out
}

// fill gives org a project, a labels group, an annotations group, a cluster
// using the labels group, a custom role with project and cluster
// permissions, and a pending invitation. Rows the API cannot create in this
// package are written directly, as the system.
func fill(t *testing.T, e *testkit.Env, owner *testkit.Client, org testkit.Org) {
	t.Helper()
	var p struct{ CreateProject struct{ ID string } }
	owner.Do(t, `mutation($org: ID!) { createProject(organizationID: $org, input: {name: "web"}) { id } }`,
		map[string]any{"org": org.ID}).OK(t, &p)
	c := e.DB.Client
	lg, err := c.LabelsGroup.Create().SetOrganizationID(org.ID).SetName("labels").
		SetLabels([]kubemeta.Label{{Key: "team", Value: "web"}}).Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AnnotationsGroup.Create().SetOrganizationID(org.ID).SetName("annotations").
		SetAnnotations([]kubemeta.Annotation{{Key: "note", Value: "x"}}).SetScopes([]kubemeta.Scope{kubemeta.Pods}).Exec(sys); err != nil {
		t.Fatal(err)
	}
	cl, err := c.Cluster.Create().SetOrganizationID(org.ID).SetName("prod").SetCloudProvider(cluster.CloudProviderAWS).SetRegion("eu-west-1").
		AddLabelsGroups(lg).Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	custom, err := c.Role.Create().SetOrganizationID(org.ID).SetKind(rbac.Custom).SetName("Ops").Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RoleProjectPermission.Create().SetOrganizationID(org.ID).SetRoleID(custom.ID).SetProjectID(p.CreateProject.ID).SetFullAccess(true).Exec(sys); err != nil {
		t.Fatal(err)
	}
	if err := c.RoleClusterPermission.Create().SetOrganizationID(org.ID).SetRoleID(custom.ID).SetClusterID(cl.ID).Exec(sys); err != nil {
		t.Fatal(err)
	}
	viewerRole, err := c.Role.Query().Where(role.OrganizationID(org.ID), role.KindEQ(rbac.Viewer)).Only(sys)
	if err != nil {
		t.Fatal(err)
	}
	owner.CreateAPIToken(t, org, viewerRole.ID)
	owner.Do(t, `mutation($org: ID!) {
		createContainerRegistry(organizationID: $org, input: {name: "hub", kind: DOCKER_HUB}) { id }
		createGitToken(organizationID: $org, input: {name: "gh", provider: GITHUB, token: "t"}) { id }
		createHelmRepository(organizationID: $org, input: {name: "charts", kind: HTTPS, url: "https://charts.acme.dev"}) { id }
	}`, map[string]any{"org": org.ID}).OK(t, nil)
	owner.Do(t, `mutation($org: ID!) {
		updateBillingInfo(organizationID: $org, input: {firstName: "A", lastName: "B", email: "billing@acme.dev", address: "1 Main St", city: "Paris", zip: "75001", countryCode: "FR"}) { email }
		addCreditCard(organizationID: $org, input: {paymentMethodToken: "tok_visa"}) { id }
	}`, map[string]any{"org": org.ID}).OK(t, nil)
	if err := c.Invoice.Create().SetOrganizationID(org.ID).SetNumber("T-1").SetStatus(billing.InvoicePaid).SetTotalCents(100).SetCurrency("USD").
		SetPeriodStart(time.Now()).SetPeriodEnd(time.Now()).Exec(sys); err != nil {
		t.Fatal(err)
	}
	if err := c.Invitation.Create().SetOrganizationID(org.ID).SetEmail("new@acme.dev").SetRoleID(viewerRole.ID).
		SetInviterID(dbUser(t, e, owner).ID).SetTokenHash(id.New("hash")).SetExpiresAt(time.Now().Add(time.Hour)).Exec(sys); err != nil {
		t.Fatal(err)
	}
}

func switchTo(t *testing.T, c *testkit.Client, orgID string) {
	t.Helper()
	c.Do(t, `mutation($id: ID!) { switchOrganization(id: $id) { currentOrganization { id } } }`, map[string]any{"id": orgID}).OK(t, nil)
}

func TestDeleteOrganizationIsForTheOwnerOnly(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		for _, kind := range []rbac.Kind{rbac.Admin, rbac.DevOps, rbac.Billing, rbac.Viewer} {
			m := e.SignIn(t, "member")
			e.AddMember(t, org, m, kind)
			m.Do(t, deleteOrg, map[string]any{"id": org.ID, "confirm": org.Name}).Err(t, "FORBIDDEN")
		}
		bob := e.SignIn(t, "bob")
		bob.CreateOrg(t)
		bob.Do(t, deleteOrg, map[string]any{"id": org.ID, "confirm": org.Name}).Err(t, "NOT_FOUND")
		if got := getOrg(t, alice, org.ID); got.Name != org.Name {
			t.Fatalf("organization changed: %+v", got)
		}
		if n := ownedRows(t, e, org.ID)["memberships"]; n != 5 {
			t.Fatalf("want 5 memberships left, got %d", n)
		}
	})
}

func TestDeleteOrganizationNeedsItsName(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		for _, wrong := range []string{"", "wrong", org.Name + " ", "ORG" + org.Name[3:]} {
			err := alice.Do(t, deleteOrg, map[string]any{"id": org.ID, "confirm": wrong}).Err(t, "BAD_USER_INPUT")
			if err.Field() != "confirmName" {
				t.Fatalf("confirmName %q: extensions.field %q", wrong, err.Field())
			}
		}
		getOrg(t, alice, org.ID)
		if n := len(orgEvents(t, e, org.ID)); n != 1 {
			t.Fatalf("refused deletes wrote events: %d", n)
		}
	})
}

func TestDeleteOrganizationRemovesEverythingItOwns(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t) // alice's first: her current organization
		aliceNext := alice.CreateOrg(t)
		fill(t, e, alice, org)

		// bob works in org but has his own; carol has only org; dave works elsewhere.
		bob := e.SignIn(t, "bob")
		bobsOwn := bob.CreateOrg(t)
		e.AddMember(t, org, bob, rbac.Admin)
		switchTo(t, bob, org.ID)
		carol := e.SignIn(t, "carol")
		e.AddMember(t, org, carol, rbac.Viewer)
		switchTo(t, carol, org.ID)
		dave := e.SignIn(t, "dave")
		daves := dave.CreateOrg(t)
		fill(t, e, dave, daves)
		e.AddMember(t, daves, bob, rbac.Viewer) // bob joined bobsOwn first: that is where he goes
		davesBefore := ownedRows(t, e, daves.ID)

		for table, n := range ownedRows(t, e, org.ID) {
			if n == 0 {
				t.Fatalf("fixture: no %s rows to delete", table)
			}
		}
		var out struct{ DeleteOrganization string }
		alice.Do(t, deleteOrg, map[string]any{"id": org.ID, "confirm": org.Name}).OK(t, &out)
		if out.DeleteOrganization != org.ID {
			t.Fatalf("deleteOrganization returned %q", out.DeleteOrganization)
		}

		for table, n := range ownedRows(t, e, org.ID) {
			if n != 0 {
				t.Errorf("%d %s rows of the deleted organization remain", n, table)
			}
		}
		if _, err := e.DB.Client.Organization.Get(sys, org.ID); err == nil {
			t.Fatalf("the organization row remains")
		}
		notVisible(t, alice, org.ID)

		// Sessions stay valid; current organizations move away.
		for _, c := range []struct {
			who  *testkit.Client
			want string
		}{{alice, aliceNext.ID}, {bob, bobsOwn.ID}, {carol, ""}, {dave, daves.ID}} {
			if got := currentOrg(t, c.who); got != c.want {
				t.Errorf("%s: current organization %q, want %q", c.who.Login, got, c.want)
			}
		}

		// Nothing of the other organizations went.
		after := ownedRows(t, e, daves.ID)
		for table, n := range davesBefore {
			if after[table] != n {
				t.Errorf("%s of another organization: %d before, %d after", table, n, after[table])
			}
		}
		getOrg(t, dave, daves.ID)
		getOrg(t, bob, bobsOwn.ID)
	})
}
