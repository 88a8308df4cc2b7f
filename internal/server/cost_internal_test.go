package server

import (
	"context"
	"strconv"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2"

	"github.com/orgql/orgql/graph/generated"
)

// Fragments spreading fragments twice are computed once each: a naive walk
// of this document visits 2^40 fields and never finishes. Its cost is still
// 2^40 + 1, as the fields it would execute before merging. (Through the
// handler, shapeLimits refuses such a document before its cost is computed.)
func TestComplexityOfNestedFragmentsIsComputedOnce(t *testing.T) {
	doc := `{ viewer { ...F0 } }`
	for i := range 40 {
		next := strconv.Itoa(i + 1)
		doc += ` fragment F` + strconv.Itoa(i) + ` on Viewer { ...F` + next + ` ...F` + next + ` }`
	}
	doc += ` fragment F40 on Viewer { __typename }`
	es := generated.NewExecutableSchema(generated.Config{})
	parsed, errs := gqlparser.LoadQuery(es.Schema(), doc)
	if errs != nil {
		t.Fatal(errs)
	}
	c := &costLimit{limit: 25000}
	if err := c.Validate(es); err != nil {
		t.Fatal(err)
	}
	oc := &graphql.OperationContext{Doc: parsed, Operation: parsed.Operations[0]}
	err := c.MutateOperationContext(context.Background(), oc)
	if err == nil || err.Extensions["complexity"] != 1<<40+1 {
		t.Fatalf("err = %v, want complexity %d", err, 1<<40+1)
	}
	if stats := extension.GetComplexityStats(graphql.WithOperationContext(context.Background(), oc)); stats == nil || stats.Complexity != 1<<40+1 {
		t.Fatalf("stats = %+v", stats)
	}
}
