package orgs_test

import (
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/testkit"
)

const createOrg = `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { ` + orgFields + ` } }`

func TestCreateOrganizationDefaults(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		name := testkit.Unique("Acme")
		var out struct{ CreateOrganization orgOut }
		alice.Do(t, createOrg, map[string]any{"input": map[string]any{"name": name}}).OK(t, &out)
		got := out.CreateOrganization
		if got.Name != name || got.Plan.Code != "FREE" || got.Description != "" || got.WebsiteURL != "" ||
			got.LogoURL != "" || len(got.AdminContactEmails) != 0 || got.Owner.Login != alice.Login {
			t.Fatalf("defaults: %+v", got)
		}
		if n := len(orgEvents(t, e, got.ID)); n != 1 {
			t.Fatalf("want only the CREATE event, got %d events", n)
		}

		bob := e.SignIn(t, "bob")
		notVisible(t, bob, got.ID)
		bob.Do(t, `mutation($id: ID!) { updateOrganization(id: $id, input: {name: "taken over"}) { id } }`,
			map[string]any{"id": got.ID}).Err(t, "NOT_FOUND")
	})
}

func TestCreateOrganizationWithEveryField(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		name := testkit.Unique("Acme")
		var out struct {
			CreateOrganization struct {
				orgOut
				Projects struct {
					TotalCount int
					Edges      []struct {
						Node struct{ Name, Description string }
					}
				}
			}
		}
		alice.Do(t, `mutation($input: CreateOrganizationInput!) {
			createOrganization(input: $input) { `+orgFields+` projects { totalCount edges { node { name description } } } }
		}`, map[string]any{"input": map[string]any{
			"name": name, "plan": "TEAM", "description": "Rockets", "websiteURL": "https://acme.dev",
			"adminContactEmails": []string{"Ops@Acme.dev", "cto@acme.dev"}, "logoURL": "https://acme.dev/logo.png",
			"firstProject": map[string]any{"name": "web", "description": "the site"},
		}}).OK(t, &out)
		got := out.CreateOrganization
		if got.Name != name || got.Plan.Code != "TEAM" || got.Description != "Rockets" || got.WebsiteURL != "https://acme.dev" ||
			got.LogoURL != "https://acme.dev/logo.png" || strings.Join(got.AdminContactEmails, ",") != "ops@acme.dev,cto@acme.dev" {
			t.Fatalf("fields: %+v", got.orgOut)
		}
		if got.Projects.TotalCount != 1 || got.Projects.Edges[0].Node.Name != "web" || got.Projects.Edges[0].Node.Description != "the site" {
			t.Fatalf("first project: %+v", got.Projects)
		}
		// Stored as returned.
		if o := dbOrg(t, e, got.ID); o.Plan != "TEAM" || o.Description != "Rockets" || len(o.AdminContactEmails) != 2 {
			t.Fatalf("stored: %+v", o)
		}

		bob := e.SignIn(t, "bob")
		notVisible(t, bob, got.ID)
	})
}

func TestCreateOrganizationMakesTheCreatorOwner(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		var out struct {
			Organization struct {
				Members struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							User           struct{ Login string }
							Role           struct{ Kind string }
							LastActivityAt *string
						}
					}
				}
			}
		}
		alice.Do(t, `query($id: ID!) { organization(id: $id) { members { totalCount edges { node { user { login } role { kind } lastActivityAt } } } } }`,
			map[string]any{"id": org.ID}).OK(t, &out)
		m := out.Organization.Members
		if m.TotalCount != 1 || m.Edges[0].Node.User.Login != alice.Login || m.Edges[0].Node.Role.Kind != "OWNER" || m.Edges[0].Node.LastActivityAt == nil {
			t.Fatalf("members: %+v", m)
		}
		if o := dbOrg(t, e, org.ID); o.OwnerID != dbUser(t, e, alice).ID {
			t.Fatalf("owner_id %s is not the creator", o.OwnerID)
		}
		// The first organization becomes the current one.
		if got := currentOrg(t, alice); got != org.ID {
			t.Fatalf("current organization %q, want %q", got, org.ID)
		}

		var role struct {
			Organization struct {
				ViewerRole struct{ Kind string } `json:"viewerRole"`
			}
		}
		alice.Do(t, `query($id: ID!) { organization(id: $id) { viewerRole { kind } } }`, map[string]any{"id": org.ID}).OK(t, &role)
		if role.Organization.ViewerRole.Kind != "OWNER" {
			t.Fatalf("viewerRole %q, want OWNER", role.Organization.ViewerRole.Kind)
		}

		// Another user's organization lists only its own owner.
		bob := e.SignIn(t, "bob")
		bobOrg := bob.CreateOrg(t)
		bob.Do(t, `query($id: ID!) { organization(id: $id) { members { totalCount } } }`, map[string]any{"id": org.ID}).Err(t, "NOT_FOUND")
		var bobs struct {
			Organization struct{ Members struct{ TotalCount int } }
		}
		bob.Do(t, `query($id: ID!) { organization(id: $id) { members { totalCount } } }`, map[string]any{"id": bobOrg.ID}).OK(t, &bobs)
		if bobs.Organization.Members.TotalCount != 1 {
			t.Fatalf("bob's organization has %d members", bobs.Organization.Members.TotalCount)
		}
	})
}

// Limits count characters, not bytes.
func TestCreateOrganizationNameOf255Characters(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		name := testkit.Unique("Ü") + strings.Repeat("é", 240)
		name += strings.Repeat("ü", 255-len([]rune(name)))
		var out struct{ CreateOrganization orgOut }
		alice.Do(t, createOrg, map[string]any{"input": map[string]any{"name": name}}).OK(t, &out)
		if out.CreateOrganization.Name != name {
			t.Fatalf("stored name %q", out.CreateOrganization.Name)
		}
		longer := name + "x"
		err := alice.Do(t, updateOrg, map[string]any{"id": out.CreateOrganization.ID, "input": map[string]any{"name": longer}}).Err(t, "BAD_USER_INPUT")
		if err.Field() != "input.name" {
			t.Fatalf("extensions.field %q", err.Field())
		}
	})
}

func TestCreateOrganizationValidation(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		alice.CreateOrg(t)
		before, beforeEvents := membershipsOf(t, e, alice), eventsBy(t, e, alice)
		cases := []struct {
			name  string
			input map[string]any
			field string
		}{
			{"empty name", map[string]any{"name": ""}, "input.name"},
			{"blank name", map[string]any{"name": "   "}, "input.name"},
			{"long name", map[string]any{"name": strings.Repeat("a", 256)}, "input.name"},
			{"website not http", map[string]any{"websiteURL": "ftp://acme.dev"}, "input.websiteURL"},
			{"website without scheme", map[string]any{"websiteURL": "acme.dev"}, "input.websiteURL"},
			{"logo not http", map[string]any{"logoURL": "javascript:alert(1)"}, "input.logoURL"},
			{"first e-mail bad", map[string]any{"adminContactEmails": []string{"nope", "ok@acme.dev"}}, "input.adminContactEmails.0"},
			{"second e-mail bad", map[string]any{"adminContactEmails": []string{"ok@acme.dev", "a@b"}}, "input.adminContactEmails.1"},
			{"third e-mail bad", map[string]any{"adminContactEmails": []string{"ok@acme.dev", "cto@acme.dev", "x y@acme.dev"}}, "input.adminContactEmails.2"},
			{"first project name empty", map[string]any{"firstProject": map[string]any{"name": ""}}, "input.firstProject.name"},
			{"first project name long", map[string]any{"firstProject": map[string]any{"name": strings.Repeat("p", 256)}}, "input.firstProject.name"},
		}
		for _, c := range cases {
			name := testkit.Unique("Invalid")
			input := map[string]any{"name": name}
			for k, v := range c.input {
				input[k] = v
			}
			if n, ok := input["name"].(string); ok {
				name = n
			}
			err := alice.Do(t, createOrg, map[string]any{"input": input}).Err(t, "BAD_USER_INPUT")
			if err.Field() != c.field {
				t.Errorf("%s: extensions.field %q, want %q", c.name, err.Field(), c.field)
			}
			if strings.TrimSpace(name) != "" && orgsNamed(t, e, name) != 0 {
				t.Errorf("%s: the organization was written", c.name)
			}
		}
		if membershipsOf(t, e, alice) != before || eventsBy(t, e, alice) != beforeEvents {
			t.Fatalf("a refused createOrganization wrote memberships or events")
		}
	})
}

func TestCreateOrganizationNamesAreUniqueCaseInsensitively(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		name := strings.ToLower(testkit.Unique("acme"))
		alice.Do(t, createOrg, map[string]any{"input": map[string]any{"name": name}}).OK(t, nil)

		// Names are global: another user gets CONFLICT too, and nothing of theirs is written.
		bob := e.SignIn(t, "bob")
		bob.Do(t, createOrg, map[string]any{"input": map[string]any{
			"name": strings.ToUpper(name), "firstProject": map[string]any{"name": "web"},
		}}).Err(t, "CONFLICT")
		alice.Do(t, createOrg, map[string]any{"input": map[string]any{"name": name}}).Err(t, "CONFLICT")
		if n := orgsNamed(t, e, name); n != 1 {
			t.Fatalf("%d organizations named %q", n, name)
		}
		if membershipsOf(t, e, bob) != 0 || eventsBy(t, e, bob) != 0 || currentOrg(t, bob) != "" {
			t.Fatalf("the refused creation left memberships, events or a current organization")
		}
	})
}
