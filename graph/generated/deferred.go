package generated

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// deferredGroup is the deferred group of an object whose fields are
// fields: gqlgen's (graphql.NewDeferredGroup, which computes the object's
// path and allocates a field set and a map) when one of them is deferred,
// else an empty group, which no field reads. graph/gqlgen.go puts it where
// gqlgen's generated code calls NewDeferredGroup for every object of every
// response, so that only documents that @defer pay for deferring
// (docs/architecture.md "A request").
func deferredGroup(ctx context.Context, fields []graphql.CollectedField) graphql.DeferredGroup {
	for _, f := range fields {
		if f.IsDeferred() {
			return graphql.NewDeferredGroup(ctx)
		}
	}
	return graphql.DeferredGroup{}
}
