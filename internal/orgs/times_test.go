package orgs_test

import (
	"regexp"
	"testing"

	"github.com/orgql/orgql/internal/testkit"
)

// rfc3339Micro is a time as the API answers it: UTC, at most microseconds.
var rfc3339Micro = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$`)

// A time a mutation answers is the time every later read answers, on
// either store (PostgreSQL keeps microseconds, SQLite nanoseconds).
func TestTimesReadBackAsAnswered(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		type times struct{ ID, CreatedAt, UpdatedAt string }
		var created struct{ CreateOrganization times }
		alice.Do(t, `mutation($name: String!) { createOrganization(input: {name: $name}) { id createdAt updatedAt } }`,
			map[string]any{"name": testkit.Unique("Acme")}).OK(t, &created)
		var project struct{ CreateProject times }
		alice.Do(t, `mutation($org: ID!) { createProject(organizationID: $org, input: {name: "web"}) { id createdAt updatedAt } }`,
			map[string]any{"org": created.CreateOrganization.ID}).OK(t, &project)

		var read struct {
			Organization struct {
				times
				Projects struct{ Edges []struct{ Node times } }
			}
		}
		alice.Do(t, `query($id: ID!) { organization(id: $id) { id createdAt updatedAt projects { edges { node { id createdAt updatedAt } } } } }`,
			map[string]any{"id": created.CreateOrganization.ID}).OK(t, &read)
		for _, c := range []struct {
			what           string
			answered, read times
		}{
			{"organization", created.CreateOrganization, read.Organization.times},
			{"project", project.CreateProject, read.Organization.Projects.Edges[0].Node},
		} {
			if c.answered != c.read {
				t.Errorf("%s: answered %+v, read %+v", c.what, c.answered, c.read)
			}
			for _, v := range []string{c.read.CreatedAt, c.read.UpdatedAt} {
				if !rfc3339Micro.MatchString(v) {
					t.Errorf("%s: time %q is not UTC RFC 3339 with at most microseconds", c.what, v)
				}
			}
		}

		// Another organization's member reads none of it.
		bob := e.SignIn(t, "bob")
		bob.Do(t, `query($id: ID!) { organization(id: $id) { createdAt } }`, map[string]any{"id": created.CreateOrganization.ID}).Err(t, "NOT_FOUND")
	})
}
