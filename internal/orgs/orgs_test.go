package orgs_test

import (
	"testing"

	"github.com/orgql/orgql/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func TestCreateOrganizationMakesTheCallerOwner(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		name := testkit.Unique("Acme")
		var out struct {
			CreateOrganization struct {
				ID         string
				Name       string
				WebsiteURL string
				Owner      struct{ Login string }
				ViewerRole struct{ Name string } `json:"viewerRole"`
				Projects   struct {
					TotalCount int
					Edges      []struct{ Node struct{ Name string } }
				}
			}
		}
		alice.Do(t, `mutation($name: String!) {
			createOrganization(input: {name: $name, websiteURL: "https://acme.dev", firstProject: {name: "web"}}) {
				id name websiteURL owner { login } projects { totalCount edges { node { name } } }
			}
		}`, map[string]any{"name": name}).OK(t, &out)
		got := out.CreateOrganization
		if got.Name != name || got.WebsiteURL != "https://acme.dev" || got.Owner.Login != alice.Login {
			t.Fatalf("unexpected organization: %+v", got)
		}
		if got.Projects.TotalCount != 1 || got.Projects.Edges[0].Node.Name != "web" {
			t.Fatalf("first project missing: %+v", got.Projects)
		}

		// A second user sees none of it.
		bob := e.SignIn(t, "bob")
		bob.Do(t, `query($id: ID!) { organization(id: $id) { id } }`, map[string]any{"id": got.ID}).Err(t, "NOT_FOUND")
		bob.Do(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": got.ID}).Err(t, "NOT_FOUND")
	})
}
