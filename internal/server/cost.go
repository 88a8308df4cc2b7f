package server

import (
	"context"
	"math"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// CodeComplexityLimit is the code of an operation over the cost limit.
const CodeComplexityLimit = "COMPLEXITY_LIMIT_EXCEEDED"

// costLimit refuses an operation whose cost is over limit, with the cost and
// the limit in extensions (docs/security.md S3). Costs are gqlgen's (a field costs
// 1 plus its selections, or what generated.Config.Complexity says) except
// that every connection field costs its page size times its selections, found
// by the schema's shape so a new connection is covered without a list.
//
// gqlgen's own complexity walk expands a fragment at every spread, which is
// exponential for fragments spreading fragments twice; this one computes each
// fragment once.
type costLimit struct {
	limit int
	es    graphql.ExecutableSchema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &costLimit{}

// ExtensionName is gqlgen's complexity extension's, so extension.GetComplexityStats reads our statistics.
func (*costLimit) ExtensionName() string { return extension.ComplexityLimit{}.ExtensionName() }

func (c *costLimit) Validate(es graphql.ExecutableSchema) error {
	c.es = es
	return nil
}

func (c *costLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	w := &costWalker{es: c.es, vars: oc.Variables, doc: oc.Doc, fragments: map[string]int{}}
	cost := w.selectionSet(ctx, oc.Operation.SelectionSet)
	oc.Stats.SetExtension(c.ExtensionName(), &extension.ComplexityStats{Complexity: cost, ComplexityLimit: c.limit})
	if cost <= c.limit {
		return nil
	}
	err := gqlerror.Errorf("operation has complexity %d, which exceeds the limit of %d", cost, c.limit)
	err.Extensions = map[string]any{"code": CodeComplexityLimit, "complexity": cost, "limit": c.limit}
	return err
}

type costWalker struct {
	es        graphql.ExecutableSchema
	vars      map[string]any
	doc       *ast.QueryDocument
	fragments map[string]int // cost of each fragment's selections
}

func (w *costWalker) selectionSet(ctx context.Context, set ast.SelectionSet) int {
	total := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			total = addCost(total, w.field(ctx, s))
		case *ast.InlineFragment:
			total = addCost(total, w.selectionSet(ctx, s.SelectionSet))
		case *ast.FragmentSpread:
			total = addCost(total, w.fragment(ctx, s.Name))
		}
	}
	return total
}

func (w *costWalker) fragment(ctx context.Context, name string) int {
	if cost, ok := w.fragments[name]; ok {
		return cost
	}
	w.fragments[name] = 0 // a cycle ends here (validation refuses cycles anyway)
	cost := 0
	if def := w.doc.Fragments.ForName(name); def != nil {
		cost = w.selectionSet(ctx, def.SelectionSet)
	}
	w.fragments[name] = cost
	return cost
}

func (w *costWalker) field(ctx context.Context, f *ast.Field) int {
	schema := w.es.Schema()
	if f.Definition == nil || f.Definition.Type.Name() == "__Schema" {
		return 0
	}
	children := w.selectionSet(ctx, f.SelectionSet)
	args := f.ArgumentMap(w.vars)
	if isConnection(schema, f.Definition) {
		return mulCost(pageSize(args), max(children, 1))
	}
	// An interface field costs what its most expensive implementation costs.
	types := []*ast.Definition{f.ObjectDefinition}
	if f.ObjectDefinition.Kind == ast.Interface {
		types = schema.GetPossibleTypes(f.ObjectDefinition)
	}
	cost := 0
	for _, t := range types {
		c, ok := w.es.Complexity(ctx, t.Name, f.Name, children, args)
		if !ok {
			c = addCost(children, 1)
		}
		cost = max(cost, c)
	}
	return cost
}

func addCost(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func mulCost(a, b int) int {
	if a != 0 && b > math.MaxInt/a {
		return math.MaxInt
	}
	return a * b
}
