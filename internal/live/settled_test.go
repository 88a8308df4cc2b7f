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

// describeIn records, in the transaction of ctx, the event of org's
// description changing to text, as describe's change would.
func describeIn(t *testing.T, ctx context.Context, orgID, text string) {
	t.Helper()
	if err := events.Record(ctx, events.Event{OrganizationID: orgID, Type: organizationevent.TypeUPDATE,
		TargetType: organizationevent.TargetTypeORGANIZATION, TargetID: orgID, TargetName: text,
		Change: map[string]any{"description": map[string]any{"from": "", "to": text}}}); err != nil {
		t.Fatal(err)
	}
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
	listening(t, e, alice, org.ID)
	after := newestCursor(t, alice, org.ID)
	base := serve(t, e)
	live := mustConnect(t, base, "graphql-transport-ws", alice.Authorization())
	live.subscribe("1", eventsSub, map[string]any{"org": org.ID, "after": after})

	tx, ctx := olderTransaction(t, e)
	describeIn(t, ctx, org.ID, "older")
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
// while what notifications announced is not settled, also for a
// subscription that starts while the change waits on a hub nobody followed,
// and does not wait for its last-resort read (an hour here).
func TestAChangeHeldBackByAnOlderTransactionArrivesWhenItEnds(t *testing.T) {
	for _, end := range []string{"commit", "rollback"} {
		for _, start := range []string{"before", "while held"} {
			t.Run(end+", subscribed "+start, func(t *testing.T) {
				e := onPostgres(t)
				alice := e.SignIn(t, "alice")
				org := alice.CreateOrg(t)
				listening(t, e, alice, org.ID)
				after := newestCursor(t, alice, org.ID)
				base := serve(t, e)
				var sub *wsClient
				subscribe := func() {
					sub = mustConnect(t, base, "graphql-transport-ws", alice.Authorization())
					sub.subscribe("1", eventsSub, map[string]any{"org": org.ID, "after": after})
				}
				if start == "before" {
					subscribe()
				}

				tx, _ := olderTransaction(t, e)
				mark, _ := e.Server.Live.Notifications()
				for i := range 3 {
					describe(t, alice, org.ID, fmt.Sprint("held ", i))
				}
				handled(t, e.Server.Live, mark, 3) // read while tx runs: nothing settled
				if start == "while held" {
					// The hub nobody followed reads once the subscription starts,
					// while tx still runs: nothing settled.
					reads := e.Server.Live.Reads()
					subscribe()
					for deadline := time.Now().Add(guard); e.Server.Live.Reads() == reads; time.Sleep(5 * time.Millisecond) {
						if time.Now().After(deadline) {
							t.Fatal("the hub did not read when the subscription started")
						}
					}
				}
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
}

// A database restored into another cluster meets transaction IDs lower than
// those that numbered its events: as a server starts it raises the offset
// added to them, so that new events still come after every old one, in the
// audit log and for a subscription resumed from an old cursor.
func TestEventsStayAheadOfTheLogWhenTransactionIDsStartAgain(t *testing.T) {
	e := onPostgres(t)
	alice := e.SignIn(t, "alice")
	org := alice.CreateOrg(t)
	sys := testkit.System(context.Background())
	// An event from a cluster whose transaction IDs were a million ahead.
	var xid int64
	if err := e.DB.SQL.QueryRowContext(sys, "SELECT pg_current_xact_id()::text::bigint").Scan(&xid); err != nil {
		t.Fatal(err)
	}
	restored := e.DB.Client.OrganizationEvent.Create().SetOrganizationID(org.ID).SetType(organizationevent.TypeUPDATE).
		SetTargetType(organizationevent.TargetTypeORGANIZATION).SetTargetID(org.ID).SetTargetName("restored").
		SetChange(map[string]any{"description": map[string]any{"from": "", "to": "restored"}}).
		SetActorType(organizationevent.ActorTypeSYSTEM).SetSequence((xid + 1_000_000) << 20).SaveX(sys)

	// A server starts on the moved database (twice: the second changes nothing).
	for range 2 {
		e.Reconfigure(t, nil)
	}
	after := newestCursor(t, alice, org.ID)
	sub := mustConnect(t, serve(t, e), "graphql-transport-ws", alice.Authorization())
	sub.subscribe("1", eventsSub, map[string]any{"org": org.ID, "after": after})
	describe(t, alice, org.ID, "after the move")
	newest, err := e.DB.Client.OrganizationEvent.Query().Where(organizationevent.OrganizationID(org.ID)).
		Order(ent.Desc(organizationevent.FieldSequence)).First(sys)
	if err != nil {
		t.Fatal(err)
	}
	if newest.TargetName == restored.TargetName || newest.Sequence <= restored.Sequence {
		t.Fatalf("the newest event is %q (%d); want the change after the move, after %d", newest.TargetName, newest.Sequence, restored.Sequence)
	}
	var now int64
	if err := e.DB.SQL.QueryRowContext(sys, "SELECT pg_current_xact_id()::text::bigint").Scan(&now); err != nil {
		t.Fatal(err)
	}
	if newest.Sequence>>20 > restored.Sequence>>20+(now-xid) {
		t.Fatalf("sequence %d: the offset went further past the old events than the transactions since", newest.Sequence)
	}
	if ev := nextEvent(t, sub); ev.description() != "after the move" {
		t.Fatalf("the resumed subscription got %+v", ev)
	}
}

// A subscription from now sends every change committed after it starts
// and none from before, also while an older transaction holds the log
// back: a change committed just before, not yet settled, is not sent; the
// older transaction's, committed after the start but before it in the log,
// is. The same holds from the audit log's cursor of that change.
func TestFromNowWhileAnOlderTransactionRuns(t *testing.T) {
	e := onPostgres(t)
	alice := e.SignIn(t, "alice")
	org := alice.CreateOrg(t)
	listening(t, e, alice, org.ID)
	base := serve(t, e)

	tx, ctx := olderTransaction(t, e)
	describe(t, alice, org.ID, "before") // committed, not settled
	fromNow := mustConnect(t, base, "graphql-transport-ws", alice.Authorization())
	fromNow.subscribe("1", eventsSub, map[string]any{"org": org.ID})
	fromCursor := mustConnect(t, base, "graphql-transport-ws", alice.Authorization())
	fromCursor.subscribe("1", eventsSub, map[string]any{"org": org.ID, "after": newestCursor(t, alice, org.ID)})
	for deadline := time.Now().Add(guard); scrape(t, e)[`orgql_subscriptions_active{field="organizationEvents",transport="websocket"}`] != 2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the subscriptions did not start")
		}
	}
	describeIn(t, ctx, org.ID, "older")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	describe(t, alice, org.ID, "after")
	want := []string{"older", "after"}
	for name, sub := range map[string]*wsClient{"from now": fromNow, "from the audit log's cursor": fromCursor} {
		var got []string
		for range want {
			got = append(got, nextEvent(t, sub).description())
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: got the descriptions %q, want %q", name, got, want)
		}
	}
}
