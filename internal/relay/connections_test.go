package relay_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/testkit"
)

const connFields = `totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }`

type conn struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
	Edges []struct {
		Cursor string
		Node   struct{ ID string }
	}
}

func (c conn) ids() []string {
	out := []string{}
	for _, e := range c.Edges {
		out = append(out, e.Node.ID)
	}
	return out
}

// connection is one connection field under test: fetch runs it with
// connection arguments args (using $first $last $after $before).
type connection struct {
	name   string
	fetch  func(t *testing.T, args string, vars map[string]any) conn
	rows   []row
	orders []order
}

// order is an orderBy value; field "" is the connection's default order.
type order struct {
	field string
	desc  bool
	// def is the order's GraphQL value, "" to give no orderBy.
	def string
}

func by(field string, desc bool) order {
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	return order{field: field, desc: desc, def: fmt.Sprintf("{field: %s, direction: %s}", field, dir)}
}

// sorted returns the IDs of rows in order o: by the field's value (NULL
// after every value), ties by ID, both in o's direction.
func sorted(rows []row, o order) []string {
	rs := slices.Clone(rows)
	less := func(a, b row) bool {
		if o.field != "ID" {
			if c := compare(a.values[o.field], b.values[o.field]); c != 0 {
				return c < 0
			}
		}
		return a.id < b.id
	}
	sort.SliceStable(rs, func(i, j int) bool {
		if o.desc {
			return less(rs[j], rs[i])
		}
		return less(rs[i], rs[j])
	})
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.id
	}
	return out
}

func compare(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	switch a := a.(type) {
	case time.Time:
		return a.Compare(b.(time.Time))
	case string:
		return strings.Compare(a, b.(string))
	}
	panic(fmt.Sprintf("no comparison for %T", a))
}

// page is what the Relay algorithm gives on all (in order) for the cursors
// of the elements at indexes after and before (-1: none), then first or last.
type page struct {
	ids                          []string
	hasNextPage, hasPreviousPage bool
}

func relayPage(all []string, after, before int, first, last *int) page {
	lo, hi := 0, len(all)
	if after >= 0 {
		lo = after + 1
	}
	if before >= 0 {
		hi = before
	}
	edges := []string{}
	if lo < hi {
		edges = append(edges, all[lo:hi]...)
	}
	var p page
	if first != nil {
		p.hasNextPage = len(edges) > *first
		edges = edges[:min(len(edges), *first)]
	} else {
		p.hasNextPage = before >= 0 // the before cursor's own element follows
	}
	if last != nil {
		p.hasPreviousPage = len(edges) > *last
		edges = edges[len(edges)-min(len(edges), *last):]
	} else {
		p.hasPreviousPage = after >= 0
	}
	p.ids = edges
	return p
}

// checkConnection runs every combination of first/last (or neither) with
// after/before (or both, or neither) on every order of c, and compares each
// page with the Relay algorithm applied to the full list.
func checkConnection(t *testing.T, c connection) {
	t.Helper()
	n := len(c.rows)
	sizes := []struct {
		name        string
		first, last *int
	}{
		{"neither", nil, nil}, {"first 0", ptr(0), nil}, {"first 1", ptr(1), nil}, {"first 3", ptr(3), nil},
		{"first 100", ptr(100), nil}, {"last 0", nil, ptr(0)}, {"last 1", nil, ptr(1)}, {"last 3", nil, ptr(3)}, {"last 100", nil, ptr(100)},
	}
	mid := n / 2
	cursors := [][2]int{{-1, -1}, {0, -1}, {mid, -1}, {n - 1, -1}, {-1, 0}, {-1, mid}, {-1, n - 1},
		{1, n - 2}, {0, n - 1}, {mid, mid + 1}, {n - 2, 1}, {mid, mid}}
	for _, o := range c.orders {
		args := "(first: $first, last: $last, after: $after, before: $before"
		if o.def != "" {
			args += ", orderBy: " + o.def
		}
		args += ")"
		want := sorted(c.rows, o)
		full := c.fetch(t, args, map[string]any{"first": 100})
		if got := full.ids(); !slices.Equal(got, want) {
			t.Fatalf("%s ordered by %s: got %v, want %v", c.name, o.def, got, want)
		}
		cursorOf := map[string]string{}
		for _, e := range full.Edges {
			cursorOf[e.Node.ID] = e.Cursor
		}
		failures := 0
		for _, size := range sizes {
			for _, cur := range cursors {
				vars := map[string]any{"first": size.first, "last": size.last}
				label := fmt.Sprintf("%s orderBy %q %s", c.name, o.def, size.name)
				if cur[0] >= 0 {
					vars["after"] = cursorOf[want[cur[0]]]
					label += fmt.Sprintf(" after #%d", cur[0])
				}
				if cur[1] >= 0 {
					vars["before"] = cursorOf[want[cur[1]]]
					label += fmt.Sprintf(" before #%d", cur[1])
				}
				first := size.first
				if first == nil && size.last == nil {
					first = ptr(50) // the default page size
				}
				exp := relayPage(want, cur[0], cur[1], first, size.last)
				got := c.fetch(t, args, vars)
				if msg := comparePage(got, exp, n, cursorOf); msg != "" {
					t.Errorf("%s: %s", label, msg)
					if failures++; failures > 10 {
						t.FailNow()
					}
				}
			}
		}
	}
}

func comparePage(got conn, want page, total int, cursorOf map[string]string) string {
	var problems []string
	if !slices.Equal(got.ids(), want.ids) {
		problems = append(problems, fmt.Sprintf("edges %v, want %v", got.ids(), want.ids))
	}
	if got.PageInfo.HasNextPage != want.hasNextPage {
		problems = append(problems, fmt.Sprintf("hasNextPage %v, want %v", got.PageInfo.HasNextPage, want.hasNextPage))
	}
	if got.PageInfo.HasPreviousPage != want.hasPreviousPage {
		problems = append(problems, fmt.Sprintf("hasPreviousPage %v, want %v", got.PageInfo.HasPreviousPage, want.hasPreviousPage))
	}
	if got.TotalCount != total {
		problems = append(problems, fmt.Sprintf("totalCount %d, want %d", got.TotalCount, total))
	}
	for _, e := range got.Edges {
		if e.Cursor != cursorOf[e.Node.ID] {
			problems = append(problems, fmt.Sprintf("cursor of %s differs from the full list's", e.Node.ID))
		}
	}
	start, end := (*string)(nil), (*string)(nil)
	if len(want.ids) > 0 {
		s, e := cursorOf[want.ids[0]], cursorOf[want.ids[len(want.ids)-1]]
		start, end = &s, &e
	}
	if !sameCursor(got.PageInfo.StartCursor, start) || !sameCursor(got.PageInfo.EndCursor, end) {
		problems = append(problems, "startCursor/endCursor are not the first and last edges' cursors")
	}
	return strings.Join(problems, "; ")
}

func sameCursor(a, b *string) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// dig decodes the value at path (field names, or "#id" to pick the edge
// whose node has that id) of a response's data.
func dig(t *testing.T, data json.RawMessage, path ...string) conn {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	for _, p := range path {
		if id, ok := strings.CutPrefix(p, "#"); ok {
			var found any
			for _, e := range v.(map[string]any)["edges"].([]any) {
				node := e.(map[string]any)["node"].(map[string]any)
				if node["id"] == id {
					found = node
				}
			}
			if found == nil {
				t.Fatalf("no edge with node %s", id)
			}
			v = found
			continue
		}
		v = v.(map[string]any)[p]
	}
	b, _ := json.Marshal(v)
	var c conn
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

const pageVars = `$first: Int, $last: Int, $after: Cursor, $before: Cursor`

func TestConnectionsFollowTheRelayAlgorithm(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrgOnPlan(t, "TEAM")
		sibling := alice.CreateOrgOnPlan(t, "TEAM") // a second parent in the nested connections

		projects := seedProjects(t, e, org, []string{"p3", "p1", "p6", "p0", "p5", "p2", "p4"}, []int{5, 1, 1, 3, 1, 7, 3})
		seedProjects(t, e, sibling, []string{"s1", "s2", "s3", "s4"}, []int{1, 1, 2, 9})
		members := seedMembers(t, e, org, []*int{nil, ptr(4), nil, ptr(4), ptr(2), ptr(9)}, []int{1, 2, 2, 3, 5, 5})
		seedMembers(t, e, sibling, []*int{nil, ptr(4), ptr(3)}, []int{1, 2, 3})
		invitations := seedInvitations(t, e, org, alice, []int{3, 1, 3, 5, 2}, []int{24, 48, 24, 72, 1})
		orgRows := []row{}
		for _, o := range []testkit.Org{org, sibling, alice.CreateOrg(t), alice.CreateOrg(t), alice.CreateOrg(t)} {
			got := dbOrg(t, e, o.ID)
			orgRows = append(orgRows, row{id: got.ID, values: map[string]any{"NAME": got.Name, "CREATED_AT": got.CreatedAt}})
		}

		rootOf := func(field string) func(t *testing.T, args string, vars map[string]any) conn {
			return func(t *testing.T, args string, vars map[string]any) conn {
				vars["org"] = org.ID
				r := alice.Do(t, `query($org: ID!, `+pageVars+`) { organization(id: $org) { `+field+args+` { `+connFields+` } } }`, vars).OK(t, nil)
				return dig(t, r.Data, "organization", field)
			}
		}
		nestedOf := func(field string) func(t *testing.T, args string, vars map[string]any) conn {
			return func(t *testing.T, args string, vars map[string]any) conn {
				vars["orgs"] = []string{org.ID, sibling.ID}
				r := alice.Do(t, `query($orgs: [ID!], `+pageVars+`) { viewer { organizations(first: 2, where: {idIn: $orgs}) { edges { node {
					id `+field+args+` { `+connFields+` } } } } } }`, vars).OK(t, nil)
				return dig(t, r.Data, "viewer", "organizations", "#"+org.ID, field)
			}
		}
		viewerOrgs := func(t *testing.T, args string, vars map[string]any) conn {
			r := alice.Do(t, `query(`+pageVars+`) { viewer { organizations`+args+` { `+connFields+` } } }`, vars).OK(t, nil)
			return dig(t, r.Data, "viewer", "organizations")
		}

		byID := order{field: "ID"}
		for _, c := range []connection{
			{"organization.projects", rootOf("projects"), projects, []order{byID, by("CREATED_AT", false), by("CREATED_AT", true), by("NAME", false), by("NAME", true)}},
			{"nested organization.projects", nestedOf("projects"), projects, []order{byID, by("CREATED_AT", false), by("CREATED_AT", true), by("NAME", true), by("UPDATED_AT", false)}},
			{"organization.members", rootOf("members"), members, []order{by("LAST_ACTIVITY_AT", false), by("LAST_ACTIVITY_AT", true), by("CREATED_AT", true)}},
			{"nested organization.members", nestedOf("members"), members, []order{by("LAST_ACTIVITY_AT", false), by("LAST_ACTIVITY_AT", true), by("CREATED_AT", false)}},
			{"organization.invitations", rootOf("invitations"), invitations, []order{
				{field: "CREATED_AT", desc: true}, // its default: newest first
				by("CREATED_AT", false), by("EMAIL", false), by("EXPIRES_AT", true)}},
			{"viewer.organizations", viewerOrgs, orgRows, []order{byID, by("NAME", false), by("CREATED_AT", true)}},
		} {
			t.Run(c.name, func(t *testing.T) { checkConnection(t, c) })
		}

		// Empty connections: every combination gives no edges and no neighbouring pages.
		empty := alice.CreateOrg(t)
		for _, args := range []string{"(first: 3)", "(last: 3)", "(first: 0)", "(last: 0)"} {
			var out struct{ Organization struct{ Invitations conn } }
			alice.Do(t, `query($org: ID!) { organization(id: $org) { invitations`+args+` { `+connFields+` } } }`, map[string]any{"org": empty.ID}).OK(t, &out)
			if got := out.Organization.Invitations; len(got.Edges) != 0 || got.PageInfo.HasNextPage || got.PageInfo.HasPreviousPage || got.TotalCount != 0 || got.PageInfo.StartCursor != nil {
				t.Errorf("empty invitations %s: %+v", args, got)
			}
		}

		// Another organization's member sees none of it, and alice's cursors page only through their own rows.
		bob := e.SignIn(t, "bob")
		bobOrg := bob.CreateOrgOnPlan(t, "TEAM")
		bobProjects := seedProjects(t, e, bobOrg, []string{"b1", "b2"}, []int{1, 2})
		bob.Do(t, `query($org: ID!) { organization(id: $org) { projects { totalCount } } }`, map[string]any{"org": org.ID}).Err(t, "NOT_FOUND")
		full := rootOf("projects")(t, "(first: $first, last: $last, after: $after, before: $before)", map[string]any{"first": 100})
		var out struct{ Organization struct{ Projects conn } }
		bob.Do(t, `query($org: ID!, $after: Cursor) { organization(id: $org) { projects(after: $after) { `+connFields+` } } }`,
			map[string]any{"org": bobOrg.ID, "after": full.Edges[0].Cursor}).OK(t, &out)
		for _, id := range out.Organization.Projects.ids() {
			if id != bobProjects[0].id && id != bobProjects[1].id {
				t.Fatalf("bob's projects page holds %s", id)
			}
		}
	})
}
