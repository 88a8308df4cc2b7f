package live_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/testkit"
)

// A hub that no subscription on its instance follows reads nothing for a
// change: PostgreSQL's notification carries the change's sequence, and
// every event up to it is committed, so the hub moves past them unread. A
// subscription that starts later, from a cursor before them, still gets
// each change, in order, once; while it follows, the hub reads again.
func TestAHubNobodyFollowsReadsNothingPerChange(t *testing.T) {
	if !slices.Contains(testkit.Backends(t), testkit.Postgres) {
		t.Skip("notifications, which carry the sequence, are PostgreSQL's; on SQLite the hub reads on each in-process wake-up")
	}
	e := testkit.New(t, testkit.Postgres, nil)
	alice := e.SignIn(t, "alice")
	org := alice.CreateOrg(t)
	hub := e.Server.Live
	reached := func() {
		t.Helper()
		ev, err := e.DB.Client.OrganizationEvent.Query().Order(ent.Desc(organizationevent.FieldSequence)).First(testkit.System(context.Background()))
		if err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(20 * time.Second); hub.Position() < ev.Sequence; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the hub stayed at %d, before %d", hub.Position(), ev.Sequence)
			}
		}
	}
	after := newestCursor(t, alice, org.ID)
	reached()
	reads := hub.Reads()
	for i := range 5 {
		describe(t, alice, org.ID, fmt.Sprintf("unread %d", i))
	}
	reached()
	if n := hub.Reads() - reads; n != 0 {
		t.Fatalf("the hub read the log %d times for 5 changes nobody follows, want 0", n)
	}

	c := mustConnect(t, serve(t, e), "graphql-transport-ws", alice.Authorization())
	c.subscribe("1", eventsSub, map[string]any{"org": org.ID, "after": after})
	for i := range 5 {
		if ev := nextEvent(t, c); ev.description() != fmt.Sprintf("unread %d", i) {
			t.Fatalf("event %d: %+v, want the description \"unread %d\"", i, ev, i)
		}
	}
	reads = hub.Reads()
	describe(t, alice, org.ID, "followed")
	if ev := nextEvent(t, c); ev.description() != "followed" {
		t.Fatalf("got %+v, want the description \"followed\"", ev)
	}
	if hub.Reads() == reads {
		t.Fatal("the hub did not read the log for a change its subscription follows")
	}
}
