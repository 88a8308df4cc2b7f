package members_test

import (
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
	"github.com/orgql/orgql/internal/token"
)

func TestInviteRefusals(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrgOnPlan(t, "TEAM")
		admin := e.SignIn(t, "admin")
		e.AddMember(t, org, admin, rbac.Admin)
		viewer := e.SignIn(t, "viewer")
		e.AddMember(t, org, viewer, rbac.Viewer)
		mallory := e.SignIn(t, "mallory")
		other := mallory.CreateOrg(t)
		viewerRole := e.RoleID(t, org, rbac.Viewer)

		invite := func(c *testkit.Client, email, roleID string) *testkit.Response {
			return c.Do(t, inviteDoc, vars("org", org.ID, "email", email, "role", roleID))
		}
		wantField := func(err testkit.Error, field string) {
			t.Helper()
			if err.Field() != field {
				t.Fatalf("error %q names field %q, want %q", err.Message, err.Field(), field)
			}
		}

		wantField(invite(alice, "not-an-address", viewerRole).Err(t, "BAD_USER_INPUT"), "input.email")
		wantField(invite(alice, "a@b@example.com", viewerRole).Err(t, "BAD_USER_INPUT"), "input.email")
		// A role of another organization answers like an unknown one.
		wantField(invite(alice, "x@example.com", e.RoleID(t, other, rbac.Viewer)).Err(t, "BAD_USER_INPUT"), "input.roleID")
		wantField(invite(alice, "x@example.com", "rol_01jbogusbogusbogusbogusbog").Err(t, "BAD_USER_INPUT"), "input.roleID")
		// Nobody invites an OWNER, not even the owner; an admin grants nothing above ADMIN.
		wantField(invite(alice, "x@example.com", e.RoleID(t, org, rbac.Owner)).Err(t, "FORBIDDEN"), "input.roleID")
		wantField(invite(admin, "x@example.com", e.RoleID(t, org, rbac.Owner)).Err(t, "FORBIDDEN"), "input.roleID")
		invite(admin, "adm@example.com", e.RoleID(t, org, rbac.Admin)).OK(t, nil)
		// Inviting needs MANAGE_MEMBERS; a non-member does not see the organization.
		invite(viewer, "x@example.com", viewerRole).Err(t, "FORBIDDEN")
		invite(mallory, "x@example.com", viewerRole).Err(t, "NOT_FOUND")
		e.Anonymous().Do(t, inviteDoc, vars("org", org.ID, "email", "x@example.com", "role", viewerRole)).Err(t, "UNAUTHENTICATED")

		// One pending invitation per address, whatever its case; members are not invited.
		alice.Invite(t, org, "dup@example.com", viewerRole)
		invite(admin, "DUP@Example.com", viewerRole).Err(t, "CONFLICT")
		invite(alice, strings.ToUpper(viewer.Email()), viewerRole).Err(t, "CONFLICT")

		// Nothing of the refused invitations was written or mailed.
		if ids := invitationIDs(t, alice, org, ""); len(ids) != 2 {
			t.Fatalf("want the 2 accepted invitations only, got %v", ids)
		}
		if _, ok := e.Mailer.Last("x@example.com"); ok {
			t.Fatal("a refused invitation was mailed")
		}
	})
}

func TestInviteMemberLimit(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice") // FREE: 3 members, pending invitations included
		org := alice.CreateOrg(t)
		bob := e.SignIn(t, "bob")
		e.AddMember(t, org, bob, rbac.Admin)
		viewerRole := e.RoleID(t, org, rbac.Viewer)
		first, _ := alice.Invite(t, org, "third@example.com", viewerRole)

		err := alice.Do(t, inviteDoc, vars("org", org.ID, "email", "fourth@example.com", "role", viewerRole)).Err(t, "PLAN_LIMIT_EXCEEDED")
		if err.Extensions["limit"] != "members" {
			t.Fatalf("limit %v, want members", err.Extensions["limit"])
		}
		// Re-sending a pending invitation adds nobody.
		alice.Do(t, resendDoc, vars("id", first)).OK(t, nil)
		// A revoked invitation frees its place.
		alice.Do(t, revokeDoc, vars("id", first)).OK(t, nil)
		alice.Invite(t, org, "fourth@example.com", viewerRole)
	})
}

func TestAcceptRefusals(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		bob := e.SignIn(t, "bob")
		e.AddMember(t, org, bob, rbac.Viewer)
		_, tok := alice.Invite(t, org, "bob-at-work@example.com", e.RoleID(t, org, rbac.Admin))

		// Already a member: refused, and the invitation stays usable.
		bob.Do(t, acceptDoc, vars("token", tok)).Err(t, "CONFLICT")
		if roleOf(t, e, org, bob) != rbac.Viewer {
			t.Fatal("a refused acceptance changed bob's role")
		}
		if p := preview(t, bob, tok).Invitation; p == nil || p.Status != "PENDING" {
			t.Fatalf("invitation after a refused acceptance: %+v", p)
		}
		e.Anonymous().Do(t, acceptDoc, vars("token", tok)).Err(t, "UNAUTHENTICATED")
		carol := e.SignIn(t, "carol")
		for _, bad := range []string{"", "oqi_short", "oqs_" + tok[4:], token.New(token.Invitation)} {
			carol.Do(t, acceptDoc, vars("token", bad)).Err(t, "NOT_FOUND")
		}
		carol.Accept(t, tok)
	})
}

func TestMalformedTokenMakesNoQuery(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		_, tok := alice.Invite(t, org, "checksum@example.com", e.RoleID(t, org, rbac.Viewer))
		forged := tok[:len(tok)-1] + map[bool]string{true: "A", false: "B"}[tok[len(tok)-1] != 'A']
		var stmts testkit.Statements
		anon := e.Anonymous().WithStatements(&stmts)
		anon.Do(t, previewDoc, vars("token", forged)).OK(t, nil)
		if n := stmts.Count(); n != 0 {
			t.Fatalf("previewing a token with a bad checksum ran %d statements: %v", n, stmts.List())
		}
		anon.Do(t, previewDoc, vars("token", tok)).OK(t, nil)
		if stmts.Count() == 0 {
			t.Fatal("the statement counter saw no statement for a well-formed token")
		}
		stmts.Reset()
		bob := e.SignIn(t, "bob").WithStatements(&stmts)
		bob.Do(t, acceptDoc, vars("token", forged)).Err(t, "NOT_FOUND")
		for _, q := range stmts.List() {
			if strings.Contains(q, "invitations") {
				t.Fatalf("accepting a token with a bad checksum queried invitations: %s", q)
			}
		}
	})
}
