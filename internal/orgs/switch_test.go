package orgs_test

import (
	"bytes"
	"testing"

	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/testkit"
)

func TestSwitchOrganization(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		if got := currentOrg(t, alice); got != "" {
			t.Fatalf("a new user has current organization %q", got)
		}
		a := alice.CreateOrg(t)
		b := alice.CreateOrg(t)
		if got := currentOrg(t, alice); got != a.ID {
			t.Fatalf("current %q, want the first organization %q", got, a.ID)
		}

		var out struct {
			SwitchOrganization struct {
				User                struct{ Login string }
				CurrentOrganization struct{ ID, Name string }
			}
		}
		alice.Do(t, `mutation($id: ID!) { switchOrganization(id: $id) { user { login } currentOrganization { id name } } }`,
			map[string]any{"id": b.ID}).OK(t, &out)
		if out.SwitchOrganization.CurrentOrganization.ID != b.ID || out.SwitchOrganization.User.Login != alice.Login {
			t.Fatalf("switch answered %+v", out.SwitchOrganization)
		}
		if got := currentOrg(t, alice); got != b.ID {
			t.Fatalf("current %q after the switch, want %q", got, b.ID)
		}

		// Another user's organization answers like an unknown ID, and nothing changes.
		bob := e.SignIn(t, "bob")
		bobs := bob.CreateOrg(t)
		const switchDoc = `mutation($id: ID!) { switchOrganization(id: $id) { currentOrganization { id } } }`
		theirs := alice.Do(t, switchDoc, map[string]any{"id": bobs.ID})
		random := alice.Do(t, switchDoc, map[string]any{"id": id.New(id.Organization)})
		theirs.Err(t, "NOT_FOUND")
		if !bytes.Equal(theirs.Body, random.Body) {
			t.Fatalf("another organization: %s\nrandom id: %s", theirs.Body, random.Body)
		}
		if got := currentOrg(t, alice); got != b.ID {
			t.Fatalf("a refused switch moved alice to %q", got)
		}
		// Alice's switches are hers only.
		if got := currentOrg(t, bob); got != bobs.ID {
			t.Fatalf("bob's current organization became %q", got)
		}
		if u := dbUser(t, e, alice); u.CurrentOrganizationID == nil || *u.CurrentOrganizationID != b.ID {
			t.Fatalf("stored current organization: %v", u.CurrentOrganizationID)
		}
	})
}
