package orgs_test

import (
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/testkit"
)

// Writes run a fixed, small number of SQL statements, authentication
// included: one permission check per write (the domain's check and the
// privacy rule's share one lookup), and plan limits count only what the
// write adds to. The bounds are today's counts: a change that adds a
// statement to a write must say why here. At commit, a write that records an
// event takes a sequence and numbers the event (two statements), and on
// PostgreSQL notifies the listeners (one): internal/events.
func TestWritesRunFewStatements(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		alice.Do(t, `{ viewer { user { id } } }`, nil).OK(t, nil) // the session's activity is written now, not below
		for _, w := range []struct {
			name, doc string
			max       int
		}{
			{"createProject", `mutation($org: ID!) { createProject(organizationID: $org, input: {name: "web"}) { id } }`, 10},
			{"updateOrganization", `mutation($org: ID!) { updateOrganization(id: $org, input: {description: "x"}) { id } }`, 10},
		} {
			var s testkit.Statements
			alice.WithStatements(&s).Do(t, w.doc, map[string]any{"org": org.ID}).OK(t, nil)
			if s.Count() > w.max {
				t.Errorf("%s ran %d statements, want at most %d:\n  %s", w.name, s.Count(), w.max, strings.Join(s.List(), "\n  "))
			}
		}
	})
}
