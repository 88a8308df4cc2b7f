package live_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/testkit"
)

// onPostgres is a server on PostgreSQL that reads the log only when woken:
// its 15 s last-resort read would hide a missed wake-up.
func onPostgres(t *testing.T) *testkit.Env {
	t.Helper()
	if !slices.Contains(testkit.Backends(t), testkit.Postgres) {
		t.Skip("transactions there number their events without waiting for each other; SQLite has one writer at a time")
	}
	return testkit.New(t, testkit.Postgres, func(c *config.Config) { c.EventPollInterval = time.Hour })
}

// olderTransaction begins a transaction and makes PostgreSQL give it its
// ID now, before the changes the test makes next.
func olderTransaction(t *testing.T, e *testkit.Env) (*ent.Tx, context.Context) {
	t.Helper()
	ctx := testkit.System(context.Background())
	tx, err := e.DB.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback() })
	if _, err := tx.ExecContext(ctx, "SELECT pg_current_xact_id()"); err != nil {
		t.Fatal(err)
	}
	return tx, ent.NewTxContext(ctx, tx)
}

// On PostgreSQL, transactions that write events commit without waiting for
// each other, so one that began first may commit last. Its events are not
// skipped by a subscriber that got the later ones: they come first (the log
// is in the order of the transactions' IDs, and a reader waits, unread, for
// what older transactions still running may add), each once, live and on a
// resume from before them.
func TestAnOlderTransactionCommittingLastIsNotSkipped(t *testing.T) {
	e := onPostgres(t)
	alice := e.SignIn(t, "alice")
	org := alice.CreateOrg(t)
	listening(t, e.Server.Live, alice, org.ID)
	after := newestCursor(t, alice, org.ID)
	base := serve(t, e)
	live := mustConnect(t, base, "graphql-transport-ws", alice.Authorization())
	live.subscribe("1", eventsSub, map[string]any{"org": org.ID, "after": after})

	tx, ctx := olderTransaction(t, e)
	if err := events.Record(ctx, events.Event{OrganizationID: org.ID, Type: organizationevent.TypeUPDATE,
		TargetType: organizationevent.TargetTypeORGANIZATION, TargetID: org.ID, TargetName: "older",
		Change: map[string]any{"description": map[string]any{"from": "", "to": "older"}}}); err != nil {
		t.Fatal(err)
	}
	describe(t, alice, org.ID, "younger") // commits first
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	describe(t, alice, org.ID, "then")

	want := []string{"older", "younger", "then"}
	for _, sub := range []*wsClient{live, func() *wsClient {
		resumed := mustConnect(t, base, "graphql-transport-ws", alice.Authorization())
		resumed.subscribe("1", eventsSub, map[string]any{"org": org.ID, "after": after})
		return resumed
	}()} {
		var got []string
		for range want {
			got = append(got, nextEvent(t, sub).description())
		}
		if !slices.Equal(got, want) {
			t.Fatalf("got the descriptions %q, want %q", got, want)
		}
	}

	// Another organization's subscriber saw none of it.
	bob := e.SignIn(t, "bob")
	other := bob.CreateOrg(t)
	theirs := mustConnect(t, base, "graphql-transport-ws", bob.Authorization())
	theirs.subscribe("1", eventsSub, map[string]any{"org": other.ID, "after": newestCursor(t, bob, other.ID)})
	describe(t, bob, other.ID, "theirs")
	if ev := nextEvent(t, theirs); ev.description() != "theirs" || ev.TargetID != other.ID {
		t.Fatalf("bob's first event: %+v", ev)
	}
}

// A change committed while an older transaction runs waits for it to end;
// when that transaction ends without a notification of its own (it wrote
// no event, or rolled back), the change still arrives: the hub reads again
// while what notifications announced is not settled, and does not wait for
// its last-resort read (an hour here).
func TestAChangeHeldBackByAnOlderTransactionArrivesWhenItEnds(t *testing.T) {
	for _, end := range []string{"commit", "rollback"} {
		t.Run(end, func(t *testing.T) {
			e := onPostgres(t)
			alice := e.SignIn(t, "alice")
			org := alice.CreateOrg(t)
			listening(t, e.Server.Live, alice, org.ID)
			sub := mustConnect(t, serve(t, e), "graphql-transport-ws", alice.Authorization())
			sub.subscribe("1", eventsSub, map[string]any{"org": org.ID, "after": newestCursor(t, alice, org.ID)})

			tx, _ := olderTransaction(t, e)
			mark, _ := e.Server.Live.Notifications()
			for i := range 3 {
				describe(t, alice, org.ID, fmt.Sprint("held ", i))
			}
			handled(t, e.Server.Live, mark, 3) // read while tx runs: nothing settled
			var err error
			if end == "commit" {
				err = tx.Commit()
			} else {
				err = tx.Rollback()
			}
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				if ev := nextEvent(t, sub); ev.description() != fmt.Sprint("held ", i) {
					t.Fatalf("event %d: %+v", i, ev)
				}
			}
		})
	}
}
