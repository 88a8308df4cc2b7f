package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

// addMembers adds n viewers to org directly in the database.
func addMembers(t *testing.T, e *testkit.Env, org testkit.Org, n int) {
	t.Helper()
	ctx := testkit.System(context.Background())
	viewerRole, err := e.DB.Client.Role.Query().Where(role.OrganizationID(org.ID), role.KindEQ(rbac.Viewer)).Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	prefix := strings.ReplaceAll(testkit.Unique("member"), " ", "-")
	users, err := e.DB.Client.User.MapCreateBulk(make([]struct{}, n), func(c *ent.UserCreate, i int) {
		login := prefix + "-" + itoa(i)
		c.SetProvider(user.ProviderDEV).SetProviderUserID(login).SetLogin(login)
	}).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = e.DB.Client.Membership.MapCreateBulk(users, func(c *ent.MembershipCreate, i int) {
		c.SetOrganizationID(org.ID).SetUserID(users[i].ID).SetRoleID(viewerRole.ID)
	}).Exec(ctx)
	if err != nil {
		t.Fatal(err)
	}
}

type memberPage struct {
	TotalCount int
	PageInfo   struct{ HasNextPage bool }
	Edges      []struct{ Node struct{ ID string } }
}

func TestPageSizeDefaultsTo50AndIsCappedAt100(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		addMembers(t, e, org, 119) // 120 with alice

		page := func(args string, vars map[string]any) memberPage {
			var out struct{ Organization struct{ Members memberPage } }
			alice.Do(t, `query($id: ID!`+nDecl(args)+`) { organization(id: $id) { members`+args+` { totalCount pageInfo { hasNextPage } edges { node { id } } } } }`,
				mergeVars(map[string]any{"id": org.ID}, vars)).OK(t, &out)
			return out.Organization.Members
		}
		if p := page("", nil); len(p.Edges) != 50 || p.TotalCount != 120 || !p.PageInfo.HasNextPage {
			t.Fatalf("no page size: %d edges of %d, hasNextPage %v; want 50 of 120", len(p.Edges), p.TotalCount, p.PageInfo.HasNextPage)
		}
		if p := page("(first: $n)", nil); len(p.Edges) != 50 {
			t.Fatalf("first: null: %d edges, want the default 50", len(p.Edges))
		}
		if p := page("(first: 100)", nil); len(p.Edges) != 100 {
			t.Fatalf("first: 100: %d edges", len(p.Edges))
		}
		if p := page("(last: $n)", map[string]any{"n": 100}); len(p.Edges) != 100 {
			t.Fatalf("last: 100: %d edges", len(p.Edges))
		}

		for _, c := range []struct {
			args, field string
			vars        map[string]any
		}{
			{"(first: 101)", "first", nil},
			{"(last: 101)", "last", nil},
			{"(first: $n)", "first", map[string]any{"n": 1000}},
			{"(first: -1)", "first", nil},
		} {
			r := alice.Do(t, `query($id: ID!`+nDecl(c.args)+`) { organization(id: $id) { members`+c.args+` { edges { node { id } } } } }`,
				mergeVars(map[string]any{"id": org.ID}, c.vars))
			if err := r.Err(t, "BAD_USER_INPUT"); err.Field() != c.field || !strings.Contains(err.Message, "100") {
				t.Fatalf("%s: %+v, want extensions.field %q and the maximum", c.args, err, c.field)
			}
			if string(r.Data) != "null" && len(r.Data) != 0 {
				t.Fatalf("%s: data %s, want none: no resolver may run", c.args, r.Data)
			}
		}
	})
}

// A connection entgql eager-loads through field collection gets the default
// page size in SQL too: it must not load every row.
func TestNestedConnectionDefaultBoundsTheQuery(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		addMembers(t, e, org, 119)

		var stmts testkit.Statements
		var out struct {
			Viewer struct {
				Organizations struct {
					Edges []struct{ Node struct{ Members memberPage } }
				}
			}
		}
		alice.WithStatements(&stmts).Do(t, `{ viewer { organizations(first: 1) { edges { node { members { edges { node { id } } } } } } } }`, nil).OK(t, &out)
		if n := len(out.Viewer.Organizations.Edges[0].Node.Members.Edges); n != 50 {
			t.Fatalf("nested members: %d edges, want 50", n)
		}
		limited := false
		for _, s := range stmts.List() {
			limited = limited || strings.Contains(s, "ROW_NUMBER() OVER") && strings.HasSuffix(s, " 51]")
		}
		if !limited {
			t.Fatalf("no statement loads memberships limited to 50 (+1) per organization: %q", stmts.List())
		}
	})
}

func mergeVars(a, b map[string]any) map[string]any {
	for k, v := range b {
		a[k] = v
	}
	return a
}

// nDecl declares $n when args use it.
func nDecl(args string) string {
	if strings.Contains(args, "$n") {
		return ", $n: Int"
	}
	return ""
}
