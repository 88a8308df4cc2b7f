package orgs_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

const updateOrg = `mutation($id: ID!, $input: UpdateOrganizationInput!) { updateOrganization(id: $id, input: $input) { ` + orgFields + ` } }`

func update(t *testing.T, c *testkit.Client, orgID string, input map[string]any) orgOut {
	t.Helper()
	var out struct{ UpdateOrganization orgOut }
	c.Do(t, updateOrg, map[string]any{"id": orgID, "input": input}).OK(t, &out)
	return out.UpdateOrganization
}

func TestUpdateOrganizationGeneralInformation(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		other := alice.CreateOrg(t)
		otherBefore := getOrg(t, alice, other.ID)

		// Each field alone; the others stay as they were.
		newName := testkit.Unique("Renamed")
		steps := []struct {
			input map[string]any
			check func(o orgOut) bool
		}{
			{map[string]any{"name": newName}, func(o orgOut) bool { return o.Name == newName }},
			{map[string]any{"description": "Rockets"}, func(o orgOut) bool { return o.Description == "Rockets" }},
			{map[string]any{"websiteURL": "http://acme.dev"}, func(o orgOut) bool { return o.WebsiteURL == "http://acme.dev" }},
			{map[string]any{"adminContactEmails": []string{"Ops@Acme.dev", "cto@acme.dev"}}, func(o orgOut) bool {
				return strings.Join(o.AdminContactEmails, ",") == "ops@acme.dev,cto@acme.dev"
			}},
			{map[string]any{"logoURL": "https://acme.dev/logo.png"}, func(o orgOut) bool { return o.LogoURL == "https://acme.dev/logo.png" }},
		}
		for _, s := range steps {
			got := update(t, alice, org.ID, s.input)
			if !s.check(got) || !s.check(getOrg(t, alice, org.ID)) {
				t.Fatalf("update %v: got %+v", s.input, got)
			}
		}
		want := orgOut{ID: org.ID, Name: newName, Description: "Rockets", WebsiteURL: "http://acme.dev",
			AdminContactEmails: []string{"ops@acme.dev", "cto@acme.dev"}, LogoURL: "https://acme.dev/logo.png"}
		want.Plan.Code, want.Owner.Login = "FREE", alice.Login
		// Nothing given: nothing changes.
		if got := update(t, alice, org.ID, map[string]any{}); !equalOrg(got, want) {
			t.Fatalf("empty update changed the organization: %+v", got)
		}
		// Empty values clear.
		got := update(t, alice, org.ID, map[string]any{"description": "", "websiteURL": "", "logoURL": "", "adminContactEmails": []string{}})
		want.Description, want.WebsiteURL, want.LogoURL, want.AdminContactEmails = "", "", "", nil
		if !equalOrg(got, want) || !equalOrg(getOrg(t, alice, org.ID), want) {
			t.Fatalf("clearing: %+v", got)
		}
		if after := getOrg(t, alice, other.ID); !equalOrg(after, otherBefore) {
			t.Fatalf("the other organization changed: %+v", after)
		}
	})
}

func equalOrg(a, b orgOut) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Description == b.Description && a.WebsiteURL == b.WebsiteURL &&
		strings.Join(a.AdminContactEmails, ",") == strings.Join(b.AdminContactEmails, ",") && a.LogoURL == b.LogoURL &&
		a.Plan == b.Plan && a.Owner == b.Owner
}

func TestUpdateOrganizationValidation(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		before := getOrg(t, alice, org.ID)
		cases := []struct {
			input map[string]any
			field string
		}{
			{map[string]any{"name": ""}, "input.name"},
			{map[string]any{"name": strings.Repeat("n", 256)}, "input.name"},
			{map[string]any{"description": strings.Repeat("d", 1001)}, "input.description"},
			{map[string]any{"websiteURL": "acme.dev"}, "input.websiteURL"},
			{map[string]any{"logoURL": "ftp://acme.dev/logo.png"}, "input.logoURL"},
			{map[string]any{"adminContactEmails": []string{"ok@acme.dev", "not an address"}}, "input.adminContactEmails.1"},
			// A valid field next to an invalid one is not written either.
			{map[string]any{"description": "changed", "websiteURL": "nope"}, "input.websiteURL"},
		}
		for _, c := range cases {
			err := alice.Do(t, updateOrg, map[string]any{"id": org.ID, "input": c.input}).Err(t, "BAD_USER_INPUT")
			if err.Field() != c.field {
				t.Errorf("%v: extensions.field %q, want %q", c.input, err.Field(), c.field)
			}
		}
		if after := getOrg(t, alice, org.ID); !equalOrg(after, before) {
			t.Fatalf("refused updates changed the organization: %+v", after)
		}
	})
}

func TestUpdateOrganizationRenameToATakenName(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		bob := e.SignIn(t, "bob")
		taken := bob.CreateOrg(t)
		alice.Do(t, updateOrg, map[string]any{"id": org.ID, "input": map[string]any{"name": strings.ToUpper(taken.Name)}}).Err(t, "CONFLICT")
		if got := getOrg(t, alice, org.ID); got.Name != org.Name {
			t.Fatalf("renamed to %q", got.Name)
		}
		if got := getOrg(t, bob, taken.ID); got.Name != taken.Name {
			t.Fatalf("the other organization became %q", got.Name)
		}
		// Changing only the case of one's own name is no conflict.
		if got := update(t, alice, org.ID, map[string]any{"name": strings.ToUpper(org.Name)}); got.Name != strings.ToUpper(org.Name) {
			t.Fatalf("case change: %q", got.Name)
		}
	})
}

func TestUpdateOrganizationPermissions(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		taken := alice.CreateOrg(t)
		for _, kind := range []rbac.Kind{rbac.DevOps, rbac.Billing, rbac.Viewer} {
			m := e.SignIn(t, strings.ToLower(string(kind)))
			e.AddMember(t, org, m, kind)
			m.Do(t, updateOrg, map[string]any{"id": org.ID, "input": map[string]any{"description": "by " + string(kind)}}).Err(t, "FORBIDDEN")
			// Input that would be refused, whichever rule refuses it (ours,
			// the ent schema's, the database's), from a member without the
			// capability is still FORBIDDEN: the permission is told first.
			for _, input := range []map[string]any{
				{"websiteURL": "nope"},
				{"logoURL": "javascript:alert(1)"},
				{"description": strings.Repeat("x", 1001)},
				{"adminContactEmails": []string{"not an address"}},
				{"name": ""},
				{"name": strings.ToUpper(taken.Name)},
				{}, // nothing to change still needs the capability
			} {
				m.Do(t, updateOrg, map[string]any{"id": org.ID, "input": input}).Err(t, "FORBIDDEN")
			}
		}
		if got := getOrg(t, alice, org.ID); got.Description != "" || got.Name != org.Name {
			t.Fatalf("a refused update was written: %q, %q", got.Name, got.Description)
		}
		// Nothing to change, from the owner: the organization as it is, not
		// written again, no event.
		before, events := dbOrg(t, e, org.ID), len(orgEvents(t, e, org.ID))
		var same struct{ UpdateOrganization struct{ ID string } }
		alice.Do(t, updateOrg, map[string]any{"id": org.ID, "input": map[string]any{}}).OK(t, &same)
		if after := dbOrg(t, e, org.ID); same.UpdateOrganization.ID != org.ID || !after.UpdatedAt.Equal(before.UpdatedAt) || len(orgEvents(t, e, org.ID)) != events {
			t.Fatalf("an empty update: %+v, updated at %v (was %v), %d events (were %d)", same, after.UpdatedAt, before.UpdatedAt, len(orgEvents(t, e, org.ID)), events)
		}
		admin := e.SignIn(t, "admin")
		e.AddMember(t, org, admin, rbac.Admin)
		if got := update(t, admin, org.ID, map[string]any{"description": "by admin"}); got.Description != "by admin" {
			t.Fatalf("ADMIN update: %+v", got)
		}
		if got := update(t, alice, org.ID, map[string]any{"description": "by owner"}); got.Description != "by owner" {
			t.Fatalf("OWNER update: %+v", got)
		}

		// A non-member gets exactly the answer of an ID that does not exist.
		bob := e.SignIn(t, "bob")
		bob.CreateOrg(t)
		input := map[string]any{"description": "by bob"}
		theirs := bob.Do(t, updateOrg, map[string]any{"id": org.ID, "input": input})
		random := bob.Do(t, updateOrg, map[string]any{"id": id.New(id.Organization), "input": input})
		theirs.Err(t, "NOT_FOUND")
		if !bytes.Equal(theirs.Body, random.Body) {
			t.Fatalf("non-member: %s\nrandom id: %s", theirs.Body, random.Body)
		}
		if got := getOrg(t, alice, org.ID); got.Description != "by owner" {
			t.Fatalf("a non-member's update was written: %q", got.Description)
		}
	})
}
