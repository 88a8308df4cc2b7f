package server

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// shapeLimits refuses an operation nested deeper than maxDepth, or with more
// than maxAliases aliases or maxRootFields root fields, before any resolver
// runs (docs/security.md S2). Fragments count where they are spread. Introspection
// fields are left out: GraphiQL's introspection query is deeper than any
// sensible limit, and introspection is off in production.
type shapeLimits struct {
	maxDepth, maxAliases, maxRootFields int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = shapeLimits{}

func (shapeLimits) ExtensionName() string                   { return "ShapeLimits" }
func (shapeLimits) Validate(graphql.ExecutableSchema) error { return nil }

func (l shapeLimits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	m := &shapeMeter{doc: oc.Doc, fragments: map[string]shape{}}
	s := m.selectionSet(oc.Operation.SelectionSet)
	switch {
	case s.depth > l.maxDepth:
		return shapeError("depth", s.depth, l.maxDepth)
	case s.aliases > l.maxAliases:
		return shapeError("aliases", s.aliases, l.maxAliases)
	case s.fields > l.maxRootFields:
		return shapeError("rootFields", s.fields, l.maxRootFields)
	}
	return nil
}

func shapeError(limit string, value, maximum int) *gqlerror.Error {
	name := map[string]string{"depth": "depth", "aliases": "number of aliases", "rootFields": "number of root fields"}[limit]
	err := gqlerror.Errorf("operation %s %d exceeds the limit of %d", name, value, maximum)
	errcode.Set(err, errcode.ValidationFailed)
	err.Extensions["limit"] = limit
	err.Extensions["maximum"] = maximum
	return err
}

// shape measures a selection set: how deep it nests, how many aliases it
// holds at any depth and how many fields it has at its own level.
type shape struct{ depth, aliases, fields int }

// shapeMeter measures each fragment once, so fragments spreading fragments
// cost time linear in the document.
type shapeMeter struct {
	doc       *ast.QueryDocument
	fragments map[string]shape
}

func (m *shapeMeter) selectionSet(set ast.SelectionSet) shape {
	var s shape
	for _, sel := range set {
		var inner shape
		switch f := sel.(type) {
		case *ast.Field:
			inner = shape{fields: 1}
			if strings.HasPrefix(f.Name, "__") && f.Name != "__typename" {
				break
			}
			child := m.selectionSet(f.SelectionSet)
			inner.depth = child.depth + 1
			inner.aliases = child.aliases
			if f.Alias != f.Name {
				inner.aliases = addCost(inner.aliases, 1)
			}
		case *ast.InlineFragment:
			inner = m.selectionSet(f.SelectionSet)
		case *ast.FragmentSpread:
			inner = m.fragment(f.Name)
		}
		s.depth = max(s.depth, inner.depth)
		s.aliases = addCost(s.aliases, inner.aliases)
		s.fields = addCost(s.fields, inner.fields)
	}
	return s
}

func (m *shapeMeter) fragment(name string) shape {
	if s, ok := m.fragments[name]; ok {
		return s
	}
	m.fragments[name] = shape{} // a cycle ends here (validation refuses cycles anyway)
	var s shape
	if def := m.doc.Fragments.ForName(name); def != nil {
		s = m.selectionSet(def.SelectionSet)
	}
	m.fragments[name] = s
	return s
}
