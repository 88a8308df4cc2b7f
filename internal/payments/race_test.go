package payments_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/orgql/orgql/ent/billingaccount"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/testkit"
)

// outcome sends a GraphQL document through the handler as c and returns
// "OK" or the first error's code; it runs on goroutines of its own.
func outcome(e *testkit.Env, c *testkit.Client, query string, vars map[string]any) string {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.Token)
	rec := e.Serve(req)
	var res struct{ Errors []testkit.Error }
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		return fmt.Sprintf("HTTP %d %s", rec.Code, rec.Body)
	}
	if len(res.Errors) > 0 {
		return res.Errors[0].Code()
	}
	return "OK"
}

// raceChangePlan sends two changePlan(TEAM) at once, round after round, and
// checks each organization ends with one subscription, one plan change.
func raceChangePlan(t *testing.T, e *testkit.Env, rounds int) {
	alice := e.SignIn(t, "alice")
	for range rounds {
		org := alice.CreateOrg(t)
		addCard(t, alice, org, "tok_visa")
		var wg sync.WaitGroup
		results := make([]string, 2)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = outcome(e, alice, changePlanDoc, map[string]any{"org": org.ID, "plan": "TEAM"})
			}()
		}
		wg.Wait()
		for _, r := range results {
			if r != "OK" && r != "CONFLICT" {
				t.Fatalf("a racing changePlan answered %s", r)
			}
		}
		acct, err := e.DB.Client.BillingAccount.Query().Where(billingaccount.OrganizationID(org.ID)).Only(testkit.System(context.Background()))
		if err != nil {
			t.Fatal(err)
		}
		if acct.SubscriptionGeneration != 1 || acct.SubscriptionID == "" {
			t.Fatalf("after two racing changes: %d subscriptions, current %q", acct.SubscriptionGeneration, acct.SubscriptionID)
		}
		n := 0
		for _, ev := range events(t, e, org.ID, organizationevent.TargetTypeORGANIZATION) {
			if ev.Type == "PLAN_CHANGE" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d plan changes recorded", n)
		}
	}
}

func TestConcurrentChangePlanLeavesOneSubscription(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) { raceChangePlan(t, e, 5) })
}
