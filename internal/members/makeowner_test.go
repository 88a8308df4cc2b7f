package members_test

import (
	"context"
	"testing"

	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/members"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

// The operator's make-owner, for a member: they become the one owner, the
// old owner ADMIN, recorded as a TRANSFER_OWNERSHIP by the system with no
// caller in context; another organization keeps its owner; making the
// owner the owner again changes nothing.
func TestMakeOwnerOfAMember(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice, bob, mallory := e.SignIn(t, "alice"), e.SignIn(t, "bob"), e.SignIn(t, "mallory")
		org := alice.CreateOrg(t)
		other := mallory.CreateOrg(t)
		e.AddMember(t, org, bob, rbac.Viewer)
		bobUser, err := e.DB.Client.User.Query().Where(user.Login(bob.Login)).Only(sys)
		if err != nil {
			t.Fatal(err)
		}
		svc := &members.Service{Client: e.DB.Client}
		if _, err := svc.MakeOwner(context.Background(), org.ID, bobUser.ID); err != nil {
			t.Fatal(err)
		}
		if owner := assertOneOwner(t, e.DB.Client, org.ID); owner != bobUser.ID {
			t.Fatalf("owner %s, want bob", owner)
		}
		evs := orgEvents(t, e, org.ID)
		last := evs[len(evs)-1]
		if last.Type != organizationevent.TypeTRANSFER_OWNERSHIP || last.ActorType != organizationevent.ActorTypeSYSTEM ||
			last.Change["joined"] != false || last.Change["owner"].(map[string]any)["to"] != bob.Login {
			t.Fatalf("event %+v", last)
		}
		// Alice is ADMIN now: she may manage members but not transfer the organization.
		alice.Do(t, `mutation($org: ID!, $m: ID!) { transferOwnership(organizationID: $org, membershipID: $m) { id } }`,
			map[string]any{"org": org.ID, "m": e.MembershipID(t, org, alice)}).Err(t, "FORBIDDEN")
		if owner := assertOneOwner(t, e.DB.Client, other.ID); owner == bobUser.ID {
			t.Fatal("another organization changed owner")
		}
		if _, err := svc.MakeOwner(context.Background(), org.ID, bobUser.ID); err == nil {
			t.Fatal("making the owner the owner again was accepted")
		}
		if n := len(orgEvents(t, e, org.ID)); n != len(evs) {
			t.Fatalf("a refused make-owner wrote %d events", n-len(evs))
		}
	})
}
