package members_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

func TestEveryChangeRecordsItsEvent(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrgOnPlan(t, "TEAM")
		bob := e.SignIn(t, "bob")
		carol := e.SignIn(t, "carol")
		e.AddMember(t, org, carol, rbac.Viewer)
		mallory := e.SignIn(t, "mallory")
		mallory.CreateOrg(t)
		viewer := e.RoleID(t, org, rbac.Viewer)
		aliceID, bobID := userID(t, e, alice), userID(t, e, bob)

		x, _ := alice.Invite(t, org, "x@example.com", viewer)
		alice.Do(t, resendDoc, vars("id", x)).OK(t, nil)
		alice.Do(t, revokeDoc, vars("id", x)).OK(t, nil)
		b, tok := alice.Invite(t, org, bob.Email(), viewer)
		bobM := bob.Accept(t, tok)
		alice.Do(t, updateRoleDoc, vars("m", bobM, "r", e.RoleID(t, org, rbac.Admin))).OK(t, nil)
		alice.Do(t, transferDoc, vars("org", org.ID, "m", bobM)).OK(t, nil)
		carolM := e.MembershipID(t, org, carol)
		bob.Do(t, removeDoc, vars("m", carolM)).OK(t, nil)
		aliceM := e.MembershipID(t, org, alice)
		alice.Do(t, leaveDoc, vars("org", org.ID)).OK(t, nil)
		// Refused changes, here and from another organization, record nothing.
		bob.Do(t, leaveDoc, vars("org", org.ID)).Err(t, "LAST_OWNER")
		mallory.Do(t, removeDoc, vars("m", bobM)).Err(t, "NOT_FOUND")

		want := []string{
			fmt.Sprintf("INVITE INVITATION %s x@example.com by %s", x, aliceID),
			fmt.Sprintf("RESEND INVITATION %s x@example.com by %s", x, aliceID),
			fmt.Sprintf("REVOKE INVITATION %s x@example.com by %s", x, aliceID),
			fmt.Sprintf("INVITE INVITATION %s %s by %s", b, bob.Email(), aliceID),
			fmt.Sprintf("ACCEPT MEMBERSHIP %s %s by %s", bobM, bob.Login, bobID),
			fmt.Sprintf("ROLE_CHANGE MEMBERSHIP %s %s by %s", bobM, bob.Login, aliceID),
			fmt.Sprintf("TRANSFER_OWNERSHIP ORGANIZATION %s %s by %s", org.ID, org.Name, aliceID),
			fmt.Sprintf("REMOVE MEMBERSHIP %s %s by %s", carolM, carol.Login, bobID),
			fmt.Sprintf("LEAVE MEMBERSHIP %s %s by %s", aliceM, alice.Login, aliceID),
		}
		var got []string
		changes := map[organizationevent.Type]map[string]any{}
		for _, ev := range orgEvents(t, e, org.ID) {
			if ev.Type == organizationevent.TypeCREATE {
				continue
			}
			got = append(got, fmt.Sprintf("%s %s %s %s by %s", ev.Type, ev.TargetType, ev.TargetID, ev.TargetName, ev.ActorID))
			changes[ev.Type] = ev.Change
			raw, _ := json.Marshal(ev.Change)
			if strings.Contains(string(raw), "oqi_") {
				t.Fatalf("event %s holds an invitation token: %s", ev.Type, raw)
			}
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		role, _ := json.Marshal(changes[organizationevent.TypeROLE_CHANGE])
		owner, _ := json.Marshal(changes[organizationevent.TypeTRANSFER_OWNERSHIP])
		if string(role) != `{"role":{"from":"Viewer","to":"Admin"}}` ||
			string(owner) != fmt.Sprintf(`{"owner":{"from":%q,"to":%q}}`, alice.Login, bob.Login) {
			t.Fatalf("changes recorded: role %s, owner %s", role, owner)
		}
	})
}
