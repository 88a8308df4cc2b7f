package orgs_test

import (
	"testing"

	"github.com/orgql/orgql/internal/testkit"
)

// Organization names are unique by look: a name in other case, with
// homoglyphs of another script, fullwidth forms, digits for letters or
// invisible characters is the same name, for everyone.
func TestOrganizationNamesThatLookAlikeConflict(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		name := testkit.Unique("Acme Rockets")
		var created struct{ CreateOrganization struct{ ID string } }
		alice.Do(t, createOrg, map[string]any{"input": map[string]any{"name": name}}).OK(t, &created)

		bob := e.SignIn(t, "bob")
		bobOrg := bob.CreateOrg(t)
		for kind, lookAlike := range testkit.LookAlikes(name) {
			if r := bob.Do(t, createOrg, map[string]any{"input": map[string]any{"name": lookAlike}}); len(r.Errors) != 1 || r.Errors[0].Code() != "CONFLICT" {
				t.Errorf("create %q (%s): %s", lookAlike, kind, r.Body)
			}
			if r := bob.Do(t, updateOrg, map[string]any{"id": bobOrg.ID, "input": map[string]any{"name": lookAlike}}); len(r.Errors) != 1 || r.Errors[0].Code() != "CONFLICT" {
				t.Errorf("rename to %q (%s): %s", lookAlike, kind, r.Body)
			}
		}
		if n := orgsNamed(t, e, name); n != 1 {
			t.Fatalf("%d organizations named like %q", n, name)
		}
		if got := getOrg(t, bob, bobOrg.ID).Name; got != bobOrg.Name {
			t.Fatalf("bob's organization was renamed to %q", got)
		}
		if membershipsOf(t, e, bob) != 1 {
			t.Fatal("a refused creation left a membership")
		}

		// Canonically equivalent spellings are one name; a visibly different one is not.
		accented := testkit.Unique("\u00c9quipe")
		alice.Do(t, createOrg, map[string]any{"input": map[string]any{"name": accented}}).OK(t, nil)
		bob.Do(t, createOrg, map[string]any{"input": map[string]any{"name": "E\u0301" + accented[len("\u00c9"):]}}).Err(t, "CONFLICT")
		bob.Do(t, createOrg, map[string]any{"input": map[string]any{"name": "E" + accented[len("\u00c9"):]}}).OK(t, nil)

		// Bob still cannot touch alice's organization.
		bob.Do(t, updateOrg, map[string]any{"id": created.CreateOrganization.ID, "input": map[string]any{"name": "Mine"}}).Err(t, "NOT_FOUND")
	})
}
