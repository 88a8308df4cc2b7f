package live_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/live"
	"github.com/orgql/orgql/internal/testkit"
)

// A hub that no subscription on its instance follows reads nothing for a
// change: PostgreSQL's notification says up to where the log is settled,
// and the hub moves there unread (Position). A subscription that starts later, from a
// cursor before them, still gets each change, in order, once; while it
// follows, the hub reads again.
func TestAHubNobodyFollowsReadsNothingPerChange(t *testing.T) {
	if !slices.Contains(testkit.Backends(t), testkit.Postgres) {
		t.Skip("notifications, which say what is settled, are PostgreSQL's; on SQLite the hub reads on each in-process wake-up")
	}
	e := testkit.New(t, testkit.Postgres, nil)
	alice := e.SignIn(t, "alice")
	org := alice.CreateOrg(t)
	hub := e.Server.Live
	listening(t, e, alice, org.ID)
	after := newestCursor(t, alice, org.ID)
	mark, _ := hub.Notifications()
	reads := hub.Reads()
	for i := range 5 {
		describe(t, alice, org.ID, fmt.Sprintf("unread %d", i))
	}
	handled(t, hub, mark, 5)
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

// handled waits until hub has dealt with n more notifications than it had
// received at mark: read after them, or decided not to.
func handled(t *testing.T, hub *live.Hub, mark, n int64) {
	t.Helper()
	for deadline := time.Now().Add(guard); ; time.Sleep(5 * time.Millisecond) {
		if received, done := hub.Notifications(); received >= mark+n && done >= received {
			return
		}
		if time.Now().After(deadline) {
			received, done := hub.Notifications()
			t.Fatalf("the hub handled %d of %d notifications, want %d after %d", done, received, n, mark)
		}
	}
}

// listening returns once e's hub listens for notifications: it has heard
// of a change that c makes to org (describing it "listening? n", a new
// text each time: an update that changes nothing writes no event, and so
// notifies nothing).
func listening(t *testing.T, e *testkit.Env, c *testkit.Client, orgID string) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for i := 0; ; i++ {
		if received, _ := e.Server.Live.Notifications(); received > 0 {
			return
		}
		if time.Now().After(deadline) {
			var listeners string
			err := e.DB.SQL.QueryRowContext(context.Background(), `SELECT coalesce(string_agg(format('%s %s %s xid=%s xmin=%s since=%s %s: %s',
				pid, state, wait_event, backend_xid, backend_xmin, now() - xact_start, application_name, left(query, 60)), E'\n'), '')
				|| E'\nqueue usage: ' || pg_notification_queue_usage()
				FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&listeners)
			var problems []string
			for _, line := range strings.Split(e.Logs(), "\n") {
				if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") {
					problems = append(problems, line)
				}
			}
			t.Fatalf("the hub heard no notification; the database's connections:\n%s %v\nthe server logged:\n%s",
				listeners, err, strings.Join(problems, "\n"))
		}
		describe(t, c, orgID, fmt.Sprint("listening? ", i))
		time.Sleep(20 * time.Millisecond)
	}
}
