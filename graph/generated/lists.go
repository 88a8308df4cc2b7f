package generated

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// fieldKey names a field of an object type.
type fieldKey struct{ object, field string }

// marshalList is what graph/gqlgen.go puts where gqlgen's generated code
// calls graphql.MarshalSliceConcurrently, which marshals each element of a
// list of objects in a goroutine of its own so that the elements' resolvers
// wait on the database side by side. When no field the elements select, at
// any depth, has a resolver gqlgen runs concurrently (concurrentFields),
// nothing under them waits: their values were loaded with the list (entgql's
// field collection), and the goroutines only cost their start and the
// growth of their stacks. Such a list is marshalled element after element,
// as gqlgen does for a list of one (docs/architecture.md "A request"). An
// edge that was not loaded with the list (the statement-count tests keep
// the console's queries from that) is then read one element after another,
// not side by side. workerLimit is gqlgen's, for the concurrent path.
func (ec *executionContext) marshalList(ctx context.Context, sel ast.SelectionSet, length int, workerLimit int64, omitPanicHandler bool, marshalElement func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	if length < 2 || ec.selectionWaits(sel) {
		return graphql.MarshalSliceConcurrently(ctx, length, workerLimit, omitPanicHandler, marshalElement)
	}
	ret := make(graphql.Array, length)
	for i := range length {
		ctx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
		ret[i] = marshalOne(ctx, i, omitPanicHandler, marshalElement)
	}
	return ret
}

// marshalOne marshals one element; a panic there, as in gqlgen's
// MarshalSliceConcurrently, is that element's error and null.
func marshalOne(ctx context.Context, i int, omitPanicHandler bool, marshal func(ctx context.Context, i int) graphql.Marshaler) (ret graphql.Marshaler) {
	if !omitPanicHandler {
		defer func() {
			if r := recover(); r != nil {
				graphql.AddError(ctx, graphql.Recover(ctx, r))
				ret = graphql.Null
			}
		}()
	}
	return marshal(ctx, i)
}

// selectionWaits reports whether sel selects, at any depth and through any
// fragment, a field gqlgen resolves in a goroutine of its own. Skipped and
// included fields alike count: the answer may only err towards goroutines.
func (ec *executionContext) selectionWaits(sel ast.SelectionSet) bool {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if ec.fieldWaits(s) || ec.selectionWaits(s.SelectionSet) {
				return true
			}
		case *ast.InlineFragment:
			if ec.selectionWaits(s.SelectionSet) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition == nil || ec.selectionWaits(s.Definition.SelectionSet) {
				return true
			}
		default:
			return true
		}
	}
	return false
}

// fieldWaits reports whether f is resolved concurrently on its type or, for
// a field of an interface or a union, on any type that can stand for it.
func (ec *executionContext) fieldWaits(f *ast.Field) bool {
	parent := f.ObjectDefinition
	if parent == nil {
		return true
	}
	if parent.Kind == ast.Object {
		_, ok := concurrentFields[fieldKey{parent.Name, f.Name}]
		return ok
	}
	for _, t := range ec.Schema().GetPossibleTypes(parent) {
		if _, ok := concurrentFields[fieldKey{t.Name, f.Name}]; ok {
			return true
		}
	}
	return false
}
