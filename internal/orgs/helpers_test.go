package orgs_test

import (
	"context"
	"testing"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/organization"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/testkit"
	"github.com/orgql/orgql/internal/validate"
)

// sys is the context of direct database checks: it sees every row.
var sys = testkit.System(context.Background())

// orgFields selects every general-information field of an organization.
const orgFields = `id name description websiteURL adminContactEmails logoURL plan { code } owner { login }`

// orgOut is an organization as orgFields returns it.
type orgOut struct {
	ID                 string
	Name               string
	Description        string
	WebsiteURL         string
	AdminContactEmails []string
	LogoURL            string
	Plan               struct{ Code string }
	Owner              struct{ Login string }
}

func dbUser(t *testing.T, e *testkit.Env, c *testkit.Client) *ent.User {
	t.Helper()
	u, err := e.DB.Client.User.Query().Where(user.Login(c.Login)).Only(sys)
	if err != nil {
		t.Fatalf("load user %s: %v", c.Login, err)
	}
	return u
}

func dbOrg(t *testing.T, e *testkit.Env, id string) *ent.Organization {
	t.Helper()
	o, err := e.DB.Client.Organization.Get(sys, id)
	if err != nil {
		t.Fatalf("load organization %s: %v", id, err)
	}
	return o
}

// orgsNamed counts the organizations whose name is name, case-insensitively.
func orgsNamed(t *testing.T, e *testkit.Env, name string) int {
	t.Helper()
	n, err := e.DB.Client.Organization.Query().Where(organization.NameKey(validate.NameKey(name))).Count(sys)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// membershipsOf counts c's memberships.
func membershipsOf(t *testing.T, e *testkit.Env, c *testkit.Client) int {
	t.Helper()
	n, err := e.DB.Client.Membership.Query().Where(membership.HasUserWith(user.Login(c.Login))).Count(sys)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// orgEvents returns the events of organization orgID, oldest first.
func orgEvents(t *testing.T, e *testkit.Env, orgID string) []*ent.OrganizationEvent {
	t.Helper()
	evs, err := e.DB.Client.OrganizationEvent.Query().
		Where(organizationevent.OrganizationID(orgID)).
		Order(ent.Asc(organizationevent.FieldCreatedAt), ent.Asc(organizationevent.FieldID)).
		All(sys)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// eventsBy counts the events whose actor is c.
func eventsBy(t *testing.T, e *testkit.Env, c *testkit.Client) int {
	t.Helper()
	n, err := e.DB.Client.OrganizationEvent.Query().Where(organizationevent.ActorName(c.Login)).Count(sys)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// getOrg reads organization id as c.
func getOrg(t *testing.T, c *testkit.Client, id string) orgOut {
	t.Helper()
	var out struct{ Organization orgOut }
	c.Do(t, `query($id: ID!) { organization(id: $id) { `+orgFields+` } }`, map[string]any{"id": id}).OK(t, &out)
	return out.Organization
}

// currentOrg returns the ID of c's current organization, "" for none.
func currentOrg(t *testing.T, c *testkit.Client) string {
	t.Helper()
	var out struct {
		Viewer struct{ CurrentOrganization *struct{ ID string } }
	}
	c.Do(t, `{ viewer { currentOrganization { id } } }`, nil).OK(t, &out)
	if out.Viewer.CurrentOrganization == nil {
		return ""
	}
	return out.Viewer.CurrentOrganization.ID
}

// notVisible checks that c cannot read organization id at all.
func notVisible(t *testing.T, c *testkit.Client, id string) {
	t.Helper()
	c.Do(t, `query($id: ID!) { organization(id: $id) { id } }`, map[string]any{"id": id}).Err(t, "NOT_FOUND")
}
