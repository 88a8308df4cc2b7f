package orgs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/testkit"
)

// maxUpdateStatements bounds the statements updateOrganization runs on
// PostgreSQL as pg_stat_statements counts them, BEGIN and COMMIT included,
// authentication of the session too (issue #13's goal: 6). They are: the
// session, BEGIN, the organization (old values for the audit; a non-member
// finds none), the UPDATE (narrowed in SQL by the privacy rule: the one
// permission check, not read again), the event's INSERT (with its
// numbering, the counter and the notification in one statement), COMMIT.
// SQLite adds one: it moves the counter apart, having no pg_notify nor
// data-modifying CTEs.
var maxUpdateStatements = map[testkit.Backend]int{testkit.Postgres: 6, testkit.SQLite: 7}

// updateOrganization runs a bounded number of statements, transactions'
// BEGIN and COMMIT counted; and the bound is not bought with a check: another
// organization's owner still gets NOT_FOUND and changes nothing.
func TestUpdateOrganizationRunsFewStatements(t *testing.T) {
	for _, b := range testkit.Backends(t) {
		t.Run(string(b), func(t *testing.T) {
			e := testkit.New(t, b, nil)
			alice, bob := e.SignIn(t, "alice"), e.SignIn(t, "bob")
			org := alice.CreateOrg(t)
			bob.CreateOrg(t)
			for _, c := range []*testkit.Client{alice, bob} {
				c.Do(t, `{ viewer { user { id } } }`, nil).OK(t, nil) // the session's activity is written now, not below
			}
			const update = `mutation($org: ID!, $d: String!) { updateOrganization(id: $org, input: {description: $d}) { id description } }`

			var s testkit.Statements
			var out struct{ UpdateOrganization struct{ Description string } }
			alice.WithStatements(&s).Do(t, update, map[string]any{"org": org.ID, "d": "fast"}).OK(t, &out)
			if out.UpdateOrganization.Description != "fast" {
				t.Fatalf("description %q, want fast", out.UpdateOrganization.Description)
			}
			if max := maxUpdateStatements[b]; s.Total() > max {
				t.Errorf("updateOrganization ran %d statements (BEGIN and COMMIT counted), want at most %d:\n  %s", s.Total(), max, strings.Join(s.All(), "\n  "))
			}
			evs := orgEvents(t, e, org.ID)
			last := evs[len(evs)-1]
			if last.Type != organizationevent.TypeUPDATE || last.Sequence == 0 || !strings.Contains(fmt.Sprint(last.Change["description"]), "to:fast") {
				t.Fatalf("last event %s sequence %d change %v, want the UPDATE, numbered, with the new description", last.Type, last.Sequence, last.Change)
			}

			before := dbOrg(t, e, org.ID)
			bob.Do(t, update, map[string]any{"org": org.ID, "d": "bob was here"}).Err(t, "NOT_FOUND")
			if after := dbOrg(t, e, org.ID); after.Description != before.Description || !after.UpdatedAt.Equal(before.UpdatedAt) {
				t.Fatalf("another organization's owner changed it: %q at %v, want %q at %v", after.Description, after.UpdatedAt, before.Description, before.UpdatedAt)
			}
			if n := len(orgEvents(t, e, org.ID)); n != len(evs) {
				t.Fatalf("%d events after the refused update, want %d", n, len(evs))
			}
		})
	}
}
