package orgs_test

import (
	"testing"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

// newEvent checks that exactly one event was added to orgID since before
// (the events it had then) and returns it.
func newEvent(t *testing.T, e *testkit.Env, orgID string, before int, typ organizationevent.Type) *ent.OrganizationEvent {
	t.Helper()
	evs := orgEvents(t, e, orgID)
	if len(evs) != before+1 {
		t.Fatalf("want exactly one new event (%s), got %d", typ, len(evs)-before)
	}
	ev := evs[len(evs)-1]
	if ev.Type != typ {
		t.Fatalf("event type %s, want %s", ev.Type, typ)
	}
	return ev
}

func checkTarget(t *testing.T, ev *ent.OrganizationEvent, org testkit.Org, actor *ent.User) {
	t.Helper()
	if ev.TargetType != organizationevent.TargetTypeORGANIZATION || ev.TargetID != org.ID || ev.TargetName != org.Name {
		t.Errorf("%s event target: %s %s %q, want ORGANIZATION %s %q", ev.Type, ev.TargetType, ev.TargetID, ev.TargetName, org.ID, org.Name)
	}
	if ev.ActorType != organizationevent.ActorTypeUSER || ev.ActorID != actor.ID || ev.ActorName != actor.Login {
		t.Errorf("%s event actor: %s %s %q, want user %s", ev.Type, ev.ActorType, ev.ActorID, ev.ActorName, actor.Login)
	}
}

func change(ev *ent.OrganizationEvent, field string) map[string]any {
	m, _ := ev.Change[field].(map[string]any)
	return m
}

func TestEachOrganizationChangeWritesOneEvent(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		aliceUser := dbUser(t, e, alice)
		bob := e.SignIn(t, "bob")
		bobs := bob.CreateOrg(t)
		bobsEvents := len(orgEvents(t, e, bobs.ID))

		org := alice.CreateOrg(t)
		ev := newEvent(t, e, org.ID, 0, organizationevent.TypeCREATE)
		checkTarget(t, ev, org, aliceUser)
		if ev.Change["name"] != org.Name || ev.Change["plan"] != "FREE" {
			t.Errorf("CREATE change: %v", ev.Change)
		}

		update(t, alice, org.ID, map[string]any{"description": "Rockets", "websiteURL": "https://acme.dev"})
		ev = newEvent(t, e, org.ID, 1, organizationevent.TypeUPDATE)
		checkTarget(t, ev, org, aliceUser)
		if d := change(ev, "description"); d["from"] != "" || d["to"] != "Rockets" || len(ev.Change) != 2 || change(ev, "websiteURL")["to"] != "https://acme.dev" {
			t.Errorf("UPDATE change: %v", ev.Change)
		}
		// An update that changes nothing is no change.
		update(t, alice, org.ID, map[string]any{"description": "Rockets"})
		if n := len(orgEvents(t, e, org.ID)); n != 2 {
			t.Fatalf("a no-op update wrote an event: %d events", n)
		}

		alice.CreateOrg(t)
		switchTo(t, alice, org.ID)
		checkTarget(t, newEvent(t, e, org.ID, 2, organizationevent.TypeSWITCH), org, aliceUser)

		alice.Do(t, changePlan, map[string]any{"org": org.ID, "plan": "TEAM"}).OK(t, nil)
		ev = newEvent(t, e, org.ID, 3, organizationevent.TypePLAN_CHANGE)
		checkTarget(t, ev, org, aliceUser)
		if p := change(ev, "plan"); p["from"] != "FREE" || p["to"] != "TEAM" {
			t.Errorf("PLAN_CHANGE change: %v", ev.Change)
		}

		alice.Do(t, deleteOrg, map[string]any{"id": org.ID, "confirm": org.Name}).OK(t, nil)
		// The audit log outlives the organization.
		checkTarget(t, newEvent(t, e, org.ID, 4, organizationevent.TypeDELETE), org, aliceUser)

		if n := len(orgEvents(t, e, bobs.ID)); n != bobsEvents {
			t.Fatalf("another organization got events: %d, had %d", n, bobsEvents)
		}
	})
}

func TestCreateWithFirstProjectWritesAnEventForEach(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		var out struct{ CreateOrganization struct{ ID string } }
		alice.Do(t, createOrg, map[string]any{"input": map[string]any{"name": testkit.Unique("Acme"), "firstProject": map[string]any{"name": "web"}}}).OK(t, &out)
		evs := orgEvents(t, e, out.CreateOrganization.ID)
		if len(evs) != 2 || evs[0].TargetType != organizationevent.TargetTypeORGANIZATION || evs[1].TargetType != organizationevent.TargetTypePROJECT || evs[1].TargetName != "web" {
			t.Fatalf("events: %v", evs)
		}
	})
}

func TestRefusedMutationsWriteNoEvent(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		taken := alice.CreateOrg(t)
		vera := e.SignIn(t, "vera")
		e.AddMember(t, org, vera, rbac.Viewer)
		bob := e.SignIn(t, "bob")
		bobs := bob.CreateOrg(t)
		before := len(orgEvents(t, e, org.ID))

		vera.Do(t, updateOrg, map[string]any{"id": org.ID, "input": map[string]any{"description": "x"}}).Err(t, "FORBIDDEN")
		alice.Do(t, updateOrg, map[string]any{"id": org.ID, "input": map[string]any{"websiteURL": "x"}}).Err(t, "BAD_USER_INPUT")
		alice.Do(t, updateOrg, map[string]any{"id": org.ID, "input": map[string]any{"name": taken.Name}}).Err(t, "CONFLICT")
		vera.Do(t, changePlan, map[string]any{"org": org.ID, "plan": "TEAM"}).Err(t, "FORBIDDEN")
		alice.Do(t, deleteOrg, map[string]any{"id": org.ID, "confirm": "nope"}).Err(t, "BAD_USER_INPUT")
		vera.Do(t, deleteOrg, map[string]any{"id": org.ID, "confirm": org.Name}).Err(t, "FORBIDDEN")
		bob.Do(t, `mutation($id: ID!) { switchOrganization(id: $id) { user { id } } }`, map[string]any{"id": org.ID}).Err(t, "NOT_FOUND")
		if n := len(orgEvents(t, e, org.ID)); n != before {
			t.Fatalf("refused mutations wrote %d events", n-before)
		}
		if n := len(orgEvents(t, e, bobs.ID)); n != 1 {
			t.Fatalf("bob's organization has %d events", n)
		}
	})
}

// A change whose operation fails later is rolled back with its event: the
// event is written in the change's own transaction.
func TestEventsRollBackWithTheirChange(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		before := len(orgEvents(t, e, org.ID))

		// updateOrganization and changePlan succeed and write their events;
		// deleteOrganization then fails, so the whole operation rolls back.
		res := alice.Do(t, `mutation($id: ID!) {
			a: updateOrganization(id: $id, input: {description: "rolled back"}) { id }
			b: changePlan(organizationID: $id, plan: TEAM) { id }
			c: deleteOrganization(id: $id, confirmName: "not the name")
		}`, map[string]any{"id": org.ID})
		res.Err(t, "BAD_USER_INPUT")
		if n := len(orgEvents(t, e, org.ID)); n != before {
			t.Fatalf("%d events of the rolled-back operation remain", n-before)
		}
		if o := dbOrg(t, e, org.ID); o.Description != "" || o.Plan != "FREE" {
			t.Fatalf("the rolled-back changes remain: %q %s", o.Description, o.Plan)
		}
		// The same changes alone commit with their events.
		update(t, alice, org.ID, map[string]any{"description": "kept"})
		newEvent(t, e, org.ID, before, organizationevent.TypeUPDATE)
	})
}
