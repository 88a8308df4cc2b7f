package live_test

import (
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

// statements is how many SQL statements e has run so far.
func statements(t *testing.T, e *testkit.Env) float64 {
	t.Helper()
	n := 0.0
	for k, v := range scrape(t, e) {
		if strings.HasPrefix(k, "orgql_sql_statements_total{") {
			n += v
		}
	}
	return n
}

// The subscriptions of one credential share the check of its access: what
// one event costs in statements does not grow with the number of the
// caller's subscriptions. Each caller still reads only what their own role
// may: a DEVOPS member following the same organization gets the
// description's change but not the billing information's (MANAGE_BILLING),
// which its owner gets.
func TestSubscribersOfOneCredentialShareTheirChecks(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		dave := e.SignIn(t, "dave")
		e.AddMember(t, org, dave, rbac.DevOps)
		base := serve(t, e)
		var after string

		// cost is what one change costs in statements with n subscriptions of
		// alice (over n/5 connections) and one of dave, each delivered.
		var subs []*wsClient
		var daves *wsClient
		cost := func(n int, text string) float64 {
			t.Helper()
			after = newestCursor(t, alice, org.ID)
			for len(subs) < n {
				c := mustConnect(t, base, "graphql-transport-ws", alice.Authorization())
				for i := 0; i < 5 && len(subs) < n; i++ {
					c.subscribe(string(rune('a'+i)), eventsSub, map[string]any{"org": org.ID, "after": after})
					subs = append(subs, c)
				}
			}
			if daves == nil {
				daves = mustConnect(t, base, "graphql-transport-ws", dave.Authorization())
				daves.subscribe("1", eventsSub, map[string]any{"org": org.ID, "after": after})
			}
			// Every subscription has started (its own statements are not the change's).
			for deadline := time.Now().Add(10 * time.Second); scrape(t, e)[`orgql_subscriptions_active{field="organizationEvents",transport="websocket"}`] != float64(n+1); {
				if time.Now().After(deadline) {
					t.Fatal("the subscriptions did not start")
				}
				time.Sleep(5 * time.Millisecond)
			}
			before := statements(t, e)
			describe(t, alice, org.ID, text)
			// Each connection carries up to five subscriptions: read one
			// event per subscription.
			for _, c := range subs {
				if ev := nextEvent(t, c); ev.description() != text {
					t.Fatalf("got %+v, want the description %q", ev, text)
				}
			}
			if ev := nextEvent(t, daves); ev.description() != text {
				t.Fatalf("dave got %+v, want the description %q", ev, text)
			}
			return statements(t, e) - before
		}
		one := cost(1, "one")
		many := cost(20, "twenty")
		// The mutation's own statements, the hub's read, and one check per
		// credential: the same for 1 and for 20 subscriptions, give or take
		// a read of a subscriber catching up.
		t.Logf("statements per change: %v with 1 subscription, %v with 20", one, many)
		if many > one+2 {
			t.Errorf("one change costs %v statements with 1 subscription of alice, %v with 20: checks are not shared", one, many)
		}

		alice.Do(t, `mutation($org: ID!, $input: BillingInfoInput!) { updateBillingInfo(organizationID: $org, input: $input) { company } }`,
			map[string]any{"org": org.ID, "input": map[string]any{"firstName": "Ada", "lastName": "Lovelace", "email": "billing@example.com",
				"address": "1 rue de Rivoli", "city": "Paris", "zip": "75001", "countryCode": "FR", "company": "Acme SAS"}}).OK(t, nil)
		describe(t, alice, org.ID, "after billing")
		if ev := nextEvent(t, subs[0]); ev.TargetType != "BILLING_INFO" || ev.Organization == nil || ev.Organization.ID != org.ID {
			t.Fatalf("the owner got %+v, want the billing information's event", ev)
		}
		if ev := nextEvent(t, daves); ev.description() != "after billing" {
			t.Fatalf("dave got %+v, want only the description's change", ev)
		}
	})
}
