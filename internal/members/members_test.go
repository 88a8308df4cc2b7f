package members_test

import (
	"testing"
	"time"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

func TestMembersList(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		bob := e.SignIn(t, "bob")
		_, tok := alice.Invite(t, org, bob.Email(), e.RoleID(t, org, rbac.DevOps))
		bobMembership := bob.Accept(t, tok)
		mallory := e.SignIn(t, "mallory")
		mallory.CreateOrg(t)

		const doc = `query($org: ID!) { organization(id: $org) { members { totalCount edges { node {
			id createdAt lastActivityAt user { login name email avatarURL } role { name kind }
		} } } } }`
		type node struct {
			ID             string
			CreatedAt      time.Time
			LastActivityAt *time.Time
			User           struct {
				Login, Name, Email string
				AvatarURL          *string
			}
			Role struct{ Name, Kind string }
		}
		var out struct {
			Organization struct {
				Members struct {
					TotalCount int
					Edges      []struct{ Node node }
				}
			}
		}
		bob.Do(t, doc, vars("org", org.ID)).OK(t, &out)
		byLogin := map[string]node{}
		for _, edge := range out.Organization.Members.Edges {
			byLogin[edge.Node.User.Login] = edge.Node
		}
		if out.Organization.Members.TotalCount != 2 || len(byLogin) != 2 {
			t.Fatalf("want alice and bob, got %+v", out.Organization.Members)
		}
		a, b := byLogin[alice.Login], byLogin[bob.Login]
		if a.Role.Kind != "OWNER" || a.User.Email != alice.Email() || a.User.Name == "" || a.User.AvatarURL == nil || a.CreatedAt.IsZero() {
			t.Fatalf("unexpected owner row: %+v", a)
		}
		if b.ID != bobMembership || b.Role.Name != "DevOps" || b.User.Email != bob.Email() || b.LastActivityAt == nil || b.CreatedAt.IsZero() {
			t.Fatalf("unexpected member row: %+v", b)
		}
		mallory.Do(t, doc, vars("org", org.ID)).Err(t, "NOT_FOUND")
		mallory.Do(t, nodeDoc, vars("id", bobMembership)).Err(t, "NOT_FOUND")
	})
}

func TestUpdateMemberRole(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrgOnPlan(t, "TEAM")
		bob := e.SignIn(t, "bob")
		e.AddMember(t, org, bob, rbac.Viewer)
		carol := e.SignIn(t, "carol")
		e.AddMember(t, org, carol, rbac.Viewer)
		mallory := e.SignIn(t, "mallory")
		other := mallory.CreateOrg(t)
		bobM, aliceM := e.MembershipID(t, org, bob), e.MembershipID(t, org, alice)

		var out struct {
			UpdateMemberRole struct{ Role struct{ Kind string } }
		}
		alice.Do(t, updateRoleDoc, vars("m", bobM, "r", e.RoleID(t, org, rbac.Admin))).OK(t, &out)
		if out.UpdateMemberRole.Role.Kind != "ADMIN" || roleOf(t, e, org, bob) != rbac.Admin {
			t.Fatalf("bob is %s after promotion", out.UpdateMemberRole.Role.Kind)
		}
		// The new role applies to bob's next request.
		bob.Invite(t, org, "by-bob@example.com", e.RoleID(t, org, rbac.Viewer))

		// Refusals, each leaving the roles as they were.
		field := func(err testkit.Error, want string) {
			t.Helper()
			if err.Field() != want {
				t.Fatalf("%q names field %q, want %q", err.Message, err.Field(), want)
			}
		}
		field(alice.Do(t, updateRoleDoc, vars("m", bobM, "r", e.RoleID(t, org, rbac.Owner))).Err(t, "FORBIDDEN"), "roleID")
		field(bob.Do(t, updateRoleDoc, vars("m", e.MembershipID(t, org, carol), "r", e.RoleID(t, org, rbac.Owner))).Err(t, "FORBIDDEN"), "roleID")
		field(alice.Do(t, updateRoleDoc, vars("m", bobM, "r", e.RoleID(t, other, rbac.Viewer))).Err(t, "BAD_USER_INPUT"), "roleID")
		bob.Do(t, updateRoleDoc, vars("m", aliceM, "r", e.RoleID(t, org, rbac.Admin))).Err(t, "LAST_OWNER")
		alice.Do(t, updateRoleDoc, vars("m", aliceM, "r", e.RoleID(t, org, rbac.Admin))).Err(t, "LAST_OWNER")
		carol.Do(t, updateRoleDoc, vars("m", bobM, "r", e.RoleID(t, org, rbac.Viewer))).Err(t, "FORBIDDEN")
		mallory.Do(t, updateRoleDoc, vars("m", bobM, "r", e.RoleID(t, org, rbac.Viewer))).Err(t, "NOT_FOUND")
		mallory.Do(t, updateRoleDoc, vars("m", bobM, "r", e.RoleID(t, other, rbac.Viewer))).Err(t, "NOT_FOUND")
		if roleOf(t, e, org, bob) != rbac.Admin || roleOf(t, e, org, alice) != rbac.Owner || roleOf(t, e, org, carol) != rbac.Viewer {
			t.Fatal("a refused role change changed a role")
		}
		assertOneOwner(t, e.DB.Client, org.ID)

		// Demoted, bob's very next request is refused.
		alice.Do(t, updateRoleDoc, vars("m", bobM, "r", e.RoleID(t, org, rbac.Viewer))).OK(t, nil)
		bob.Do(t, inviteDoc, vars("org", org.ID, "email", "again@example.com", "role", e.RoleID(t, org, rbac.Viewer))).Err(t, "FORBIDDEN")
	})
}

func TestRemoveMember(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrgOnPlan(t, "TEAM")
		admin := e.SignIn(t, "admin")
		e.AddMember(t, org, admin, rbac.Admin)
		viewer := e.SignIn(t, "viewer")
		e.AddMember(t, org, viewer, rbac.Viewer)
		mallory := e.SignIn(t, "mallory")
		mallory.CreateOrg(t)
		// carol joins through an invitation (so org becomes her current one), and belongs to dave's organization too.
		carol := e.SignIn(t, "carol")
		dave := e.SignIn(t, "dave")
		daves := dave.CreateOrgOnPlan(t, "TEAM")
		_, tok := admin.Invite(t, org, carol.Email(), e.RoleID(t, org, rbac.Viewer))
		carolM := carol.Accept(t, tok)
		e.AddMember(t, daves, carol, rbac.Viewer)
		carol.Do(t, orgDoc, vars("org", org.ID)).OK(t, nil)

		viewer.Do(t, removeDoc, vars("m", carolM)).Err(t, "FORBIDDEN")
		mallory.Do(t, removeDoc, vars("m", carolM)).Err(t, "NOT_FOUND")
		admin.Do(t, removeDoc, vars("m", e.MembershipID(t, org, alice))).Err(t, "LAST_OWNER")
		alice.Do(t, removeDoc, vars("m", e.MembershipID(t, org, alice))).Err(t, "LAST_OWNER")
		assertOneOwner(t, e.DB.Client, org.ID)

		var out struct{ RemoveMember string }
		admin.Do(t, removeDoc, vars("m", carolM)).OK(t, &out)
		if out.RemoveMember != carolM {
			t.Fatalf("removeMember returned %q, want %q", out.RemoveMember, carolM)
		}
		// carol's next request no longer sees the organization; her current one moved.
		carol.Do(t, orgDoc, vars("org", org.ID)).Err(t, "NOT_FOUND")
		var cur struct {
			Viewer struct{ CurrentOrganization *struct{ ID string } }
		}
		carol.Do(t, currentDoc, nil).OK(t, &cur)
		if cur.Viewer.CurrentOrganization == nil || cur.Viewer.CurrentOrganization.ID != daves.ID {
			t.Fatalf("carol's current organization is %+v, want %s", cur.Viewer.CurrentOrganization, daves.ID)
		}
		admin.Do(t, removeDoc, vars("m", carolM)).Err(t, "NOT_FOUND")
	})
}

func TestLeaveOrganization(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		bob := e.SignIn(t, "bob")
		_, tok := alice.Invite(t, org, bob.Email(), e.RoleID(t, org, rbac.Viewer))
		bob.Accept(t, tok)
		mallory := e.SignIn(t, "mallory")
		mallory.CreateOrg(t)

		mallory.Do(t, leaveDoc, vars("org", org.ID)).Err(t, "NOT_FOUND")
		alice.Do(t, leaveDoc, vars("org", org.ID)).Err(t, "LAST_OWNER")
		assertOneOwner(t, e.DB.Client, org.ID)

		// A VIEWER, without MANAGE_MEMBERS, may leave.
		var out struct{ LeaveOrganization string }
		bob.Do(t, leaveDoc, vars("org", org.ID)).OK(t, &out)
		if out.LeaveOrganization != org.ID {
			t.Fatalf("leaveOrganization returned %q", out.LeaveOrganization)
		}
		bob.Do(t, orgDoc, vars("org", org.ID)).Err(t, "NOT_FOUND")
		var cur struct {
			Viewer struct{ CurrentOrganization *struct{ ID string } }
		}
		bob.Do(t, currentDoc, nil).OK(t, &cur)
		if cur.Viewer.CurrentOrganization != nil {
			t.Fatalf("bob, in no organization now, still has current %+v", cur.Viewer.CurrentOrganization)
		}
		bob.Do(t, leaveDoc, vars("org", org.ID)).Err(t, "NOT_FOUND")
	})
}

func TestTransferOwnership(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		bob := e.SignIn(t, "bob")
		e.AddMember(t, org, bob, rbac.Viewer)
		admin := e.SignIn(t, "admin")
		e.AddMember(t, org, admin, rbac.Admin)
		mallory := e.SignIn(t, "mallory")
		other := mallory.CreateOrg(t)
		bobM := e.MembershipID(t, org, bob)

		admin.Do(t, transferDoc, vars("org", org.ID, "m", bobM)).Err(t, "FORBIDDEN")
		mallory.Do(t, transferDoc, vars("org", org.ID, "m", bobM)).Err(t, "NOT_FOUND")
		// Only to a member of the same organization.
		alice.Do(t, transferDoc, vars("org", org.ID, "m", e.MembershipID(t, other, mallory))).Err(t, "NOT_FOUND")
		mallory.Do(t, transferDoc, vars("org", other.ID, "m", bobM)).Err(t, "NOT_FOUND")
		if err := alice.Do(t, transferDoc, vars("org", org.ID, "m", e.MembershipID(t, org, alice))).Err(t, "BAD_USER_INPUT"); err.Field() != "membershipID" {
			t.Fatalf("transfer to self names field %q", err.Field())
		}

		var out struct {
			TransferOwnership struct{ Owner struct{ Login string } }
		}
		alice.Do(t, transferDoc, vars("org", org.ID, "m", bobM)).OK(t, &out)
		if out.TransferOwnership.Owner.Login != bob.Login {
			t.Fatalf("owner after transfer: %s", out.TransferOwnership.Owner.Login)
		}
		if roleOf(t, e, org, bob) != rbac.Owner || roleOf(t, e, org, alice) != rbac.Admin {
			t.Fatal("the transfer did not swap OWNER and ADMIN")
		}
		if assertOneOwner(t, e.DB.Client, org.ID) != userID(t, e, bob) {
			t.Fatal("owner_id does not name bob")
		}
		// alice's next request acts as an ADMIN: she can no longer transfer, bob can.
		alice.Do(t, transferDoc, vars("org", org.ID, "m", e.MembershipID(t, org, alice))).Err(t, "FORBIDDEN")
		bob.Do(t, transferDoc, vars("org", org.ID, "m", e.MembershipID(t, org, alice))).OK(t, nil)
		assertOneOwner(t, e.DB.Client, org.ID)
	})
}
