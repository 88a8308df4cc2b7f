package server

import (
	"context"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/relay"
	"github.com/orgql/orgql/internal/validate"
)

// Bounds on argument values. A list of at most 100 items is what one page
// or one nodes(ids:) holds. The nesting and total bounds keep the SQL of a
// where-input (one bind parameter per value, one nested expression per
// level) well inside what both stores take: PostgreSQL's 65,535 bind
// parameters, SQLite's 32,766 and its expression depth of 1,000.
const (
	maxInputList   = 100
	maxInputDepth  = 6
	maxInputValues = 2000
)

// inputGuard checks the arguments of every field of an operation, as
// coerced from the document and its variables, before any resolver runs,
// so every field present and future obeys the same rules:
//
//   - no string anywhere holds a NUL or bytes that are not UTF-8
//     (PostgreSQL can store neither);
//   - every Cursor is one this server could have made (see relay.Decode);
//   - a where-input nested in another (not, and, or, hasXWith) filters on
//     something: an empty one has no meaning (the top-level where: {} is
//     "no filter");
//   - lists hold at most maxInputList items, input objects nest at most
//     maxInputDepth deep, and one field's arguments hold at most
//     maxInputValues values.
//
// Each refusal is BAD_USER_INPUT naming the argument's dotted path.
type inputGuard struct{ schema *ast.Schema }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &inputGuard{}

func (*inputGuard) ExtensionName() string { return "InputGuard" }

func (g *inputGuard) Validate(es graphql.ExecutableSchema) error {
	g.schema = es.Schema()
	return nil
}

func (g *inputGuard) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	w := &inputWalker{schema: g.schema, vars: oc.Variables, doc: oc.Doc, seen: map[string]bool{}}
	err := w.selectionSet(oc.Operation.SelectionSet)
	if err == nil {
		return nil
	}
	// Every refusal is an apperr.BadInput; the presenter passes gqlgen's own errors through as they are.
	e, _ := apperr.As(err)
	gqlErr := gqlerror.Errorf("%s", e.Message)
	gqlErr.Extensions = map[string]any{"code": e.Code, "field": e.Field}
	return gqlErr
}

// inputWalker visits each field of an operation once per place it is
// selected; fragments once each (their arguments depend only on the
// variables).
type inputWalker struct {
	schema *ast.Schema
	vars   map[string]any
	doc    *ast.QueryDocument
	seen   map[string]bool // fragments walked
	values int             // values in the current field's arguments
}

func (w *inputWalker) selectionSet(set ast.SelectionSet) error {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if err := w.field(s); err != nil {
				return err
			}
			if err := w.selectionSet(s.SelectionSet); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := w.selectionSet(s.SelectionSet); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if w.seen[s.Name] {
				continue
			}
			w.seen[s.Name] = true
			if def := w.doc.Fragments.ForName(s.Name); def != nil {
				if err := w.selectionSet(def.SelectionSet); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (w *inputWalker) field(f *ast.Field) error {
	if f.Definition == nil || len(f.Definition.Arguments) == 0 {
		return nil
	}
	values := f.ArgumentMap(w.vars)
	w.values = 0
	for _, arg := range f.Definition.Arguments {
		v, ok := values[arg.Name]
		if !ok {
			continue
		}
		if err := w.value(arg.Name, arg.Type, v, 0); err != nil {
			return err
		}
		if w.values > maxInputValues {
			return apperr.BadInput(arg.Name, "the arguments of %s hold more than %d values", f.Name, maxInputValues)
		}
	}
	return nil
}

// value checks v, of type typ, at path; depth counts the input objects around it.
func (w *inputWalker) value(path string, typ *ast.Type, v any, depth int) error {
	if v == nil {
		return nil
	}
	if typ.Elem != nil {
		list, ok := v.([]any)
		if !ok { // a single value stands for a list of one
			return w.value(path, typ.Elem, v, depth)
		}
		if len(list) > maxInputList {
			return apperr.BadInput(path, "%s must hold at most %d items", path, maxInputList)
		}
		for i, item := range list {
			if err := w.value(path+"."+strconv.Itoa(i), typ.Elem, item, depth); err != nil {
				return err
			}
		}
		return nil
	}
	w.values++
	def := w.schema.Types[typ.NamedType]
	if def == nil || def.Kind != ast.InputObject {
		return w.leaf(path, typ.NamedType, v)
	}
	fields, ok := v.(map[string]any)
	if !ok {
		return nil // coercion refuses it
	}
	if depth+1 > maxInputDepth {
		return apperr.BadInput(path, "%s nests input objects more than %d deep", path, maxInputDepth)
	}
	if depth > 0 && isWhereInput(def) && !filters(fields) {
		return apperr.BadInput(path, "%s must filter on something: give at least one condition, or leave it out", path)
	}
	for _, fd := range def.Fields {
		if fv, ok := fields[fd.Name]; ok {
			if err := w.value(path+"."+fd.Name, fd.Type, fv, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// leaf checks a scalar or enum value (a custom scalar may hold a JSON
// object). Validation lets any value through for a custom scalar, so those
// whose decoding can fail are decoded here: decoding them again later must
// not fail (entgql drops or panics on a value it cannot decode in a nested
// connection's arguments).
func (w *inputWalker) leaf(path, typeName string, v any) error {
	switch typeName {
	case "Cursor":
		s, ok := v.(string)
		if !ok {
			return apperr.BadInput(path, "%s must be a cursor string", path)
		}
		if err := validate.Storable(path, s); err != nil {
			return err
		}
		_, err := relay.Decode(path, s)
		return err
	case "Time":
		if _, err := graphql.UnmarshalTime(v); err != nil {
			return apperr.BadInput(path, "%s must be an RFC 3339 date and time", path)
		}
	}
	switch v := v.(type) {
	case string:
		if err := validate.Storable(path, v); err != nil {
			return err
		}
	case map[string]any:
		for k, item := range v {
			if err := validate.Storable(path, k); err != nil {
				return err
			}
			w.values++
			if err := w.leaf(path, typeName, item); err != nil {
				return err
			}
		}
	case []any:
		if len(v) > maxInputList {
			return apperr.BadInput(path, "%s must hold at most %d items", path, maxInputList)
		}
		for _, item := range v {
			w.values++
			if err := w.leaf(path, typeName, item); err != nil {
				return err
			}
		}
	}
	return nil
}

// isWhereInput tells whether def is an entgql where-input.
func isWhereInput(def *ast.Definition) bool {
	return strings.HasSuffix(def.Name, "WhereInput") && def.Fields.ForName("not") != nil
}

// filters tells whether a where-input's fields hold a condition: a value
// other than null or an empty list.
func filters(fields map[string]any) bool {
	for _, v := range fields {
		if list, ok := v.([]any); v != nil && (!ok || len(list) > 0) {
			return true
		}
	}
	return false
}
