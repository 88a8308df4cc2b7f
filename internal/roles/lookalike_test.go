package roles_test

import (
	"testing"

	"github.com/orgql/orgql/internal/testkit"
)

// A custom role may not take a name that looks like a built-in role's:
// homoglyphs, other cases, fullwidth forms, digits for letters and
// invisible characters are refused like the name itself.
func TestCustomRoleNamesThatLookReservedAreRefused(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		existing := createRole(t, alice, org, map[string]any{"name": "Deployers"})
		reserved := []string{"OWNER", "Owner", "ADMIN", "Admin", "DEVOPS", "DevOps", "BILLING", "Billing Manager", "VIEWER", "Viewer"}
		for _, name := range reserved {
			for kind, lookAlike := range testkit.LookAlikes(name) {
				for _, doc := range []struct {
					name string
					run  func() *testkit.Response
				}{
					{"create", func() *testkit.Response {
						return alice.Do(t, createRoleDoc, map[string]any{"org": org.ID, "input": map[string]any{"name": lookAlike}})
					}},
					{"update", func() *testkit.Response {
						return alice.Do(t, updateRoleDoc, map[string]any{"id": existing, "input": map[string]any{"name": lookAlike}})
					}},
				} {
					if f := doc.run().Err(t, "BAD_USER_INPUT").Field(); f != "input.name" {
						t.Errorf("%s %q (%s of %q): field %q", doc.name, lookAlike, kind, name, f)
					}
				}
			}
		}
		for _, lookAlike := range []string{"\u041ewner", "0wner", "Vi\u0435wer", "\uff2f\uff57\uff4e\uff45\uff52", "Ow\u200dner", "Admin\ufe0f"} {
			alice.Do(t, createRoleDoc, map[string]any{"org": org.ID, "input": map[string]any{"name": lookAlike}}).Err(t, "BAD_USER_INPUT")
		}
		// Nothing was written: the organization still has its built-in roles and the one custom role.
		if roles := listRoles(t, alice, org); len(roles) != 6 || roles[5].Name != "Deployers" {
			t.Fatalf("roles after the refusals: %+v", roles)
		}
	})
}

// Custom role names are unique by look within an organization, not across organizations.
func TestCustomRoleNamesThatLookAlikeConflict(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		const name = "Deployers of Acme"
		createRole(t, alice, org, map[string]any{"name": name})
		other := createRole(t, alice, org, map[string]any{"name": "Readers"})
		for kind, lookAlike := range testkit.LookAlikes(name) {
			alice.Do(t, createRoleDoc, map[string]any{"org": org.ID, "input": map[string]any{"name": lookAlike}}).Err(t, "CONFLICT")
			if r := alice.Do(t, updateRoleDoc, map[string]any{"id": other, "input": map[string]any{"name": lookAlike}}); len(r.Errors) != 1 || r.Errors[0].Code() != "CONFLICT" {
				t.Errorf("renaming to %q (%s): %s", lookAlike, kind, r.Body)
			}
		}
		// Canonically equivalent spellings are one name: precomposed and combining accents.
		createRole(t, alice, org, map[string]any{"name": "\u00c9quipe"})
		alice.Do(t, createRoleDoc, map[string]any{"org": org.ID, "input": map[string]any{"name": "E\u0301quipe"}}).Err(t, "CONFLICT")
		// A visibly different name is no conflict.
		createRole(t, alice, org, map[string]any{"name": "Equipe"})
		if n := len(listRoles(t, alice, org)); n != 5+4 {
			t.Fatalf("%d roles, want the 5 built-in and 4 custom ones", n)
		}

		// Another organization may use the look-alikes; its owner cannot rename this organization's role.
		stranger, strangerOrg := outsider(t, e)
		createRole(t, stranger, strangerOrg, map[string]any{"name": "\u0414eployers of Acme"})
		createRole(t, stranger, strangerOrg, map[string]any{"name": "DEPLOYERS OF ACME 2"})
		stranger.Do(t, updateRoleDoc, map[string]any{"id": other, "input": map[string]any{"name": "Mine"}}).Err(t, "NOT_FOUND")
	})
}
