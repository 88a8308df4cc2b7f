package members_test

import (
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
	"github.com/orgql/orgql/internal/token"
)

type previewOut struct {
	Invitation *struct {
		OrganizationName string
		InviterName      string
		Email            string
		Role             struct{ Name string }
		Status           string
		ExpiresAt        time.Time
	}
}

func preview(t *testing.T, c *testkit.Client, tok string) previewOut {
	t.Helper()
	var out previewOut
	c.Do(t, previewDoc, vars("token", tok)).OK(t, &out)
	return out
}

func TestInvitationLifeCycle(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		mallory := e.SignIn(t, "mallory")
		mallory.CreateOrg(t)

		// Invite: the address is lower-cased, the token goes to the mailer only.
		var inv struct {
			InviteMember struct {
				ID, Email, Status string
				ExpiresAt         time.Time
				Role              struct{ Name string }
				Inviter           struct{ Login string }
			}
		}
		before := time.Now()
		res := alice.Do(t, inviteDoc, vars("org", org.ID, "email", " Bob.Work@Example.COM", "role", e.RoleID(t, org, rbac.Viewer))).OK(t, &inv)
		got := inv.InviteMember
		if got.Email != "bob.work@example.com" || got.Status != "PENDING" || got.Role.Name != "Viewer" || got.Inviter.Login != alice.Login {
			t.Fatalf("unexpected invitation: %+v", got)
		}
		if ttl := got.ExpiresAt.Sub(before); ttl < 7*24*time.Hour-time.Minute || ttl > 7*24*time.Hour+time.Minute {
			t.Fatalf("expiresAt %s is not 7 days away", got.ExpiresAt)
		}
		mail, ok := e.Mailer.Last("bob.work@example.com")
		if !ok {
			t.Fatal("no invitation mailed")
		}
		tok := e.MailedToken(t, "bob.work@example.com")
		if !strings.HasPrefix(mail.Link, e.Config.PublicURL+"/invitations/accept?token=oqi_") ||
			mail.OrganizationName != org.Name || mail.InviterName != alice.Login || mail.RoleName != "Viewer" {
			t.Fatalf("unexpected mail: %+v", mail)
		}
		if strings.Contains(string(res.Body), tok) {
			t.Fatal("the invitation token is in the API response")
		}
		stored, err := e.DB.Client.Invitation.Get(sys, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.TokenHash != token.Hash(tok) {
			t.Fatal("the stored token hash is not the hash of the mailed token")
		}

		// Preview: anyone holding the token, signed in or not; null otherwise.
		p := preview(t, e.Anonymous(), tok).Invitation
		if p == nil || p.OrganizationName != org.Name || p.InviterName != alice.Login || p.Email != "bob.work@example.com" ||
			p.Role.Name != "Viewer" || p.Status != "PENDING" || !p.ExpiresAt.Equal(got.ExpiresAt) {
			t.Fatalf("unexpected preview: %+v", p)
		}
		for _, bad := range []string{"oqi_nonsense", token.New(token.Invitation), tok[:len(tok)-1] + "x"} {
			if p := preview(t, e.Anonymous(), bad); p.Invitation != nil {
				t.Fatalf("preview of %q: %+v, want null", bad, p.Invitation)
			}
		}
		// The preview's role leads to no organization data.
		res = e.Anonymous().Do(t, `query($token: String!) { invitation(token: $token) { role { organization { id name } } } }`, vars("token", tok))
		if len(res.Errors) == 0 || strings.Contains(string(res.Body), org.ID) {
			t.Fatalf("the preview leads to the organization: %s", res.Body)
		}

		// A member of another organization sees and changes nothing of it.
		mallory.Do(t, nodeDoc, vars("id", got.ID)).Err(t, "NOT_FOUND")
		mallory.Do(t, invitationsDoc, vars("org", org.ID)).Err(t, "NOT_FOUND")
		mallory.Do(t, resendDoc, vars("id", got.ID)).Err(t, "NOT_FOUND")
		mallory.Do(t, revokeDoc, vars("id", got.ID)).Err(t, "NOT_FOUND")
		if ids := invitationIDs(t, alice, org, "PENDING"); ids[got.ID] != "PENDING" {
			t.Fatalf("pending invitations %v lack %s", ids, got.ID)
		}

		// Accept: bob signs in with another address; the token is the proof.
		bob := e.SignIn(t, "bob")
		var acc struct {
			AcceptInvitation struct {
				ID   string
				Role struct{ Name, Kind string }
				User struct{ Login string }
			}
		}
		bob.Do(t, acceptDoc, vars("token", tok)).OK(t, &acc)
		if a := acc.AcceptInvitation; a.Role.Kind != "VIEWER" || a.User.Login != bob.Login || a.ID != e.MembershipID(t, org, bob) {
			t.Fatalf("unexpected membership: %+v", a)
		}
		bob.Do(t, orgDoc, vars("org", org.ID)).OK(t, nil)
		var cur struct {
			Viewer struct{ CurrentOrganization struct{ ID string } }
		}
		bob.Do(t, currentDoc, nil).OK(t, &cur)
		if cur.Viewer.CurrentOrganization.ID != org.ID {
			t.Fatalf("bob's current organization is %q, want the one he joined", cur.Viewer.CurrentOrganization.ID)
		}
		if p := preview(t, bob, tok).Invitation; p != nil {
			t.Fatalf("a used token still previews: %+v", p)
		}
		if ids := invitationIDs(t, alice, org, "ACCEPTED"); ids[got.ID] != "ACCEPTED" {
			t.Fatalf("accepted invitations %v lack %s", ids, got.ID)
		}
		if ids := invitationIDs(t, alice, org, "PENDING"); len(ids) != 0 {
			t.Fatalf("pending invitations after acceptance: %v", ids)
		}

		// Single use: neither bob nor anyone else uses the token again.
		err1 := bob.Do(t, acceptDoc, vars("token", tok)).Err(t, "BAD_USER_INPUT")
		carol := e.SignIn(t, "carol")
		err2 := carol.Do(t, acceptDoc, vars("token", tok)).Err(t, "BAD_USER_INPUT")
		for _, err := range []testkit.Error{err1, err2} {
			if err.Field() != "token" || !strings.Contains(err.Message, "already been accepted") {
				t.Fatalf("reuse refused with %+v", err)
			}
		}
		carol.Do(t, orgDoc, vars("org", org.ID)).Err(t, "NOT_FOUND")
	})
}

func TestExpiredInvitation(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		email := strings.ToLower(testkit.Unique("x")[2:]) + "@example.com"
		id, tok := alice.Invite(t, org, email, e.RoleID(t, org, rbac.DevOps))
		// Age the invitation past its expiry.
		if err := e.DB.Client.Invitation.UpdateOneID(id).SetExpiresAt(time.Now().Add(-time.Minute)).Exec(sys); err != nil {
			t.Fatal(err)
		}
		if p := preview(t, e.Anonymous(), tok).Invitation; p == nil || p.Status != "EXPIRED" {
			t.Fatalf("preview of an expired invitation: %+v", p)
		}
		if ids := invitationIDs(t, alice, org, "EXPIRED"); ids[id] != "EXPIRED" {
			t.Fatalf("expired invitations %v lack %s", ids, id)
		}
		if ids := invitationIDs(t, alice, org, "PENDING"); len(ids) != 0 {
			t.Fatalf("an expired invitation is listed as pending: %v", ids)
		}
		bob := e.SignIn(t, "bob")
		err := bob.Do(t, acceptDoc, vars("token", tok)).Err(t, "BAD_USER_INPUT")
		if err.Field() != "token" || !strings.Contains(err.Message, "expired") {
			t.Fatalf("expired token refused with %+v", err)
		}
		bob.Do(t, orgDoc, vars("org", org.ID)).Err(t, "NOT_FOUND")

		// Resending an expired invitation makes it pending again, with a new token.
		alice.Do(t, resendDoc, vars("id", id)).OK(t, nil)
		bob.Accept(t, e.MailedToken(t, email))
		bob.Do(t, orgDoc, vars("org", org.ID)).OK(t, nil)

		// Once an invitation expired, its address may be invited afresh;
		// the expired one can then no longer be re-sent.
		other := "again-" + email
		old, _ := alice.Invite(t, org, other, e.RoleID(t, org, rbac.Viewer))
		if err := e.DB.Client.Invitation.UpdateOneID(old).SetExpiresAt(time.Now().Add(-time.Minute)).Exec(sys); err != nil {
			t.Fatal(err)
		}
		fresh, _ := alice.Invite(t, org, other, e.RoleID(t, org, rbac.Viewer))
		alice.Do(t, resendDoc, vars("id", old)).Err(t, "CONFLICT")
		if ids := invitationIDs(t, alice, org, ""); ids[old] != "EXPIRED" || ids[fresh] != "PENDING" {
			t.Fatalf("invitations after re-inviting: %v", ids)
		}
	})
}

func TestInvitationTTLIsConfigurable(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { c.InvitationTTL = time.Hour }, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		before := time.Now()
		var out struct{ InviteMember struct{ ExpiresAt time.Time } }
		alice.Do(t, inviteDoc, vars("org", org.ID, "email", "ttl@example.com", "role", e.RoleID(t, org, rbac.Viewer))).OK(t, &out)
		if ttl := out.InviteMember.ExpiresAt.Sub(before); ttl < 59*time.Minute || ttl > 61*time.Minute {
			t.Fatalf("expiresAt is %s away, want the configured hour", ttl)
		}
	})
}

func TestResendVoidsTheOldToken(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		id, oldTok := alice.Invite(t, org, "resend@example.com", e.RoleID(t, org, rbac.Viewer))
		old, err := e.DB.Client.Invitation.Get(sys, id)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			ResendInvitation struct {
				ID, Status string
				ExpiresAt  time.Time
			}
		}
		alice.Do(t, resendDoc, vars("id", id)).OK(t, &out)
		newTok := e.MailedToken(t, "resend@example.com")
		if out.ResendInvitation.ID != id || out.ResendInvitation.Status != "PENDING" || newTok == oldTok ||
			!out.ResendInvitation.ExpiresAt.After(old.ExpiresAt) {
			t.Fatalf("resend gave %+v with token changed %v", out.ResendInvitation, newTok != oldTok)
		}
		if p := preview(t, e.Anonymous(), oldTok); p.Invitation != nil {
			t.Fatalf("the old token still previews: %+v", p.Invitation)
		}
		bob := e.SignIn(t, "bob")
		bob.Do(t, acceptDoc, vars("token", oldTok)).Err(t, "NOT_FOUND")
		bob.Accept(t, newTok)
		bob.Do(t, orgDoc, vars("org", org.ID)).OK(t, nil)
	})
}

func TestRevokedInvitation(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		id, tok := alice.Invite(t, org, "revoke@example.com", e.RoleID(t, org, rbac.Viewer))
		// Another organization's owner can neither revoke nor resend it, nor read it.
		mallory := e.SignIn(t, "mallory")
		mallory.CreateOrg(t)
		mallory.Do(t, revokeDoc, vars("id", id)).Err(t, "NOT_FOUND")
		mallory.Do(t, resendDoc, vars("id", id)).Err(t, "NOT_FOUND")
		mallory.Do(t, `query($id: ID!) { node(id: $id) { id } }`, vars("id", id)).Err(t, "NOT_FOUND")
		if p := preview(t, e.Anonymous(), tok).Invitation; p == nil || p.Status != "PENDING" {
			t.Fatalf("another organization's attempts changed the invitation: %+v", p)
		}
		var out struct{ RevokeInvitation string }
		alice.Do(t, revokeDoc, vars("id", id)).OK(t, &out)
		if out.RevokeInvitation != id {
			t.Fatalf("revokeInvitation returned %q, want %q", out.RevokeInvitation, id)
		}
		if p := preview(t, e.Anonymous(), tok).Invitation; p != nil {
			t.Fatalf("a revoked token still previews: %+v", p)
		}
		if ids := invitationIDs(t, alice, org, "REVOKED"); ids[id] != "REVOKED" {
			t.Fatalf("revoked invitations %v lack %s", ids, id)
		}
		bob := e.SignIn(t, "bob")
		err := bob.Do(t, acceptDoc, vars("token", tok)).Err(t, "BAD_USER_INPUT")
		if err.Field() != "token" || !strings.Contains(err.Message, "revoked") {
			t.Fatalf("revoked token refused with %+v", err)
		}
		bob.Do(t, orgDoc, vars("org", org.ID)).Err(t, "NOT_FOUND")
		alice.Do(t, revokeDoc, vars("id", id)).Err(t, "CONFLICT")
		alice.Do(t, resendDoc, vars("id", id)).Err(t, "CONFLICT")
		// The address may be invited again.
		alice.Invite(t, org, "revoke@example.com", e.RoleID(t, org, rbac.Viewer))
	})
}

func TestInvitationsNewestFirst(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrgOnPlan(t, "TEAM")
		first, _ := alice.Invite(t, org, "first@example.com", e.RoleID(t, org, rbac.Viewer))
		second, _ := alice.Invite(t, org, "second@example.com", e.RoleID(t, org, rbac.Viewer))
		var out struct {
			Organization struct {
				Invitations struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
		alice.Do(t, invitationsDoc, vars("org", org.ID)).OK(t, &out)
		edges := out.Organization.Invitations.Edges
		if len(edges) != 2 || edges[0].Node.ID != second || edges[1].Node.ID != first {
			t.Fatalf("invitations not newest first: %+v", edges)
		}
	})
}

// userID returns the ID of c's user.
func userID(t *testing.T, e *testkit.Env, c *testkit.Client) string {
	t.Helper()
	id, err := e.DB.Client.User.Query().Where(user.Login(c.Login)).OnlyID(sys)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
