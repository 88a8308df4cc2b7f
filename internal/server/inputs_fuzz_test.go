package server

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/orgql/orgql/graph/generated"
)

// guardedDocuments take every kind of argument the input guard walks:
// where-inputs at the root and nested, cursors, lists of IDs, an input object
// with lists and nested objects, and custom scalars.
var guardedDocuments = []string{
	`query($w: OrganizationWhereInput, $c: Cursor, $n: Int) { viewer { organizations(where: $w, after: $c, first: $n) { totalCount } } }`,
	`query($w: ProjectWhereInput, $c: Cursor) { viewer { organizations(first: 3) { edges { node { projects(where: $w, before: $c, last: 2) { totalCount } } } } } }`,
	`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
	`mutation($in: CreateOrganizationInput!) { createOrganization(input: $in) { id } }`,
	`query($w: MembershipWhereInput, $id: ID!) { organization(id: $id) { members(where: $w) { totalCount } } }`,
}

// The input guard never panics on any variables coercion lets through, and
// each of its refusals is BAD_USER_INPUT naming the argument's path.
func FuzzInputGuard(f *testing.F) {
	for _, seed := range []struct {
		doc  uint8
		vars string
	}{
		{0, `{"w": {"nameContains": "acme"}, "c": "gqFpuG9yZ18wMWo5ejN4NXk2dzd2OHQ5czByMXEycDNuNA", "n": 5}`},
		{0, `{"w": {"not": {"not": {"not": {"not": {"not": {"not": {"name": "a"}}}}}}}}`},
		{0, `{"w": {"or": [{}, {"name": "\u0000"}]}}`},
		{1, `{"w": {"hasClustersWith": [{"nameIn": ["a", "b"]}]}, "c": "!!!"}`},
		{2, `{"ids": ["org_01j9z3x5y6w7v8t9s0r1q2p3n4", "x"]}`},
		{3, `{"in": {"name": "Acme", "adminContactEmails": ["a@b.c"], "firstProject": {"name": "web"}}}`},
		{4, `{"id": "org_01j9z3x5y6w7v8t9s0r1q2p3n4", "w": {"createdAtGT": "not a time"}}`},
	} {
		f.Add(seed.doc, seed.vars)
	}
	es := generated.NewExecutableSchema(generated.Config{})
	guard := &inputGuard{}
	if err := guard.Validate(es); err != nil {
		f.Fatal(err)
	}
	var docs []*graphqlDoc
	for _, src := range guardedDocuments {
		doc, errs := gqlparser.LoadQuery(es.Schema(), src)
		if errs != nil {
			f.Fatalf("%s: %v", src, errs)
		}
		docs = append(docs, &graphqlDoc{doc.Operations[0], doc})
	}
	f.Fuzz(func(t *testing.T, which uint8, vars string) {
		d := docs[int(which)%len(docs)]
		var raw map[string]any
		dec := json.NewDecoder(strings.NewReader(vars))
		dec.UseNumber()
		if dec.Decode(&raw) != nil {
			return
		}
		coerced, gerr := validator.VariableValues(es.Schema(), d.op, raw)
		if gerr != nil {
			return
		}
		oc := &graphql.OperationContext{Doc: d.doc, Operation: d.op, Variables: coerced}
		err := guard.MutateOperationContext(context.Background(), oc)
		if err == nil {
			return
		}
		if err.Extensions["code"] != "BAD_USER_INPUT" || err.Extensions["field"] == "" || !strings.Contains(err.Message, err.Extensions["field"].(string)) {
			t.Fatalf("vars %s: refusal %q %v", vars, err.Message, err.Extensions)
		}
	})
}

type graphqlDoc struct {
	op  *ast.OperationDefinition
	doc *ast.QueryDocument
}
