package members_test

import (
	"context"
	"testing"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

var sys = testkit.System(context.Background())

// GraphQL documents shared by the tests.
const (
	inviteDoc = `mutation($org: ID!, $email: String!, $role: ID!) {
		inviteMember(organizationID: $org, input: {email: $email, roleID: $role}) {
			id email status expiresAt role { name } inviter { login }
		}
	}`
	resendDoc  = `mutation($id: ID!) { resendInvitation(id: $id) { id status expiresAt } }`
	revokeDoc  = `mutation($id: ID!) { revokeInvitation(id: $id) }`
	acceptDoc  = `mutation($token: String!) { acceptInvitation(token: $token) { id role { name kind } user { login } } }`
	previewDoc = `query($token: String!) {
		invitation(token: $token) { organizationName inviterName email role { name } status expiresAt }
	}`
	invitationsDoc = `query($org: ID!, $status: InvitationStatus) {
		organization(id: $org) { invitations(status: $status) { totalCount edges { node { id email status } } } }
	}`
	updateRoleDoc = `mutation($m: ID!, $r: ID!) { updateMemberRole(membershipID: $m, roleID: $r) { id role { kind } } }`
	removeDoc     = `mutation($m: ID!) { removeMember(membershipID: $m) }`
	leaveDoc      = `mutation($org: ID!) { leaveOrganization(organizationID: $org) }`
	transferDoc   = `mutation($org: ID!, $m: ID!) { transferOwnership(organizationID: $org, membershipID: $m) { id owner { login } } }`
	orgDoc        = `query($org: ID!) { organization(id: $org) { id name } }`
	nodeDoc       = `query($id: ID!) { node(id: $id) { id } }`
	currentDoc    = `query { viewer { currentOrganization { id } } }`
)

func vars(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// invitationIDs returns the IDs of org's invitations that c sees with effective status (all when "").
func invitationIDs(t *testing.T, c *testkit.Client, org testkit.Org, status string) map[string]string {
	t.Helper()
	var out struct {
		Organization struct {
			Invitations struct {
				Edges []struct {
					Node struct{ ID, Email, Status string }
				}
			}
		}
	}
	v := vars("org", org.ID)
	if status != "" {
		v["status"] = status
	}
	c.Do(t, invitationsDoc, v).OK(t, &out)
	ids := map[string]string{}
	for _, e := range out.Organization.Invitations.Edges {
		if status != "" && e.Node.Status != status {
			t.Fatalf("invitations(status: %s) returned one with status %s", status, e.Node.Status)
		}
		ids[e.Node.ID] = e.Node.Status
	}
	return ids
}

// roleOf returns the kind of member's role in org, read from the database.
func roleOf(t *testing.T, e *testkit.Env, org testkit.Org, member *testkit.Client) rbac.Kind {
	t.Helper()
	m, err := e.DB.Client.Membership.Query().Where(membership.ID(e.MembershipID(t, org, member))).WithRole().Only(sys)
	if err != nil {
		t.Fatal(err)
	}
	return m.Edges.Role.Kind
}

// assertOneOwner fails t unless exactly one membership of org holds the
// OWNER role and Organization.owner_id names its user; it returns that user's ID.
func assertOneOwner(t testing.TB, db *ent.Client, orgID string) string {
	t.Helper()
	owners, err := db.Membership.Query().
		Where(membership.OrganizationID(orgID), membership.HasRoleWith(role.KindEQ(rbac.Owner))).All(sys)
	if err != nil {
		t.Fatal(err)
	}
	if len(owners) != 1 {
		t.Fatalf("organization %s has %d owners, want 1", orgID, len(owners))
	}
	org, err := db.Organization.Get(sys, orgID)
	if err != nil {
		t.Fatal(err)
	}
	if org.OwnerID != owners[0].UserID {
		t.Fatalf("owner_id %s does not name the OWNER member %s", org.OwnerID, owners[0].UserID)
	}
	return org.OwnerID
}

// orgEvents returns org's event rows, oldest first.
func orgEvents(t *testing.T, e *testkit.Env, orgID string) []*ent.OrganizationEvent {
	t.Helper()
	evs, err := e.DB.Client.OrganizationEvent.Query().
		Where(organizationevent.OrganizationID(orgID)).
		Order(ent.Asc(organizationevent.FieldID)).All(sys)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}
