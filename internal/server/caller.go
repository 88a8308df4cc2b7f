package server

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/orgql/orgql/graph"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/viewer"
)

// publicRootFields are the only root fields an anonymous request may ask for.
var publicRootFields = map[string]bool{
	"plans": true, "invitation": true, "__typename": true, "__schema": true, "__type": true,
}

// requireCaller refuses, before anything runs, an operation that asks for a
// root field needing a caller when there is none: a request without
// credentials and one whose credentials are not valid get the same answer,
// one UNAUTHENTICATED error and no data, so one client error handler serves both.
type requireCaller struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = requireCaller{}

func (requireCaller) ExtensionName() string                   { return "RequireCaller" }
func (requireCaller) Validate(graphql.ExecutableSchema) error { return nil }

func (requireCaller) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if viewer.FromContext(ctx) != nil {
		return nil
	}
	if f := privateRootField(oc.Doc, oc.Operation.SelectionSet, map[string]bool{}); f != nil {
		err := gqlerror.ErrorPosf(f.Position, "authentication required")
		err.Extensions = map[string]any{"code": apperr.CodeUnauthenticated}
		return err
	}
	return nil
}

// privateRootField finds a root field that is not public, through fragments.
func privateRootField(doc *ast.QueryDocument, set ast.SelectionSet, seen map[string]bool) *ast.Field {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if !publicRootFields[s.Name] {
				return s
			}
		case *ast.InlineFragment:
			if f := privateRootField(doc, s.SelectionSet, seen); f != nil {
				return f
			}
		case *ast.FragmentSpread:
			if def := doc.Fragments.ForName(s.Name); def != nil && !seen[s.Name] {
				seen[s.Name] = true
				if f := privateRootField(doc, def.SelectionSet, seen); f != nil {
					return f
				}
			}
		}
	}
	return nil
}

// cacheQueryRoles looks the caller's roles, and the organizations events
// name, up once per query (tenancy.WithRoleCache, graph.WithOrganizationMemo).
func cacheQueryRoles(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation == ast.Query {
		ctx = graph.WithOrganizationMemo(tenancy.WithRoleCache(ctx))
	}
	return next(ctx)
}

// cacheMutationRoles gives each root field of a mutation its own role
// cache: a field may change the caller's roles (transferOwnership), and the
// next one must see the change.
func cacheMutationRoles(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation == ast.Mutation {
		ctx = graph.WithOrganizationMemo(tenancy.WithRoleCache(ctx))
	}
	return next(ctx)
}
