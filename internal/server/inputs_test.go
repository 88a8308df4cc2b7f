package server_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/orgql/orgql/internal/testkit"
)

// badInput fails t unless r is exactly one BAD_USER_INPUT naming field,
// whose message repeats nothing of the request beyond the field's path.
func badInput(t *testing.T, r *testkit.Response, field, label string, secrets ...string) {
	t.Helper()
	if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" {
		t.Errorf("%s: want one BAD_USER_INPUT, got HTTP %d: %.400s", label, r.Status, r.Body)
		return
	}
	if f := r.Errors[0].Field(); f != field {
		t.Errorf("%s: field %q, want %q", label, f, field)
	}
	for _, s := range secrets {
		if len(s) >= 4 && strings.Contains(string(r.Body), s) {
			t.Errorf("%s: the answer repeats the input", label)
		}
	}
}

// packCursor encodes v as a cursor is encoded: msgpack, then unpadded base64.
func packCursor(t *testing.T, v any) string {
	t.Helper()
	b, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawStdEncoding.EncodeToString(b)
}

// repeatedKeyCursor is the msgpack map {"i": id, "v": "a", "v": "b"}, base64.
func repeatedKeyCursor(id string) string {
	b := append([]byte{0x83, 0xa1, 'i', byte(0xa0 | len(id))}, id...)
	b = append(b, 0xa1, 'v', 0xa1, 'a', 0xa1, 'v', 0xa1, 'b')
	return base64.RawStdEncoding.EncodeToString(b)
}

// orgCursors returns the cursors of the caller's organizations in order o ("" for the default).
func orgCursors(t *testing.T, c *testkit.Client, o string) []string {
	t.Helper()
	args := ""
	if o != "" {
		args = "(orderBy: " + o + ")"
	}
	var out struct {
		Viewer struct {
			Organizations struct{ Edges []struct{ Cursor string } }
		}
	}
	c.Do(t, `{ viewer { organizations`+args+` { edges { cursor } } } }`, nil).OK(t, &out)
	var cs []string
	for _, e := range out.Viewer.Organizations.Edges {
		cs = append(cs, e.Cursor)
	}
	return cs
}

// Every connection refuses, as BAD_USER_INPUT naming the argument, a cursor
// this server did not make or made for another order: malformed encodings,
// empty and huge strings, values that are no ID, and well-formed cursors of
// another order, whose values would reach SQL with the wrong type.
func TestBadCursorsAreBadUserInput(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		alice.CreateOrg(t)
		byName := orgCursors(t, alice, "{field: NAME}")
		byCreated := orgCursors(t, alice, "{field: CREATED_AT, direction: DESC}")
		byID := orgCursors(t, alice, "")
		valid, _ := base64.RawStdEncoding.DecodeString(byID[0])

		malformed := map[string]string{
			"not base64":          "!!!not*base64!!!",
			"base64 of garbage":   base64.RawStdEncoding.EncodeToString([]byte("hello, world")),
			"padded base64":       base64.StdEncoding.EncodeToString(valid),
			"empty":               "",
			"huge":                strings.Repeat("A", 100_000),
			"trailing bytes":      base64.RawStdEncoding.EncodeToString(append(valid, 0xc0)),
			"ID is no ID":         packCursor(t, map[string]any{"i": "nope"}),
			"ID is a number":      packCursor(t, map[string]any{"i": 42}),
			"no ID":               packCursor(t, map[string]any{"v": "Acme"}),
			"value is a list":     packCursor(t, map[string]any{"i": org.ID, "v": []any{1, 2}}),
			"value is an object":  packCursor(t, map[string]any{"i": org.ID, "v": map[string]any{"a": 1}}),
			"a msgpack string":    packCursor(t, "org_01j9z3x5y6w7v8t9s0r1q2p3n4"),
			"a nested connection": packCursor(t, map[string]any{"i": org.ID, "v": map[string]any{"i": org.ID}}),
			// msgpack's struct decoding panics on a repeated key whose first value is a string or map.
			"a repeated key":    repeatedKeyCursor(org.ID),
			"an upper-case ID":  packCursor(t, map[string]any{"i": strings.ToUpper(org.ID)}),
			"an overflowing ID": packCursor(t, map[string]any{"i": "org_8" + org.ID[5:]}),
			"keys out of order": base64.RawStdEncoding.EncodeToString(append(append([]byte{0x82, 0xa1, 'v', 0xa1, 'a', 0xa1, 'i'}, byte(0xa0|len(org.ID))), org.ID...)),
		}
		// Well-formed cursors used with an order they were not made for.
		mismatched := []struct{ name, cursor, order string }{
			{"NAME cursor, CREATED_AT order", byName[0], "{field: CREATED_AT}"},
			{"CREATED_AT cursor, NAME order", byCreated[0], "{field: NAME}"},
			{"NAME cursor, default order", byName[0], ""},
			{"default cursor, NAME order", byID[0], "{field: NAME}"},
			{"forged time on NAME order", packCursor(t, map[string]any{"i": org.ID, "v": 1.5}), "{field: NAME}"},
		}

		type conn struct {
			name string
			doc  func(arg, order string) string
		}
		withOrder := func(arg, order string) string {
			if order == "" {
				return arg
			}
			return arg + ", orderBy: " + order
		}
		conns := []conn{
			{"viewer.organizations", func(arg, order string) string {
				return `query($c: Cursor, $org: ID!) { viewer { organizations(where: {id: $org}, ` + withOrder(arg, order) + `) { edges { node { id } } } } }`
			}},
			{"nested projects", func(arg, order string) string {
				return `query($c: Cursor, $org: ID!) { viewer { organizations(first: 5, where: {id: $org}) { edges { node { projects(` + withOrder(arg, strings.ReplaceAll(order, "CREATED_AT", "UPDATED_AT")) + `) { edges { node { id } } } } } } } }`
			}},
			{"organization.members", func(arg, order string) string {
				return `query($c: Cursor, $org: ID!) { organization(id: $org) { members(` + withOrder(arg, strings.ReplaceAll(order, "NAME", "LAST_ACTIVITY_AT")) + `) { edges { node { id } } } } }`
			}},
			{"organization.invitations", func(arg, order string) string {
				return `query($c: Cursor, $org: ID!) { organization(id: $org) { invitations(` + withOrder(arg, strings.ReplaceAll(order, "NAME", "EMAIL")) + `) { edges { node { id } } } } }`
			}},
		}
		for _, c := range conns {
			for _, arg := range []string{"after: $c", "before: $c", "last: 2, before: $c", "first: 2, after: $c"} {
				field := strings.TrimSuffix(strings.Fields(arg)[len(strings.Fields(arg))-2], ":")
				for name, cursor := range malformed {
					r := alice.Do(t, c.doc(arg, ""), map[string]any{"c": cursor, "org": org.ID})
					badInput(t, r, field, fmt.Sprintf("%s(%s) with %s", c.name, arg, name), cursor)
				}
				// As a literal in the document too.
				if !strings.Contains(arg, "first") {
					doc := strings.Replace(c.doc(strings.Replace(arg, "$c", `"`+malformed["base64 of garbage"]+`"`, 1), ""), "$c: Cursor, ", "", 1)
					badInput(t, alice.Do(t, doc, map[string]any{"org": org.ID}), field, c.name+" with a literal cursor")
				}
			}
			for _, m := range mismatched {
				if c.name == "organization.members" && (m.name == "CREATED_AT cursor, NAME order" || m.name == "default cursor, NAME order") {
					continue // its stand-in for NAME is a nullable time: a time or no value fits it
				}
				r := alice.Do(t, c.doc("after: $c", m.order), map[string]any{"c": m.cursor, "org": org.ID})
				badInput(t, r, "after", c.name+" with "+m.name)
			}
		}
		// The cursors themselves still work.
		var out struct {
			Viewer struct {
				Organizations struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
		alice.Do(t, `query($c: Cursor) { viewer { organizations(after: $c, orderBy: {field: NAME}) { edges { node { id } } } } }`,
			map[string]any{"c": byName[0]}).OK(t, &out)
		if len(out.Viewer.Organizations.Edges) != 1 {
			t.Fatalf("after the first of two: %d edges", len(out.Viewer.Organizations.Edges))
		}
		// Another organization's member gets NOT_FOUND, not the cursor's verdict, for this organization.
		bob := e.SignIn(t, "bob")
		bob.Do(t, `query($org: ID!) { organization(id: $org) { members { totalCount } } }`, map[string]any{"org": org.ID}).Err(t, "NOT_FOUND")
	})
}

func TestFirstWithLastIsBadUserInput(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		for _, doc := range []string{
			`query($org: ID!) { organization(id: $org) { members(first: 2, last: 2) { totalCount } } }`,
			`query($org: ID!) { viewer { organizations(first: 1, last: 1, where: {id: $org}) { totalCount } } }`,
			`query($org: ID!) { viewer { organizations(where: {id: $org}) { edges { node { projects(first: 1, last: 1) { totalCount } } } } } }`,
			`query($org: ID!, $n: Int) { organization(id: $org) { invitations(first: $n, last: $n) { totalCount } } }`,
		} {
			badInput(t, alice.Do(t, doc, map[string]any{"org": org.ID, "n": 2}), "last", doc)
		}
	})
}

// nest wraps leaf in depth levels of {not: ...}.
func nest(leaf map[string]any, depth int) map[string]any {
	w := leaf
	for range depth {
		w = map[string]any{"not": w}
	}
	return w
}

// Where-inputs: a nested filter that filters on nothing, too long a list,
// too deep a nesting or too many values is BAD_USER_INPUT naming its path,
// on root and nested connections; the largest accepted filter runs on both
// stores.
func TestWhereInputBounds(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		const rootDoc = `query($w: OrganizationWhereInput) { viewer { organizations(where: $w) { totalCount } } }`
		const nestedDoc = `query($w: ProjectWhereInput) { viewer { organizations(first: 3) { edges { node { projects(where: $w) { totalCount } } } } } }`
		const membersDoc = `query($org: ID!, $w: MembershipWhereInput) { organization(id: $org) { members(where: $w) { totalCount } } }`
		ids := func(n int) []any {
			out := make([]any, n)
			for i := range out {
				out[i] = fmt.Sprintf("org_%026d", i)
			}
			return out
		}
		cond := map[string]any{"nameContains": "a"}
		many := func(n int) []any {
			out := make([]any, n)
			for i := range out {
				out[i] = cond
			}
			return out
		}
		refused := []struct {
			name  string
			where map[string]any
			field string
		}{
			{"empty not", map[string]any{"not": map[string]any{}}, "where.not"},
			{"not of nulls", map[string]any{"not": map[string]any{"nameContains": nil, "idIn": []any{}}}, "where.not"},
			{"empty and", map[string]any{"and": []any{map[string]any{}}}, "where.and.0"},
			{"empty or", map[string]any{"or": []any{cond, map[string]any{}}}, "where.or.1"},
			{"empty edge filter", map[string]any{"hasProjectsWith": []any{map[string]any{}}}, "where.hasProjectsWith.0"},
			{"empty deep inside", map[string]any{"and": []any{map[string]any{"or": []any{map[string]any{"not": map[string]any{}}}}}}, "where.and.0.or.0.not"},
			{"empty edge filter of an edge filter", map[string]any{"hasMembersWith": []any{map[string]any{"hasUserWith": []any{map[string]any{}}}}}, "where.hasMembersWith.0.hasUserWith.0"},
			{"101 ids", map[string]any{"idIn": ids(101)}, "where.idIn"},
			{"101 conditions", map[string]any{"or": many(101)}, "where.or"},
			{"too deep", nest(cond, 6), "where.not.not.not.not.not.not"},
			{"too many values", map[string]any{"or": []any{
				map[string]any{"idIn": ids(100), "or": many(100)}, map[string]any{"idIn": ids(100), "or": many(100)},
				map[string]any{"idIn": ids(100), "or": many(100)}, map[string]any{"idIn": ids(100), "or": many(100)},
				map[string]any{"idIn": ids(100), "or": many(100)}, map[string]any{"idIn": ids(100), "or": many(100)},
				map[string]any{"idIn": ids(100), "or": many(100)}, map[string]any{"idIn": ids(100), "or": many(100)}}}, "where"},
		}
		for _, tc := range refused {
			badInput(t, alice.Do(t, rootDoc, map[string]any{"w": tc.where}), tc.field, "viewer.organizations "+tc.name)
		}
		// The same rules on a nested (eager-loaded) and a hand-written connection.
		badInput(t, alice.Do(t, nestedDoc, map[string]any{"w": map[string]any{"not": map[string]any{}}}), "where.not", "nested projects")
		badInput(t, alice.Do(t, nestedDoc, map[string]any{"w": nest(cond, 6)}), "where.not.not.not.not.not.not", "nested projects too deep")
		badInput(t, alice.Do(t, membersDoc, map[string]any{"org": org.ID, "w": map[string]any{"or": []any{map[string]any{}}}}), "where.or.0", "members")
		// And in the document rather than in variables.
		badInput(t, alice.Do(t, `{ viewer { organizations(where: {not: {}}) { totalCount } } }`, nil), "where.not", "literal")

		// Accepted: the top-level empty filter, and the largest filters within the bounds, on both stores.
		big := map[string]any{"idIn": ids(100), "or": many(99)}
		deep := nest(map[string]any{"and": many(100)}, 4) // the and's items are 6 deep
		wide := map[string]any{"or": []any{}}
		for i := 0; i < 18; i++ { // 18 × 101 values, under the 2,000 bound
			wide["or"] = append(wide["or"].([]any), map[string]any{"idIn": ids(100)})
		}
		// The longest chain of conditions SQL gets: on every level every field of
		// the filter, and as many more conditions as a list holds.
		var widest map[string]any
		for level := 0; level < 5; level++ {
			w := map[string]any{"and": many(99)}
			for _, f := range []string{"id", "name"} {
				for _, op := range []string{"", "NEQ", "GT", "GTE", "LT", "LTE", "EqualFold", "ContainsFold"} {
					w[f+op] = "x"
				}
				if f != "id" {
					for _, op := range []string{"Contains", "HasPrefix", "HasSuffix"} {
						w[f+op] = "x"
					}
				}
			}
			for _, f := range []string{"createdAt", "updatedAt"} {
				for _, op := range []string{"", "NEQ", "GT", "GTE", "LT", "LTE"} {
					w[f+op] = "2026-01-01T00:00:00Z"
				}
			}
			for _, f := range []string{"hasOwner", "hasMembers", "hasProjects", "hasClusters"} {
				w[f] = true
			}
			if widest != nil {
				w["not"] = widest
			}
			widest = w
		}
		for name, w := range map[string]map[string]any{"empty": {}, "big": big, "deep": deep, "wide": wide, "widest": widest,
			"deep and wide": nest(map[string]any{"or": many(100), "and": many(100), "idNotIn": ids(100)}, 4)} {
			var out struct {
				Viewer struct{ Organizations struct{ TotalCount int } }
			}
			r := alice.Do(t, rootDoc, map[string]any{"w": w})
			if len(r.Errors) > 0 {
				t.Errorf("accepted filter %s: %.300s", name, r.Body)
				continue
			}
			r.OK(t, &out)
		}
		var out struct {
			Viewer struct{ Organizations struct{ TotalCount int } }
		}
		alice.Do(t, rootDoc, map[string]any{"w": map[string]any{}}).OK(t, &out)
		if out.Viewer.Organizations.TotalCount != 1 {
			t.Fatalf("where: {} lists %d organizations, want alice's one", out.Viewer.Organizations.TotalCount)
		}

		// Lists of other inputs are bounded too.
		emails := make([]any, 101)
		for i := range emails {
			emails[i] = fmt.Sprintf("ops%d@acme.dev", i)
		}
		badInput(t, alice.Do(t, `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`,
			map[string]any{"input": map[string]any{"name": testkit.Unique("Org"), "adminContactEmails": emails}}), "input.adminContactEmails", "101 e-mails")
		badInput(t, alice.Do(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids(101)}), "ids", "nodes")
		var nodes struct{ Nodes []any }
		alice.Do(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids(100)}).OK(t, &nodes)
	})
}

// Deep nesting in variables is refused before it reaches the database.
func TestDeeplyNestedVariablesAreRefused(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		w := nest(map[string]any{"nameContains": "a"}, 3000)
		b, _ := json.Marshal(map[string]any{"query": `query($w: OrganizationWhereInput) { viewer { organizations(where: $w) { totalCount } } }`, "variables": map[string]any{"w": w}})
		if len(b) > 1<<20 {
			t.Fatalf("body of %d bytes is over the request limit", len(b))
		}
		r := alice.Do(t, `query($w: OrganizationWhereInput) { viewer { organizations(where: $w) { totalCount } } }`, map[string]any{"w": w})
		badInput(t, r, "where.not.not.not.not.not.not", "3,000 levels")
	})
}

// Values of custom scalars that do not decode — a cursor that is no string,
// a time that is no RFC 3339 time — are BAD_USER_INPUT naming their path, on
// root and nested connections alike (a nested connection's arguments are
// decoded before its resolver would see them).
func TestUndecodableScalarsAreBadUserInput(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		alice.CreateOrg(t)
		const root = `query($c: Cursor, $w: OrganizationWhereInput) { viewer { organizations(after: $c, where: $w) { totalCount } } }`
		const nested = `query($c: Cursor, $w: ProjectWhereInput) { viewer { organizations { edges { node { projects(after: $c, where: $w) { totalCount } } } } } }`
		for _, doc := range []string{root, nested} {
			for _, c := range []any{5, 1.5, true, map[string]any{"i": "org_x"}, []any{"a"}} {
				badInput(t, alice.Do(t, doc, map[string]any{"c": c}), "after", fmt.Sprintf("cursor %v", c))
			}
			for _, tm := range []any{"garbage", "2026-13-01T00:00:00Z", "2026-01-01", 12, true, map[string]any{}} {
				badInput(t, alice.Do(t, doc, map[string]any{"w": map[string]any{"createdAtGT": tm}}), "where.createdAtGT", fmt.Sprintf("time %v", tm))
				badInput(t, alice.Do(t, doc, map[string]any{"w": map[string]any{"or": []any{map[string]any{"updatedAtIn": []any{"2026-01-01T00:00:00Z", tm}}}}}),
					"where.or.0.updatedAtIn.1", fmt.Sprintf("time %v in a list", tm))
			}
			alice.Do(t, doc, map[string]any{"w": map[string]any{"createdAtGT": "2026-01-01T00:00:00.123456789+02:00"}}).OK(t, nil)
		}
	})
}

// One object has one ID: the other spellings the ULID parser reads (upper
// or mixed case, an overflowing first character) name nothing, through
// node, nodes and the typed lookups; the ID itself still works, for its
// organization's members only.
func TestOnlyTheCanonicalIDNamesAnObject(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		rest := org.ID[len("org_"):]
		letter := strings.IndexAny(rest[1:], "abcdefghjkmnpqrstvwxyz") + 1 // the first character may be 0 or 1 only
		spellings := map[string]string{
			"upper case":             strings.ToUpper(org.ID),
			"upper-case ULID":        "org_" + strings.ToUpper(rest),
			"one upper-case char":    "org_" + rest[:letter] + strings.ToUpper(rest[letter:letter+1]) + rest[letter+1:],
			"overflowing first char": "org_" + string(rest[0]+8) + rest[1:],
		}
		for name, s := range spellings {
			for _, doc := range []string{`query($id: ID!) { organization(id: $id) { id } }`, `query($id: ID!) { node(id: $id) { id } }`} {
				if r := alice.Do(t, doc, map[string]any{"id": s}); len(r.Errors) != 1 || r.Errors[0].Code() != "NOT_FOUND" {
					t.Errorf("%s: %s answered %s", name, doc, r.Body)
				}
			}
			var nodes struct{ Nodes []*struct{ ID string } }
			alice.Do(t, `query($id: ID!) { nodes(ids: [$id]) { id } }`, map[string]any{"id": s}).OK(t, &nodes)
			if len(nodes.Nodes) != 1 || nodes.Nodes[0] != nil {
				t.Errorf("%s: nodes(ids:) gave %+v", name, nodes.Nodes)
			}
		}
		var got struct{ Node struct{ ID string } }
		alice.Do(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": org.ID}).OK(t, &got)
		if got.Node.ID != org.ID {
			t.Fatalf("node(id:) of the ID itself: %+v", got)
		}
		bob := e.SignIn(t, "bob")
		bob.Do(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": org.ID}).Err(t, "NOT_FOUND")
	})
}

// Bytes that are not UTF-8 reach the parser as they are from a GET's query
// parameter (JSON decoding replaces them in a POST); in any string argument
// they are BAD_USER_INPUT naming its path, on both stores, not an internal
// error from PostgreSQL, which cannot store them.
func TestInvalidUTF8IsBadUserInput(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		get := func(doc string) *testkit.Response {
			req := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(doc), nil)
			req.Header.Set("GraphQL-Require-Preflight", "1")
			return alice.Send(t, req)
		}
		// Each case's # stands for bytes that are not UTF-8.
		for _, c := range []struct{ field, doc, bad string }{
			{"where.name", `{viewer{organizations(where:{name:"a#b"}){totalCount}}}`, "\xff"},
			{"where.nameContains", `{ viewer { organizations(where: {nameContains: "#"}) { totalCount } } }`, "\xc3"},
			{"where.or.1.name", `{ viewer { organizations(where: {or: [{name: "a"}, {name: "#"}]}) { totalCount } } }`, "\xed\xa0\x80"},
			{"id", `{ organization(id: "` + org.ID + `#") { id } }`, "\xfe"},
			{"ids.0", `{ nodes(ids: ["#"]) { id } }`, "\x80"},
			{"after", `{ viewer { organizations(after: "#") { totalCount } } }`, "\xff\xff"},
			{"where.hasProjectsWith.0.nameHasPrefix", `{ viewer { organizations(where: {hasProjectsWith: [{nameHasPrefix: "x#"}]}) { totalCount } } }`, "\xf0\x9f"},
		} {
			badInput(t, get(strings.Replace(c.doc, "#", c.bad, 1)), c.field, c.field)
		}
		// Valid UTF-8 in the same places answers.
		var out struct {
			Viewer struct{ Organizations struct{ TotalCount int } }
		}
		if r := get(`{ viewer { organizations(where: {nameContains: "été"}) { totalCount } } }`); r.Status != http.StatusOK || len(r.Errors) != 0 {
			t.Fatalf("valid UTF-8: %s", r.Body)
		} else if err := json.Unmarshal(r.Data, &out); err != nil {
			t.Fatal(err)
		}
	})
}
