package server_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/testkit"
)

const loadedList = `{ viewer { organizations(first: 50) { edges { node { id name
	members(first: 20) { edges { node { role { name } user { login } } } } } } } } }`

// A list whose elements select only values loaded with it (the console's
// organizations, their members, roles and users) is marshalled without a
// goroutine per element: what a request starts does not grow with the list.
// Another user's organizations are not in it.
func TestListsOfLoadedValuesStartNoGoroutinePerElement(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		other := e.SignIn(t, "other").CreateOrg(t)
		// started is the fewest goroutines one request of loadedList started
		// (other tests' goroutines only add), and the organizations answered.
		started := func(c *testkit.Client) (uint64, int) {
			least := ^uint64(0)
			var out struct {
				Viewer struct {
					Organizations struct {
						Edges []struct {
							Node struct {
								ID      string
								Members struct{ Edges []struct{} }
							}
						}
					}
				}
			}
			for range 3 {
				before := testkit.GoroutinesCreated()
				c.Do(t, loadedList, nil).OK(t, &out)
				least = min(least, testkit.GoroutinesCreated()-before)
			}
			for _, o := range out.Viewer.Organizations.Edges {
				if o.Node.ID == other.ID {
					t.Fatal("another user's organization is in the list")
				}
			}
			return least, len(out.Viewer.Organizations.Edges)
		}
		withOrgs := func(login string, orgs, members int) *testkit.Client {
			c := e.SignIn(t, login)
			for o := range orgs {
				org := c.CreateOrg(t)
				for m := range members - 1 {
					e.AddMember(t, org, e.SignIn(t, fmt.Sprintf("%s-%d-%d", login, o, m)), rbac.Viewer)
				}
			}
			return c
		}
		few, n := started(withOrgs("few", 1, 2))
		if n != 1 {
			t.Fatalf("%d organizations, want 1", n)
		}
		many, n := started(withOrgs("many", 12, 4))
		if n != 12 {
			t.Fatalf("%d organizations, want 12", n)
		}
		// Before, each of the 12 organizations and 48 members started one.
		if many > few+5 {
			t.Fatalf("a request of 12 organizations of 4 members started %d goroutines, of 1 organization %d", many, few)
		}
	})
}

// barrier holds each caller until n have arrived, or fails t after a while:
// n fields resolved one after the other never all arrive.
type barrier struct {
	mu      sync.Mutex
	arrived int
	n       int
	all     chan struct{}
}

func newBarrier(n int) *barrier { return &barrier{n: n, all: make(chan struct{})} }

func (b *barrier) wait(t *testing.T) {
	b.mu.Lock()
	b.arrived++
	if b.arrived == b.n {
		close(b.all)
	}
	b.mu.Unlock()
	select {
	case <-b.all:
	case <-time.After(5 * time.Second):
		t.Errorf("%d of %d fields resolved side by side: the others waited for them", b.arrived, b.n)
	}
}

// A field with a resolver of its own (Organization.plan here) still
// resolves side by side across a list's elements, wherever the document
// selects it below the list: directly, under an object, through a named or
// an inline fragment, or in a list of an interface.
func TestListsWhoseElementsResolveFieldsStayConcurrent(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		orgs := []testkit.Org{alice.CreateOrg(t), alice.CreateOrg(t), alice.CreateOrg(t)}
		for _, m := range []string{"m1", "m2"} {
			e.AddMember(t, orgs[0], e.SignIn(t, m), rbac.Viewer)
		}
		var current *barrier
		var mu sync.Mutex
		replaceServer(t, e, server.Options{AroundFields: func(ctx context.Context, next graphql.Resolver) (any, error) {
			if fc := graphql.GetFieldContext(ctx); fc.Object == "Organization" && fc.Field.Name == "plan" {
				mu.Lock()
				b := current
				mu.Unlock()
				b.wait(t)
			}
			return next(ctx)
		}})
		for _, c := range []struct {
			name, doc string
			vars      map[string]any
		}{
			{"in the elements", `{ viewer { organizations(first: 3) { edges { node { plan { code } } } } } }`, nil},
			{"through a named fragment", `{ viewer { organizations(first: 3) { edges { ...E } } } }
				fragment E on OrganizationEdge { node { id plan { code } } }`, nil},
			{"through an inline fragment of an interface", `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Organization { plan { code } } } }`,
				map[string]any{"ids": []string{orgs[0].ID, orgs[1].ID, orgs[2].ID}}},
			{"under an object of each element", `query($id: ID!) { organization(id: $id) {
				members(first: 3) { edges { node { organization { plan { code } } } } } } }`, map[string]any{"id": orgs[0].ID}},
		} {
			t.Run(c.name, func(t *testing.T) {
				mu.Lock()
				current = newBarrier(3)
				mu.Unlock()
				alice.Do(t, c.doc, c.vars).OK(t, nil)
			})
		}
	})
}
