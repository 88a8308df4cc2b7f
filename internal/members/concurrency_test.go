package members_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

// call is one request of a race.
type call struct {
	as    *testkit.Client
	query string
	vars  map[string]any
}

// outcome sends c through the handler and returns "OK" or the error code.
// It does not touch t: it runs on goroutines of its own.
func outcome(e *testkit.Env, c call) string {
	body, err := json.Marshal(map[string]any{"query": c.query, "variables": c.vars})
	if err != nil {
		return err.Error()
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.as.Token)
	var res struct{ Errors []testkit.Error }
	rec := e.Serve(req)
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		return fmt.Sprintf("HTTP %d %s", rec.Code, rec.Body)
	}
	if len(res.Errors) > 0 {
		return res.Errors[0].Code()
	}
	return "OK"
}

// TestOwnerChangesRace races two owner changes at once on the same
// organization, round after round, and checks each organization ends with
// exactly one owner that Organization.owner_id names.
func TestOwnerChangesRace(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice, bob, carol := e.SignIn(t, "alice"), e.SignIn(t, "bob"), e.SignIn(t, "carol")
		type scenario struct {
			name  string
			calls func(org testkit.Org) [2]call
			// bothRefused: neither call may succeed, whichever goes first.
			bothRefused bool
		}
		transfer := func(as *testkit.Client, org testkit.Org, to *testkit.Client) call {
			return call{as, transferDoc, vars("org", org.ID, "m", e.MembershipID(t, org, to))}
		}
		scenarios := []scenario{
			{"two transfers", func(org testkit.Org) [2]call {
				return [2]call{transfer(alice, org, bob), transfer(alice, org, carol)}
			}, false},
			{"transfer and removal of the new owner", func(org testkit.Org) [2]call {
				return [2]call{transfer(alice, org, bob), {carol, removeDoc, vars("m", e.MembershipID(t, org, bob))}}
			}, false},
			{"transfer and demotion of the old owner", func(org testkit.Org) [2]call {
				return [2]call{transfer(alice, org, bob),
					{bob, updateRoleDoc, vars("m", e.MembershipID(t, org, alice), "r", e.RoleID(t, org, rbac.Viewer))}}
			}, false},
			{"transfer and a transfer by the new owner", func(org testkit.Org) [2]call {
				return [2]call{transfer(alice, org, bob), transfer(bob, org, carol)}
			}, false},
			{"transfer and the old owner leaving", func(org testkit.Org) [2]call {
				return [2]call{transfer(alice, org, bob), {alice, leaveDoc, vars("org", org.ID)}}
			}, false},
			{"removal of the owner and promotion to owner", func(org testkit.Org) [2]call {
				return [2]call{{bob, removeDoc, vars("m", e.MembershipID(t, org, alice))},
					{carol, updateRoleDoc, vars("m", e.MembershipID(t, org, carol), "r", e.RoleID(t, org, rbac.Owner))}}
			}, true},
		}
		allowed := map[string]bool{"OK": true, "FORBIDDEN": true, "LAST_OWNER": true, "NOT_FOUND": true}
		const rounds = 8
		for round := range rounds {
			orgs := make([]testkit.Org, len(scenarios))
			pairs := make([][2]call, len(scenarios))
			for i, s := range scenarios {
				orgs[i] = alice.CreateOrgOnPlan(t, "TEAM")
				e.AddMember(t, orgs[i], bob, rbac.Admin)
				e.AddMember(t, orgs[i], carol, rbac.Admin)
				pairs[i] = s.calls(orgs[i])
			}
			results := make([][2]string, len(scenarios))
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range pairs {
				for j := range 2 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						results[i][j] = outcome(e, pairs[i][j])
					}()
				}
			}
			close(start)
			wg.Wait()
			for i, s := range scenarios {
				r := results[i]
				succeeded := r[0] == "OK" || r[1] == "OK"
				if !allowed[r[0]] || !allowed[r[1]] || succeeded == s.bothRefused {
					t.Fatalf("round %d, %s: outcomes %v", round, s.name, r)
				}
				assertOneOwner(t, e.DB.Client, orgs[i].ID)
			}
		}
	})
}
