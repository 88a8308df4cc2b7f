package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/testkit"
)

const admissionUpdate = `mutation($org: ID!, $d: String!) { updateOrganization(id: $org, input: {description: $d}) { description } }`

// waitFor polls the metrics until name reads want (an operation's state,
// not a duration: the deadline only ends a test that went wrong).
func waitFor(t *testing.T, e *testkit.Env, name string, want float64) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if scrape(t, e.Server)[name] == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never read %v: %v", name, want, scrape(t, e.Server)[name])
		}
	}
}

// With --max-cost-in-flight reached, the next query or mutation waits,
// runs nothing meanwhile, and runs once there is room; the wait is visible
// in the metrics. A bound of 1 makes every operation fill it.
func TestOperationsBeyondTheCostInFlightWaitTheirTurn(t *testing.T) {
	for _, b := range testkit.Backends(t) {
		t.Run(string(b), func(t *testing.T) {
			e := testkit.New(t, b, func(c *config.Config) { c.MaxCostInFlight = 1 })
			alice, bob := e.SignIn(t, "alice"), e.SignIn(t, "bob")
			org, other := alice.CreateOrg(t), bob.CreateOrg(t)
			entered, release := make(chan struct{}), make(chan struct{})
			replaceServer(t, e, server.Options{AroundFields: blockingPlans(entered, release)})

			first := make(chan *testkit.Response, 1)
			go func() { first <- alice.Do(t, `{ plans { code } }`, nil) }()
			<-entered // the plans query executes, and fills the bound
			second := make(chan *testkit.Response, 1)
			go func() { second <- alice.Do(t, admissionUpdate, map[string]any{"org": org.ID, "d": "after its turn"}) }()
			waitFor(t, e, "orgql_graphql_operations_waiting", 1)
			if m := scrape(t, e.Server); m["orgql_graphql_cost_in_flight"] != 1 {
				t.Fatalf("cost in flight %v, want 1", m["orgql_graphql_cost_in_flight"])
			}
			if got := dbDescription(t, e, org.ID); got != "" {
				t.Fatalf("the waiting mutation ran: description %q", got)
			}

			close(release)
			(<-first).OK(t, nil)
			var out struct{ UpdateOrganization struct{ Description string } }
			(<-second).OK(t, &out)
			if out.UpdateOrganization.Description != "after its turn" || dbDescription(t, e, org.ID) != "after its turn" {
				t.Fatalf("after its turn: %+v, stored %q", out, dbDescription(t, e, org.ID))
			}
			if got := dbDescription(t, e, other.ID); got != "" {
				t.Fatalf("another organization changed: %q", got)
			}
			waitFor(t, e, "orgql_graphql_operations_waiting", 0)
			waitFor(t, e, "orgql_graphql_cost_in_flight", 0)
		})
	}
}

// An operation whose deadline passes while it waits answers that it timed
// out, and changes nothing.
func TestAnOperationThatWaitsPastItsDeadlineChangesNothing(t *testing.T) {
	for _, b := range testkit.Backends(t) {
		t.Run(string(b), func(t *testing.T) {
			e := testkit.New(t, b, func(c *config.Config) { c.MaxCostInFlight = 1; c.OperationTimeout = time.Second })
			alice := e.SignIn(t, "alice")
			org := alice.CreateOrg(t)
			entered, release := make(chan struct{}), make(chan struct{})
			replaceServer(t, e, server.Options{AroundFields: blockingPlans(entered, release)})

			first := make(chan *testkit.Response, 1)
			go func() { first <- alice.Do(t, `{ plans { code } }`, nil) }()
			<-entered
			r := alice.Do(t, admissionUpdate, map[string]any{"org": org.ID, "d": "too late"})
			if r.Err(t, "INTERNAL_SERVER_ERROR").Message != "the operation timed out" {
				t.Fatalf("want a timeout, got %s", r.Body)
			}
			close(release)
			<-first
			if got := dbDescription(t, e, org.ID); got != "" {
				t.Fatalf("the timed-out mutation was written: %q", got)
			}
			waitFor(t, e, "orgql_graphql_operations_waiting", 0)
		})
	}
}

func dbDescription(t *testing.T, e *testkit.Env, id string) string {
	t.Helper()
	o, err := e.DB.Client.Organization.Get(testkit.System(context.Background()), id)
	if err != nil {
		t.Fatal(err)
	}
	return o.Description
}
