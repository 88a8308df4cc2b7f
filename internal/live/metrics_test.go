package live_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

// scrape reads e's /metrics into name{labels} -> value.
func scrape(t *testing.T, e *testkit.Env) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	e.Server.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// settledMetrics scrapes e until it shows want (at most guard): a value
// is counted as delivered once the transport took it, which the client
// may see first.
func settledMetrics(t *testing.T, e *testkit.Env, want map[string]float64) map[string]float64 {
	t.Helper()
	m := scrape(t, e)
	for deadline := time.Now().Add(guard); time.Now().Before(deadline); m = scrape(t, e) {
		matches := true
		for k, v := range want {
			matches = matches && m[k] == v
		}
		if matches {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	return m
}

func expectMetrics(t *testing.T, m map[string]float64, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
}

// Subscriptions are counted by transport and field while they run; every
// event handed to them is counted, with its lag since its commit; and
// when they end, why: access lost, or completed by the client.
func TestSubscriptionMetrics(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		const n = 3
		const (
			activeWS     = `orgql_subscriptions_active{field="organizationEvents",transport="websocket"}`
			activeSSE    = `orgql_subscriptions_active{field="organizationEvents",transport="sse"}`
			deliveredWS  = `orgql_subscription_events_delivered_total{field="organizationEvents",transport="websocket"}`
			deliveredSSE = `orgql_subscription_events_delivered_total{field="organizationEvents",transport="sse"}`
			lagCount     = `orgql_subscription_event_lag_seconds_count`
			lostWS       = `orgql_subscriptions_ended_total{field="organizationEvents",reason="access_lost",transport="websocket"}`
			lostSSE      = `orgql_subscriptions_ended_total{field="organizationEvents",reason="access_lost",transport="sse"}`
			completedWS  = `orgql_subscriptions_ended_total{field="organizationEvents",reason="completed",transport="websocket"}`
		)
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		bob := e.SignIn(t, "bob")
		e.AddMember(t, org, bob, rbac.Admin)
		base := serve(t, e)
		vars := map[string]any{"org": org.ID, "after": newestCursor(t, alice, org.ID)}

		ws := mustConnect(t, base, "graphql-transport-ws", bob.Authorization())
		ws.subscribe("1", eventsSub, vars)
		req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(string(mustJSON(map[string]any{"query": eventsSub, "variables": vars}))))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "text/event-stream")
		req.Header.Set("Authorization", bob.Authorization())
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		resp, err := http.DefaultClient.Do(req.WithContext(ctx))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		sse := &sseStream{resp: resp, r: bufio.NewReader(resp.Body)}

		// Another organization's events are not delivered to these streams.
		carol := e.SignIn(t, "carol")
		other := carol.CreateOrg(t)
		for i := range n {
			describe(t, carol, other.ID, "elsewhere "+strconv.Itoa(i))
			describe(t, alice, org.ID, "event "+strconv.Itoa(i))
			nextEvent(t, ws)
			if ev, err := sse.next(); err != nil || ev.Event != "next" {
				t.Fatalf("event stream: %+v %v", ev, err)
			}
		}
		want := map[string]float64{activeWS: 1, activeSSE: 1, deliveredWS: n, deliveredSSE: n, lagCount: 2 * n, lostWS: 0, lostSSE: 0}
		expectMetrics(t, settledMetrics(t, e, want), want)

		// Bob removed: both streams end; they are counted before they complete.
		alice.Do(t, `mutation($id: ID!) { removeMember(membershipID: $id) }`, map[string]any{"id": e.MembershipID(t, org, bob)}).OK(t, nil)
		describe(t, alice, org.ID, "after the removal")
		expectEnd(t, ws)
		if ev, err := sse.next(); err != nil || ev.Event != "complete" {
			t.Fatalf("event stream: %+v %v, want complete", ev, err)
		}
		expectMetrics(t, scrape(t, e), map[string]float64{
			activeWS: 0, activeSSE: 0, deliveredWS: n, deliveredSSE: n, lostWS: 1, lostSSE: 1,
		})

		// A subscription the client stops is counted as completed; the
		// server ends it after the client's message, so wait for it.
		mine := mustConnect(t, base, "graphql-transport-ws", alice.Authorization())
		mine.subscribe("1", eventsSub, map[string]any{"org": org.ID, "after": newestCursor(t, alice, org.ID)})
		describe(t, alice, org.ID, "mine")
		nextEvent(t, mine)
		want = map[string]float64{activeWS: 1, deliveredWS: n + 1}
		expectMetrics(t, settledMetrics(t, e, want), want)
		mine.send(message{ID: "1", Type: "complete"})
		m := scrape(t, e)
		for deadline := time.Now().Add(guard); m[completedWS] == 0 && time.Now().Before(deadline); m = scrape(t, e) {
			time.Sleep(10 * time.Millisecond)
		}
		expectMetrics(t, m, map[string]float64{activeWS: 0, completedWS: 1, lostWS: 1})

		// currentOrganizationChanged: its first value is delivered at once.
		cur, err := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(`{"query":"subscription { currentOrganizationChanged { id } }"}`))
		if err != nil {
			t.Fatal(err)
		}
		cur.Header.Set("Content-Type", "application/json")
		cur.Header.Set("Accept", "text/event-stream")
		cur.Header.Set("Authorization", alice.Authorization())
		curResp, err := http.DefaultClient.Do(cur.WithContext(ctx))
		if err != nil {
			t.Fatal(err)
		}
		defer curResp.Body.Close()
		if ev, err := (&sseStream{resp: curResp, r: bufio.NewReader(curResp.Body)}).next(); err != nil || ev.Event != "next" {
			t.Fatalf("currentOrganizationChanged: %+v %v", ev, err)
		}
		want = map[string]float64{
			`orgql_subscriptions_active{field="currentOrganizationChanged",transport="sse"}`:                1,
			`orgql_subscription_events_delivered_total{field="currentOrganizationChanged",transport="sse"}`: 1,
			lagCount: 2*n + 1, // a current organization is no event: no lag
		}
		expectMetrics(t, settledMetrics(t, e, want), want)
	})
}
