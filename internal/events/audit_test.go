package events_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

type auditPage struct {
	Organization struct {
		AuditEvents struct {
			TotalCount int
			Edges      []struct {
				Cursor string
				Node   struct {
					ID, Type, TargetType, TargetID, TargetName, Cursor string
					Actor                                              struct{ Type, ID, DisplayName string }
				}
			}
		}
	}
}

const auditQuery = `query($id: ID!, $first: Int, $after: Cursor, $where: OrganizationEventWhereInput) {
	organization(id: $id) { auditEvents(first: $first, after: $after, where: $where) {
		totalCount edges { cursor node { id type targetType targetID targetName cursor actor { type id displayName } } }
	} }
}`

func audit(t *testing.T, c *testkit.Client, orgID string, vars map[string]any) auditPage {
	t.Helper()
	if vars == nil {
		vars = map[string]any{}
	}
	vars["id"] = orgID
	var out auditPage
	c.Do(t, auditQuery, vars).OK(t, &out)
	return out
}

// The audit log lists the organization's events newest first (commit
// order), with the actor, a user or an API token, and its display name;
// it filters by type, target type, target ID, actor and time; it pages.
func TestAuditLog(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org, other := alice.CreateOrg(t), alice.CreateOrg(t)
		token, tokenID := alice.CreateAPIToken(t, org, e.RoleID(t, org, rbac.Admin))
		start := time.Now().Add(-time.Second)
		for i := range 3 {
			alice.Do(t, `mutation($id: ID!, $d: String!) { updateOrganization(id: $id, input: {description: $d}) { id } }`,
				map[string]any{"id": other.ID, "d": fmt.Sprint("other ", i)}).OK(t, nil)
		}
		token.Do(t, `mutation($org: ID!) { createProject(organizationID: $org, input: {name: "web"}) { id } }`,
			map[string]any{"org": org.ID}).OK(t, nil)

		all := audit(t, alice, org.ID, nil).Organization.AuditEvents
		// Newest first: the project (by the token), the token, the organization.
		if len(all.Edges) != 3 || all.TotalCount != 3 {
			t.Fatalf("events: %+v", all)
		}
		newest := all.Edges[0].Node
		if newest.TargetType != "PROJECT" || newest.Type != "CREATE" || newest.Actor.Type != "API_TOKEN" || newest.Actor.ID != tokenID || newest.Actor.DisplayName == "" {
			t.Fatalf("newest: %+v", newest)
		}
		if oldest := all.Edges[2].Node; oldest.TargetType != "ORGANIZATION" || oldest.Actor.Type != "USER" || oldest.Actor.DisplayName != alice.Login {
			t.Fatalf("oldest: %+v", oldest)
		}
		for _, edge := range all.Edges {
			if edge.Cursor != edge.Node.Cursor {
				t.Fatalf("the edge's cursor %q is not the event's %q", edge.Cursor, edge.Node.Cursor)
			}
		}
		page := audit(t, alice, org.ID, map[string]any{"first": 1, "after": all.Edges[0].Cursor}).Organization.AuditEvents
		if len(page.Edges) != 1 || page.Edges[0].Node.ID != all.Edges[1].Node.ID {
			t.Fatalf("second page: %+v", page)
		}
		for name, c := range map[string]struct {
			where map[string]any
			want  int
		}{
			"type":        {map[string]any{"type": "CREATE"}, 3},
			"target type": {map[string]any{"targetType": "API_TOKEN"}, 1},
			"target id":   {map[string]any{"targetID": org.ID}, 1},
			"actor":       {map[string]any{"actorID": tokenID}, 1},
			"since":       {map[string]any{"createdAtGTE": start.UTC().Format(time.RFC3339Nano)}, 3},
			"until":       {map[string]any{"createdAtLT": start.UTC().Format(time.RFC3339Nano)}, 0},
		} {
			if got := audit(t, alice, org.ID, map[string]any{"where": c.where}).Organization.AuditEvents.TotalCount; got != c.want {
				t.Errorf("%s: %d events, want %d", name, got, c.want)
			}
		}
		// The other organization's events are its own.
		if got := audit(t, alice, other.ID, nil).Organization.AuditEvents.TotalCount; got != 4 {
			t.Fatalf("other organization: %d events", got)
		}
	})
}

// Only members with READ_AUDIT_LOG read the audit log; another
// organization's members do not see the organization at all.
func TestAuditLogPermissions(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice, vic, mallory := e.SignIn(t, "alice"), e.SignIn(t, "vic"), e.SignIn(t, "mallory")
		org := alice.CreateOrg(t)
		mallory.CreateOrg(t)
		e.AddMember(t, org, vic, rbac.Viewer)
		vic.Do(t, auditQuery, map[string]any{"id": org.ID}).Err(t, "FORBIDDEN")
		mallory.Do(t, auditQuery, map[string]any{"id": org.ID}).Err(t, "NOT_FOUND")
		for _, kind := range rbac.BuiltIn {
			if kind == rbac.Owner {
				continue
			}
			m := e.SignIn(t, "m")
			e.AddMember(t, org, m, kind)
			r := m.Do(t, auditQuery, map[string]any{"id": org.ID})
			if can := rbac.Can(kind, rbac.ReadAuditLog); can != (len(r.Errors) == 0) {
				t.Errorf("%s: %s", kind, r.Body)
			}
		}
	})
}

// Events older than their plan keeps them are pruned; the others stay; of
// several instances pruning at once, the events go once.
func TestPruneKeepsWhatThePlanKeeps(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		free, team := alice.CreateOrgOnPlan(t, "FREE"), alice.CreateOrgOnPlan(t, "TEAM")
		plans := billing.DefaultCatalog()
		days := func(code string) int { return plans.Plan(billing.PlanCode(code)).Limits.AuditLogRetentionDays }
		count := func(orgID string) int {
			t.Helper()
			n, err := e.DB.Client.OrganizationEvent.Query().Where(organizationevent.OrganizationID(orgID)).Count(testkit.System(context.Background()))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		prune := func(after int) int {
			t.Helper()
			p := &events.Pruner{Client: e.DB.Client, Dialect: e.DB.Dialect, Plans: plans,
				Now: func() time.Time { return time.Now().AddDate(0, 0, after).Add(time.Hour) }}
			var wg sync.WaitGroup
			var mu sync.Mutex
			total := 0
			for range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					n, err := p.Prune(context.Background())
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					total += n
					mu.Unlock()
				}()
			}
			wg.Wait()
			return total
		}
		// More expired events than one batch of the pruner deletes.
		old := make([]*ent.OrganizationEventCreate, 2500)
		for i := range old {
			old[i] = e.DB.Client.OrganizationEvent.Create().SetOrganizationID(free.ID).SetType(organizationevent.TypeUPDATE).
				SetTargetType(organizationevent.TargetTypeORGANIZATION).SetTargetID(free.ID).SetTargetName("old").
				SetActorType(organizationevent.ActorTypeSYSTEM).SetCreatedAt(time.Now().AddDate(0, 0, -days("FREE")-1))
		}
		e.DB.Client.OrganizationEvent.CreateBulk(old...).ExecX(testkit.System(context.Background()))
		var stmts testkit.Statements
		p := &events.Pruner{Client: e.DB.Client, Dialect: e.DB.Dialect, Plans: plans}
		if n, err := p.Prune(testkit.Recording(context.Background(), &stmts)); err != nil || n != len(old) {
			t.Fatalf("pruned %d events (%v), want the %d expired", n, err, len(old))
		}
		// 1,000 at a time, each batch a transaction of its own.
		deletes, commits := 0, 0
		for _, s := range stmts.All() {
			switch {
			case strings.Contains(s, "DELETE FROM"):
				deletes++
			case s == "COMMIT":
				commits++
			}
		}
		if deletes != 3 || commits != 3 {
			t.Errorf("%d DELETE statements in %d committed transactions, want 3 and 3:\n%s", deletes, commits, strings.Join(stmts.All(), "\n"))
		}
		before := count(team.ID)
		prune(days("FREE"))
		if count(free.ID) != 0 || count(team.ID) != before {
			t.Fatalf("after %d days: FREE has %d events, TEAM %d of %d", days("FREE"), count(free.ID), count(team.ID), before)
		}
		prune(days("TEAM"))
		if count(team.ID) != 0 {
			t.Fatalf("after %d days: TEAM has %d events", days("TEAM"), count(team.ID))
		}
	})
}

// Each event names its organization (OrganizationEvent.organization), and
// a page of events costs one statement for it however many events it
// holds (a subscriber's events name it too: internal/live). Another organization's owner
// gets neither the events nor the organization.
func TestEventsNameTheirOrganization(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice, mallory := e.SignIn(t, "alice"), e.SignIn(t, "mallory")
		org := alice.CreateOrg(t)
		mallory.CreateOrg(t)
		const page = `query($id: ID!, $n: Int) { organization(id: $id) { auditEvents(first: $n) { edges { node { id %s } } } } }`
		cost := func(n int, fields string) (int, []struct {
			Node struct{ Organization *struct{ ID, Name string } }
		}) {
			var stmts testkit.Statements
			var out struct {
				Organization struct {
					AuditEvents struct {
						Edges []struct {
							Node struct{ Organization *struct{ ID, Name string } }
						}
					}
				}
			}
			alice.WithStatements(&stmts).Do(t, fmt.Sprintf(page, fields), map[string]any{"id": org.ID, "n": n}).OK(t, &out)
			return stmts.Count(), out.Organization.AuditEvents.Edges
		}
		for i := range 6 {
			alice.Do(t, `mutation($id: ID!, $d: String!) { updateOrganization(id: $id, input: {description: $d}) { id } }`,
				map[string]any{"id": org.ID, "d": fmt.Sprint("d", i)}).OK(t, nil)
		}
		plain, _ := cost(6, "")
		one, _ := cost(1, "organization { id name }")
		six, edges := cost(6, "organization { id name }")
		if len(edges) != 6 {
			t.Fatalf("%d events", len(edges))
		}
		for _, e := range edges {
			if e.Node.Organization == nil || e.Node.Organization.ID != org.ID || e.Node.Organization.Name == "" {
				t.Fatalf("an event names %+v, want %s", e.Node.Organization, org.ID)
			}
		}
		if one != plain+1 || six != one {
			t.Errorf("statements: %d without organization, %d for 1 event with it, %d for 6", plain, one, six)
		}
		mallory.Do(t, fmt.Sprintf(page, "organization { id }"), map[string]any{"id": org.ID, "n": 6}).Err(t, "NOT_FOUND")
	})
}
