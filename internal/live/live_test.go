package live_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/live"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
	"github.com/orgql/orgql/internal/viewer"
)

func TestMain(m *testing.M) { testkit.Main(m) }

const eventsSub = `subscription($org: ID!, $after: Cursor, $types: [EventTargetType!]) {
	organizationEvents(organizationID: $org, after: $after, targetTypes: $types) {
		id type targetType targetID targetName change cursor actor { type id displayName } organization { id }
	}
}`

type event struct {
	ID, Type, TargetType, TargetID, TargetName, Cursor string
	Change                                             map[string]any
	Actor                                              struct{ Type, ID, DisplayName string }
	Organization                                       *struct{ ID string }
}

// newestCursor is the cursor of org's newest event, read from the audit log.
func newestCursor(t *testing.T, c *testkit.Client, orgID string) string {
	t.Helper()
	var out struct {
		Organization struct {
			AuditEvents struct{ Edges []struct{ Cursor string } }
		}
	}
	c.Do(t, `query($id: ID!) { organization(id: $id) { auditEvents(first: 1) { edges { cursor } } } }`,
		map[string]any{"id": orgID}).OK(t, &out)
	if len(out.Organization.AuditEvents.Edges) != 1 {
		t.Fatalf("organization %s has no event", orgID)
	}
	return out.Organization.AuditEvents.Edges[0].Cursor
}

func describe(t testing.TB, c *testkit.Client, orgID, text string) {
	t.Helper()
	c.Do(t, `mutation($id: ID!, $d: String!) { updateOrganization(id: $id, input: {description: $d}) { id } }`,
		map[string]any{"id": orgID, "d": text}).OK(t, nil)
}

// description is what an UPDATE event of the description changed it to.
func (ev event) description() string {
	d, _ := ev.Change["description"].(map[string]any)
	s, _ := d["to"].(string)
	return s
}

// nextEvent reads the next event of subscription c, failing on anything else.
func nextEvent(t *testing.T, c *wsClient) event {
	t.Helper()
	r, err := c.next()
	if err != nil || r.Complete || len(r.Errors) > 0 {
		t.Fatalf("want an event, got %+v %v", r, err)
	}
	var out struct{ OrganizationEvents event }
	if err := json.Unmarshal(r.Data, &out); err != nil {
		t.Fatal(err)
	}
	return out.OrganizationEvents
}

// expectEnd reads subscription c until it completes, failing on an event.
func expectEnd(t *testing.T, c *wsClient) {
	t.Helper()
	r, err := c.next()
	if err != nil || !r.Complete {
		t.Fatalf("want the subscription to complete, got %+v %v (data %s)", r, err, r.Data)
	}
}

// A change made through one instance reaches a subscriber of another, in
// order and once; not the changes of another organization.
func TestEventsReachSubscribersOfAnotherInstance(t *testing.T) {
	for _, b := range testkit.Backends(t) {
		t.Run(string(b), func(t *testing.T) {
			a, other := testkit.New(t, b, nil), testkit.New(t, b, nil)
			alice := a.SignIn(t, "alice")
			org, org2 := alice.CreateOrg(t), alice.CreateOrg(t)
			sub := mustConnect(t, serve(t, other), "graphql-transport-ws", alice.Authorization())
			sub.subscribe("1", eventsSub, map[string]any{"org": org.ID, "after": newestCursor(t, alice, org.ID)})
			for i := range 5 {
				describe(t, alice, org2.ID, fmt.Sprint("other ", i))
				describe(t, alice, org.ID, fmt.Sprint("d", i))
			}
			prev := ""
			for i := range 5 {
				ev := nextEvent(t, sub)
				if ev.Type != "UPDATE" || ev.TargetID != org.ID || ev.description() != fmt.Sprint("d", i) {
					t.Fatalf("event %d: %+v", i, ev)
				}
				if ev.Actor.Type != "USER" || ev.Actor.DisplayName != alice.Login || !strings.HasPrefix(ev.Actor.ID, "usr_") {
					t.Fatalf("actor: %+v", ev.Actor)
				}
				if ev.Cursor == "" || ev.Cursor == prev {
					t.Fatalf("cursor %q after %q", ev.Cursor, prev)
				}
				prev = ev.Cursor
			}
		})
	}
}

// The LISTEN connection may drop during a stream of changes: the instance
// reads what it missed when it reconnects.
func TestEventsSurviveTheListenConnectionDropping(t *testing.T) {
	for _, b := range testkit.Backends(t) {
		if b != testkit.Postgres {
			continue
		}
		t.Run(string(b), func(t *testing.T) {
			a, other := testkit.New(t, b, nil), testkit.New(t, b, nil)
			alice := a.SignIn(t, "alice")
			org := alice.CreateOrg(t)
			sub := mustConnect(t, serve(t, other), "graphql-transport-ws", alice.Authorization())
			sub.subscribe("1", eventsSub, map[string]any{"org": org.ID, "after": newestCursor(t, alice, org.ID)})
			const n = 40
			for i := range n {
				if i%10 == 5 {
					terminateListeners(t, a)
				}
				describe(t, alice, org.ID, fmt.Sprint("d", i))
			}
			for i := range n {
				if ev := nextEvent(t, sub); ev.description() != fmt.Sprint("d", i) {
					t.Fatalf("event %d: %+v", i, ev)
				}
			}
		})
	}
}

// terminateListeners ends every LISTEN connection to e's database, once
// one is there (the listener may be reconnecting from the last time).
func terminateListeners(t *testing.T, e *testkit.Env) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for {
		var n int
		err := e.DB.SQL.QueryRowContext(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'`).Scan(&n)
		if err != nil {
			t.Fatalf("terminate listeners: %v", err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no LISTEN connection to terminate")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A change that rolls back sends nothing: the next event is the next
// committed change.
func TestRolledBackChangeSendsNothing(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		sub := mustConnect(t, serve(t, e), "graphql-transport-ws", alice.Authorization())
		sub.subscribe("1", eventsSub, map[string]any{"org": org.ID, "after": newestCursor(t, alice, org.ID)})
		// The first field writes its event, the second fails: both roll back.
		r := alice.Do(t, `mutation($id: ID!) {
			a: updateOrganization(id: $id, input: {description: "rolled back"}) { id }
			b: updateOrganization(id: $id, input: {websiteURL: "not a url"}) { id }
		}`, map[string]any{"id": org.ID})
		if len(r.Errors) == 0 {
			t.Fatalf("want the mutation refused: %s", r.Body)
		}
		describe(t, alice, org.ID, "committed")
		if ev := nextEvent(t, sub); ev.description() != "committed" {
			t.Fatalf("first event: %+v", ev)
		}
	})
}

// A client that reconnects with the cursor of the last event it got gets
// every event after it exactly once, in order, also when it drops during
// a burst of changes.
func TestResumeAfterCursorLosesNothing(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		const n = 1000
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		base := serve(t, e)
		after := newestCursor(t, alice, org.ID)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := range n {
				describe(t, alice, org.ID, fmt.Sprint("d", i))
			}
		}()
		var got []string
		for len(got) < n {
			sub := mustConnect(t, base, "graphql-transport-ws", alice.Authorization())
			sub.subscribe("1", eventsSub, map[string]any{"org": org.ID, "after": after})
			// Take a few events, then drop the connection without a goodbye.
			for range 137 {
				if len(got) == n {
					break
				}
				ev := nextEvent(t, sub)
				got = append(got, ev.description())
				after = ev.Cursor
			}
			sub.conn.CloseNow()
		}
		<-done
		for i, d := range got {
			if d != fmt.Sprint("d", i) {
				t.Fatalf("event %d is %q: the sequences differ", i, d)
			}
		}
	})
}

// A missing or bad credential closes the socket with 4401 and runs nothing.
func TestBadCredentialCloses4401(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		base := serve(t, e)
		for _, protocol := range []string{"graphql-transport-ws", "graphql-ws"} {
			for _, authorization := range []string{"", "Bearer oqs_not-a-token", "Token oqt_nope", "Basic x"} {
				c, m, err := connect(t, base, protocol, authorization)
				for err == nil && m.Type == "connection_error" { // the legacy protocol says why first
					m, err = c.read()
				}
				if got := closeStatus(err); got != 4401 {
					t.Errorf("%s, %q: close %v (%+v %v), want 4401", protocol, authorization, got, m, err)
				}
			}
		}
	})
}

// A member removed from the organization, or demoted below READ_AUDIT_LOG,
// and a deleted API token stop receiving: their stream completes, with no
// event committed after the change.
func TestLosingAccessEndsTheStream(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		base := serve(t, e)
		follow := func(c *testkit.Client) *wsClient {
			t.Helper()
			sub := mustConnect(t, base, "graphql-transport-ws", c.Authorization())
			sub.subscribe("1", eventsSub, map[string]any{"org": org.ID, "after": newestCursor(t, alice, org.ID)})
			describe(t, alice, org.ID, "while a member")
			if ev := nextEvent(t, sub); ev.description() != "while a member" {
				t.Fatalf("first event: %+v", ev)
			}
			return sub
		}

		bob := e.SignIn(t, "bob")
		e.AddMember(t, org, bob, rbac.Admin)
		sub := follow(bob)
		alice.Do(t, `mutation($id: ID!) { removeMember(membershipID: $id) }`, map[string]any{"id": e.MembershipID(t, org, bob)}).OK(t, nil)
		describe(t, alice, org.ID, "after the removal")
		expectEnd(t, sub)

		carol := e.SignIn(t, "carol")
		e.AddMember(t, org, carol, rbac.Admin)
		sub = follow(carol)
		alice.Do(t, `mutation($id: ID!, $role: ID!) { updateMemberRole(membershipID: $id, roleID: $role) { id } }`,
			map[string]any{"id": e.MembershipID(t, org, carol), "role": e.RoleID(t, org, rbac.Viewer)}).OK(t, nil)
		describe(t, alice, org.ID, "after the demotion")
		expectEnd(t, sub)

		token, tokenID := alice.CreateAPIToken(t, org, e.RoleID(t, org, rbac.Admin))
		sub = follow(token)
		alice.Do(t, `mutation($id: ID!) { deleteAPIToken(id: $id) }`, map[string]any{"id": tokenID}).OK(t, nil)
		describe(t, alice, org.ID, "after the deletion")
		expectEnd(t, sub)

		// An organization deleted: its owner's stream ends too.
		sub = follow(alice)
		var name struct{ Organization struct{ Name string } }
		alice.Do(t, `query($id: ID!) { organization(id: $id) { name } }`, map[string]any{"id": org.ID}).OK(t, &name)
		alice.Do(t, `mutation($id: ID!, $n: String!) { deleteOrganization(id: $id, confirmName: $n) }`,
			map[string]any{"id": org.ID, "n": name.Organization.Name}).OK(t, nil)
		expectEnd(t, sub)
	})
}

// Another user, a member without READ_AUDIT_LOG, and an ID of another
// organization get an error and no stream.
func TestOthersCannotSubscribe(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice, mallory, vic := e.SignIn(t, "alice"), e.SignIn(t, "mallory"), e.SignIn(t, "vic")
		org := alice.CreateOrg(t)
		mallory.CreateOrg(t)
		e.AddMember(t, org, vic, rbac.Viewer)
		base := serve(t, e)
		for _, c := range []struct {
			who  *testkit.Client
			code string
		}{{mallory, "NOT_FOUND"}, {vic, "FORBIDDEN"}} {
			sub := mustConnect(t, base, "graphql-transport-ws", c.who.Authorization())
			sub.subscribe("1", eventsSub, map[string]any{"org": org.ID})
			r, err := sub.next()
			if err != nil || len(r.Errors) != 1 || r.Errors[0].Code() != c.code {
				t.Fatalf("%s: %+v %v, want %s", c.who.Login, r, err, c.code)
			}
		}
	})
}

// WebSocket upgrades from an origin the CORS list does not name are refused.
func TestWebSocketOriginsFollowTheCORSList(t *testing.T) {
	const allowed = "https://console.example.com"
	testkit.RunWith(t, func(c *config.Config) { c.CORSOrigins = []string{allowed} }, func(t *testing.T, e *testkit.Env) {
		base := serve(t, e)
		for origin, ok := range map[string]bool{allowed: true, "https://evil.example.net": false, "http://console.example.com": false} {
			_, resp, err := dial(t, base, "graphql-transport-ws", http.Header{"Origin": {origin}})
			if ok != (err == nil) {
				t.Errorf("origin %s: %v, want allowed %v", origin, err, ok)
			}
			if !ok && (resp == nil || resp.StatusCode != http.StatusForbidden) {
				t.Errorf("origin %s: %+v, want 403", origin, resp)
			}
		}
	})
}

// The limits of subscriptions per connection and connections per caller hold.
func TestSubscriptionLimits(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) {
		c.MaxSubscriptionsPerConn, c.MaxConnectionsPerCaller = 2, 2
	}, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		base := serve(t, e)
		sub := mustConnect(t, base, "graphql-transport-ws", alice.Authorization())
		for i, id := range []string{"1", "2"} {
			sub.subscribe(id, eventsSub, map[string]any{"org": org.ID, "after": newestCursor(t, alice, org.ID)})
			describe(t, alice, org.ID, "running "+id)
			for range i + 1 { // each running subscription gets the event: this one runs
				if m, err := sub.read(); err != nil || m.Type != "next" {
					t.Fatalf("%+v %v", m, err)
				}
			}
		}
		sub.subscribe("3", eventsSub, map[string]any{"org": org.ID})
		m, err := sub.read()
		var p struct{ Errors []testkit.Error }
		if err == nil {
			err = json.Unmarshal(m.Payload, &p)
		}
		if err != nil || m.ID != "3" || len(p.Errors) != 1 || p.Errors[0].Code() != "TOO_MANY_SUBSCRIPTIONS" {
			t.Fatalf("third subscription: %+v %v", m, err)
		}
		if m, err := sub.read(); err != nil || m.ID != "3" || m.Type != "complete" {
			t.Fatalf("third subscription: %+v %v", m, err)
		}
		mustConnect(t, base, "graphql-transport-ws", alice.Authorization())
		c, m, err := connect(t, base, "graphql-transport-ws", alice.Authorization())
		if err == nil {
			m, err = c.read()
		}
		if closeStatus(err) != 4429 {
			t.Fatalf("third connection: %+v %v, want 4429", m, err)
		}
		// The two running subscriptions still deliver, once each.
		describe(t, alice, org.ID, "still there")
		seen := map[string]int{}
		for range 2 {
			m, err := sub.read()
			if err != nil || m.Type != "next" {
				t.Fatalf("%+v %v", m, err)
			}
			seen[m.ID]++
		}
		if seen["1"] != 1 || seen["2"] != 1 {
			t.Fatalf("deliveries per subscription: %v", seen)
		}
	})
}

// The legacy subscriptions-transport-ws protocol works too.
func TestLegacyProtocol(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		sub := mustConnect(t, serve(t, e), "graphql-ws", alice.Authorization())
		sub.subscribe("1", eventsSub, map[string]any{"org": org.ID, "after": newestCursor(t, alice, org.ID)})
		describe(t, alice, org.ID, "legacy")
		if ev := nextEvent(t, sub); ev.description() != "legacy" {
			t.Fatalf("%+v", ev)
		}
	})
}

// Server-Sent Events: POST (graphql-sse's distinct connections) and GET;
// without a credential, 401 and nothing runs.
func TestServerSentEvents(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		base := serve(t, e)
		open := func(method, authorization string) *sseStream {
			t.Helper()
			vars := mustJSON(map[string]any{"org": org.ID, "after": newestCursor(t, alice, org.ID)})
			var req *http.Request
			if method == http.MethodGet {
				req, _ = http.NewRequest(method, base+"/graphql?query="+urlEscape(eventsSub)+"&variables="+urlEscape(string(vars)), nil)
			} else {
				body := mustJSON(map[string]any{"query": eventsSub, "variables": json.RawMessage(vars)})
				req, _ = http.NewRequest(method, base+"/graphql", strings.NewReader(string(body)))
				req.Header.Set("Content-Type", "application/json")
			}
			req.Header.Set("Accept", "text/event-stream")
			// A browser's GET must show it is no cross-site request (docs/security.md S5).
			req.Header.Set("GraphQL-Require-Preflight", "1")
			if authorization != "" {
				req.Header.Set("Authorization", authorization)
			}
			ctx, cancel := context.WithTimeout(context.Background(), guard)
			t.Cleanup(cancel)
			resp, err := http.DefaultClient.Do(req.WithContext(ctx))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { resp.Body.Close() })
			return &sseStream{resp: resp, r: newReader(resp)}
		}
		for _, method := range []string{http.MethodPost, http.MethodGet} {
			if s := open(method, ""); s.resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("%s without a credential: %d", method, s.resp.StatusCode)
			}
			s := open(method, alice.Authorization())
			if ct := s.resp.Header.Get("Content-Type"); s.resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/event-stream") {
				t.Fatalf("%s: %d %s", method, s.resp.StatusCode, ct)
			}
			describe(t, alice, org.ID, "sse "+method)
			ev, err := s.next()
			if err != nil || ev.Event != "next" || !strings.Contains(ev.Data, `"sse `+method+`"`) {
				t.Fatalf("%s: %+v %v", method, ev, err)
			}
		}
	})
}

// switchOrganization by one client reaches the user's other clients, on
// another instance; leaving the current organization moves them on, and
// that is pushed too.
func TestSwitchingIsSeenByTheUsersOtherClients(t *testing.T) {
	for _, b := range testkit.Backends(t) {
		t.Run(string(b), func(t *testing.T) {
			a, other := testkit.New(t, b, nil), testkit.New(t, b, nil)
			alice, bob := a.SignIn(t, "alice"), a.SignIn(t, "bob")
			first, second := alice.CreateOrg(t), alice.CreateOrg(t)
			bobs := bob.CreateOrg(t)
			a.AddMember(t, bobs, alice, rbac.Admin)
			base := serve(t, other)
			const doc = `subscription { currentOrganizationChanged { id } }`
			current := func(sub *wsClient) string {
				t.Helper()
				r, err := sub.next()
				if err != nil || len(r.Errors) > 0 || r.Complete {
					t.Fatalf("%+v %v", r, err)
				}
				var out struct{ CurrentOrganizationChanged *struct{ ID string } }
				if err := json.Unmarshal(r.Data, &out); err != nil {
					t.Fatal(err)
				}
				if out.CurrentOrganizationChanged == nil {
					return ""
				}
				return out.CurrentOrganizationChanged.ID
			}
			sub := mustConnect(t, base, "graphql-transport-ws", alice.Authorization())
			sub.subscribe("1", doc, nil)
			bobSub := mustConnect(t, base, "graphql-transport-ws", bob.Authorization())
			bobSub.subscribe("1", doc, nil)
			if got := current(sub); got != first.ID {
				t.Fatalf("at start: %s, want %s", got, first.ID)
			}
			if got := current(bobSub); got != bobs.ID {
				t.Fatalf("bob at start: %s", got)
			}
			for _, to := range []string{second.ID, bobs.ID} {
				alice.Do(t, `mutation($id: ID!) { switchOrganization(id: $id) { id } }`, map[string]any{"id": to}).OK(t, nil)
				if got := current(sub); got != to {
					t.Fatalf("after switching: %s, want %s", got, to)
				}
			}
			alice.Do(t, `mutation($id: ID!) { leaveOrganization(organizationID: $id) }`, map[string]any{"id": bobs.ID}).OK(t, nil)
			moved := current(sub)
			if moved != first.ID && moved != second.ID {
				t.Fatalf("after leaving: %q", moved)
			}
			back := first.ID
			if moved == first.ID {
				back = second.ID
			}
			// Bob saw none of it: his current organization did not change.
			bob.Do(t, `mutation($id: ID!) { switchOrganization(id: $id) { id } }`, map[string]any{"id": bobs.ID}).OK(t, nil)
			describe(t, bob, bobs.ID, "x")
			alice.Do(t, `mutation($id: ID!) { switchOrganization(id: $id) { id } }`, map[string]any{"id": back}).OK(t, nil)
			if got := current(sub); got != back {
				t.Fatalf("after switching back: %s", got)
			}
			bobSub.subscribe("2", doc, nil)
			if m, err := bobSub.read(); err != nil || m.ID != "2" {
				t.Fatalf("bob's next message is not his new subscription's: %+v %v", m, err)
			}
		})
	}
}

func urlEscape(s string) string { return url.QueryEscape(s) }

func newReader(resp *http.Response) *bufio.Reader { return bufio.NewReader(resp.Body) }

// A subscriber that does not take its events within the send timeout is cut
// off, and nobody waits for it.
func TestSlowSubscriberIsCutOff(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		ctx, same := asCaller(t, e, alice)
		ended := make(chan error, 1)
		// From the start of the log: the organization's creation is there to send, and nobody reads.
		out, err := e.Server.Live.Events(ctx, org.ID, nil, 0, same, live.Limits{SendTimeout: time.Millisecond, Recheck: time.Hour},
			func(err error) { ended <- err })
		if err != nil {
			t.Fatal(err)
		}
		if err := <-ended; !errors.Is(err, live.ErrSlow) {
			t.Fatalf("ended with %v, want ErrSlow", err)
		}
		if _, open := <-out; open {
			t.Fatal("the stream is still open")
		}
		// Counted before the stream closed (a call without a transport is "other").
		expectMetrics(t, scrape(t, e), map[string]float64{
			`orgql_subscriptions_ended_total{field="organizationEvents",reason="dropped",transport="other"}`: 1,
			`orgql_subscriptions_active{field="organizationEvents",transport="other"}`:                       0,
		})
	})
}

// At shutdown, WebSockets close with 1001 (going away) and event streams end.
func TestShutdownEndsStreams(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		base := serve(t, e)
		sub := mustConnect(t, base, "graphql-transport-ws", alice.Authorization())
		sub.subscribe("1", eventsSub, map[string]any{"org": org.ID, "after": newestCursor(t, alice, org.ID)})
		describe(t, alice, org.ID, "before")
		nextEvent(t, sub)

		body := mustJSON(map[string]any{"query": eventsSub, "variables": map[string]any{"org": org.ID, "after": newestCursor(t, alice, org.ID)}})
		req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "text/event-stream")
		req.Header.Set("Authorization", alice.Authorization())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		stream := &sseStream{resp: resp, r: bufio.NewReader(resp.Body)}
		describe(t, alice, org.ID, "streamed")
		if ev, err := stream.next(); err != nil || ev.Event != "next" {
			t.Fatalf("%+v %v", ev, err)
		}

		e.Server.EndStreams()
		m, err := sub.read()
		for err == nil && m.ID == "1" && (m.Type == "next" || m.Type == "complete") {
			m, err = sub.read()
		}
		if closeStatus(err) != 1001 {
			t.Fatalf("WebSocket: %+v %v, want close 1001", m, err)
		}
		if ev, err := stream.next(); err != nil || ev.Event != "complete" {
			t.Fatalf("event stream: %+v %v, want complete", ev, err)
		}
	})
}

// asCaller is a context of client's caller and a session that keeps its
// credential, for calling the hub without a transport.
func asCaller(t *testing.T, e *testkit.Env, client *testkit.Client) (context.Context, *live.Session) {
	t.Helper()
	c, err := e.Server.Auth.Authenticate(context.Background(), client.Authorization())
	if err != nil {
		t.Fatal(err)
	}
	same := &live.Session{Key: client.Authorization(), Reauthenticate: func(ctx context.Context) (context.Context, error) { return ctx, nil }}
	return viewer.NewContext(context.Background(), c), same
}
