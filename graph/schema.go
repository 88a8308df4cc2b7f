package graph

import (
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/orgql/orgql/graph/generated"
)

var strip sync.Once

// NewExecutableSchema is the executable schema orgql serves, without the
// directives clients cannot use: @defer (the transports orgql serves answer
// in one response, so a document using it is refused as using an unknown
// directive) and gqlgen's code-generation directives (@goModel, @goField).
// Introspection advertises neither.
func NewExecutableSchema(r *Resolver) graphql.ExecutableSchema {
	es := generated.NewExecutableSchema(generated.Config{Resolvers: r})
	// gqlgen parses the schema once per process; removing the directives
	// there once removes them for every server.
	strip.Do(func() {
		for name := range es.Schema().Directives {
			if name == "defer" || strings.HasPrefix(name, "go") {
				delete(es.Schema().Directives, name)
			}
		}
	})
	return es
}
