package server

import (
	"context"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/orgql/orgql/internal/apperr"
)

// Page sizes of connections: at most 100, 50 when not given.
const (
	maxPageSize     = 100
	defaultPageSize = 50
)

// pageSizes refuses a connection's first or last over maxPageSize before
// any resolver runs, and gives a connection with neither `first:
// defaultPageSize`. The default is written into the operation's own copy of
// the document: entgql's field collection eager-loads nested connections
// from the document's arguments, so a default set only in the resolvers
// would still load every row. The cached document is never changed.
type pageSizes struct{ schema *ast.Schema }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &pageSizes{}

func (*pageSizes) ExtensionName() string { return "PageSizes" }

func (p *pageSizes) Validate(es graphql.ExecutableSchema) error {
	p.schema = es.Schema()
	return nil
}

func (p *pageSizes) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	c := &pageCopier{schema: p.schema, vars: oc.Variables, doc: oc.Doc, fragments: map[string]*ast.FragmentDefinition{}}
	op := *oc.Operation
	var err *gqlerror.Error
	if op.SelectionSet, err = c.selectionSet(oc.Operation.SelectionSet); err != nil {
		return err
	}
	doc := *oc.Doc
	doc.Operations = ast.OperationList{&op}
	doc.Fragments = make(ast.FragmentDefinitionList, len(oc.Doc.Fragments))
	for i, f := range oc.Doc.Fragments {
		if cp, ok := c.fragments[f.Name]; ok {
			f = cp
		}
		doc.Fragments[i] = f
	}
	oc.Operation, oc.Doc = &op, &doc
	return nil
}

// pageCopier copies an operation's selections, checking and defaulting the
// page size of each connection field.
type pageCopier struct {
	schema    *ast.Schema
	vars      map[string]any
	doc       *ast.QueryDocument
	fragments map[string]*ast.FragmentDefinition // copies, by name
}

func (c *pageCopier) selectionSet(set ast.SelectionSet) (ast.SelectionSet, *gqlerror.Error) {
	if set == nil {
		return nil, nil
	}
	out := make(ast.SelectionSet, len(set))
	for i, sel := range set {
		var err *gqlerror.Error
		switch s := sel.(type) {
		case *ast.Field:
			f := *s
			if isConnection(c.schema, s.Definition) {
				if f.Arguments, err = c.pageArguments(s); err != nil {
					return nil, err
				}
			}
			if f.SelectionSet, err = c.selectionSet(s.SelectionSet); err != nil {
				return nil, err
			}
			out[i] = &f
		case *ast.InlineFragment:
			f := *s
			if f.SelectionSet, err = c.selectionSet(s.SelectionSet); err != nil {
				return nil, err
			}
			out[i] = &f
		case *ast.FragmentSpread:
			f := *s
			if f.Definition, err = c.fragment(s.Name); err != nil {
				return nil, err
			}
			out[i] = &f
		default:
			out[i] = sel
		}
	}
	return out, nil
}

func (c *pageCopier) fragment(name string) (*ast.FragmentDefinition, *gqlerror.Error) {
	if cp, ok := c.fragments[name]; ok {
		return cp, nil
	}
	def := c.doc.Fragments.ForName(name)
	if def == nil {
		return nil, nil // validation has refused such a document already
	}
	cp := *def
	c.fragments[name] = &cp // before the walk: a cycle ends here (validation refuses cycles anyway)
	var err *gqlerror.Error
	cp.SelectionSet, err = c.selectionSet(def.SelectionSet)
	return &cp, err
}

// pageArguments checks a connection field's first and last and returns its
// arguments with `first: defaultPageSize` when neither is given.
func (c *pageCopier) pageArguments(f *ast.Field) (ast.ArgumentList, *gqlerror.Error) {
	values := f.ArgumentMap(c.vars)
	given := false
	for _, name := range []string{"first", "last"} {
		v := values[name]
		if v == nil {
			continue
		}
		given = true
		n, err := graphql.UnmarshalInt(v)
		if err != nil || n < 0 || n > maxPageSize {
			return nil, pageSizeError(f, name)
		}
	}
	if values["first"] != nil && values["last"] != nil {
		// One page is the first or the last rows of the cursors' range, not both.
		err := gqlerror.ErrorPosf(f.Position, "give first or last on %s, not both", f.Alias)
		err.Extensions = map[string]any{"code": apperr.CodeBadUserInput, "field": "last"}
		return nil, err
	}
	if given {
		return f.Arguments, nil
	}
	first := &ast.Argument{
		Name:     "first",
		Value:    &ast.Value{Kind: ast.IntValue, Raw: strconv.Itoa(defaultPageSize), Position: f.Position},
		Position: f.Position,
	}
	args := make(ast.ArgumentList, 0, len(f.Arguments)+1)
	for _, a := range f.Arguments {
		if a.Name != "first" { // a null or unset variable
			args = append(args, a)
		}
	}
	return append(args, first), nil
}

func pageSizeError(f *ast.Field, arg string) *gqlerror.Error {
	err := gqlerror.ErrorPosf(f.Position, "%s on %s must be between 0 and %d", arg, f.Alias, maxPageSize)
	err.Extensions = map[string]any{"code": apperr.CodeBadUserInput, "field": arg}
	return err
}

// isConnection tells whether def is a Relay connection field: it takes
// first and last and returns a type with edges and pageInfo.
func isConnection(schema *ast.Schema, def *ast.FieldDefinition) bool {
	if def == nil || def.Arguments.ForName("first") == nil || def.Arguments.ForName("last") == nil {
		return false
	}
	t := schema.Types[def.Type.Name()]
	return t != nil && t.Fields.ForName("edges") != nil && t.Fields.ForName("pageInfo") != nil
}

// pageSize is the number of items a connection field asks for at most.
func pageSize(args map[string]any) int {
	for _, name := range []string{"first", "last"} {
		if v := args[name]; v != nil {
			if n, err := graphql.UnmarshalInt(v); err == nil {
				return max(n, 0)
			}
		}
	}
	return defaultPageSize
}
