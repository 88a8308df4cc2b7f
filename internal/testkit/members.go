package testkit

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/rbac"
)

// Email is the e-mail address the development sign-in gives c's user.
func (c *Client) Email() string { return strings.ToLower(c.Login) + "@dev.orgql.local" }

// CreateOrgOnPlan creates an organization owned by c on plan (FREE, TEAM, ENTERPRISE).
func (c *Client) CreateOrgOnPlan(t testing.TB, plan string) Org {
	t.Helper()
	var out struct {
		CreateOrganization Org `json:"createOrganization"`
	}
	c.Do(t, `mutation($name: String!, $plan: PlanCode!) { createOrganization(input: {name: $name, plan: $plan}) { id name } }`,
		map[string]any{"name": Unique("Org"), "plan": plan}).OK(t, &out)
	return out.CreateOrganization
}

// RoleID returns the ID of org's built-in role of kind.
func (e *Env) RoleID(t testing.TB, org Org, kind rbac.Kind) string {
	t.Helper()
	id, err := e.DB.Client.Role.Query().Where(role.OrganizationID(org.ID), role.KindEQ(kind)).OnlyID(System(context.Background()))
	if err != nil {
		t.Fatalf("find %s role: %v", kind, err)
	}
	return id
}

// MembershipID returns the ID of member's membership of org.
func (e *Env) MembershipID(t testing.TB, org Org, member *Client) string {
	t.Helper()
	id, err := e.DB.Client.Membership.Query().
		Where(membership.OrganizationID(org.ID), membership.HasUserWith(user.Login(member.Login))).
		OnlyID(System(context.Background()))
	if err != nil {
		t.Fatalf("find membership of %s: %v", member.Login, err)
	}
	return id
}

// Invite invites email to org with role roleID through inviteMember, as c,
// and returns the invitation's ID and the token the server mailed.
func (c *Client) Invite(t testing.TB, org Org, email, roleID string) (invitationID, tok string) {
	t.Helper()
	var out struct {
		InviteMember struct{ ID string } `json:"inviteMember"`
	}
	c.Do(t, `mutation($org: ID!, $email: String!, $role: ID!) {
		inviteMember(organizationID: $org, input: {email: $email, roleID: $role}) { id }
	}`, map[string]any{"org": org.ID, "email": email, "role": roleID}).OK(t, &out)
	return out.InviteMember.ID, c.env.MailedToken(t, email)
}

// MailedToken returns the invitation token of the last invitation mailed to address.
func (e *Env) MailedToken(t testing.TB, address string) string {
	t.Helper()
	mail, ok := e.Mailer.Last(address)
	if !ok {
		t.Fatalf("no invitation mailed to %s", address)
	}
	u, err := url.Parse(mail.Link)
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("invitation link %q carries no token", mail.Link)
	}
	return u.Query().Get("token")
}

// Accept accepts the invitation of tok through acceptInvitation, as c, and
// returns the new membership's ID.
func (c *Client) Accept(t testing.TB, tok string) string {
	t.Helper()
	var out struct {
		AcceptInvitation struct{ ID string } `json:"acceptInvitation"`
	}
	c.Do(t, `mutation($token: String!) { acceptInvitation(token: $token) { id } }`,
		map[string]any{"token": tok}).OK(t, &out)
	return out.AcceptInvitation.ID
}
