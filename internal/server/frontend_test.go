package server_test

import (
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/testkit"
)

// What a normalized client cache (Apollo Client's InMemoryCache, with no
// type policies) rests on: the viewer has a stable id, the caller's own, in
// every query and in switchOrganization's payload, so a switch made by one
// mutation updates the cached viewer.currentOrganization without a refetch.
func TestViewerHasTheCallersStableID(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		first := alice.CreateOrg(t)
		second := alice.CreateOrg(t)
		var q struct {
			Viewer struct {
				ID   string
				User struct{ ID string }
			}
		}
		alice.Do(t, `{ viewer { id user { id } } }`, nil).OK(t, &q)
		if q.Viewer.ID == "" || q.Viewer.ID != q.Viewer.User.ID {
			t.Fatalf("viewer id %q, user id %q: want the user's id", q.Viewer.ID, q.Viewer.User.ID)
		}
		for _, org := range []testkit.Org{second, first} {
			var m struct {
				SwitchOrganization struct {
					ID                  string
					CurrentOrganization struct{ ID string }
				}
			}
			alice.Do(t, `mutation($id: ID!) { switchOrganization(id: $id) { id currentOrganization { id } } }`,
				map[string]any{"id": org.ID}).OK(t, &m)
			if m.SwitchOrganization.ID != q.Viewer.ID || m.SwitchOrganization.CurrentOrganization.ID != org.ID {
				t.Fatalf("switch payload %+v, want viewer %s with current %s", m.SwitchOrganization, q.Viewer.ID, org.ID)
			}
		}
		// Another caller's viewer is another object.
		var b struct{ Viewer struct{ ID string } }
		e.SignIn(t, "bob").Do(t, `{ viewer { id } }`, nil).OK(t, &b)
		if b.Viewer.ID == q.Viewer.ID || b.Viewer.ID == "" {
			t.Fatalf("bob's viewer id %q, alice's %q", b.Viewer.ID, q.Viewer.ID)
		}
	})
}

// @defer is not served: no transport here sends the deferred parts, so the
// directive is neither advertised nor accepted (a client that cannot get
// what it deferred must not be told it will).
func TestDeferIsNeitherAdvertisedNorAccepted(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		r := alice.Do(t, `{ viewer { id ... @defer { user { login } } } }`, nil)
		r.Err(t, "GRAPHQL_VALIDATION_FAILED")
		if strings.Contains(string(r.Body), "hasNext") {
			t.Fatalf("a deferred response was started: %s", r.Body)
		}
		var intro struct {
			Schema struct{ Directives []struct{ Name string } } `json:"__schema"`
		}
		alice.Do(t, `{ __schema { directives { name } } }`, nil).OK(t, &intro)
		if len(intro.Schema.Directives) == 0 {
			t.Fatal("introspection listed no directives")
		}
		for _, d := range intro.Schema.Directives {
			if d.Name == "defer" || strings.HasPrefix(d.Name, "go") {
				t.Errorf("introspection advertises @%s", d.Name)
			}
		}
	})
}
