package server

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/roles"
	"github.com/orgql/orgql/internal/viewer"
)

// publicRootFields are the only root fields an anonymous request may ask for.
var publicRootFields = map[string]bool{
	"plans": true, "invitation": true, "__typename": true, "__schema": true, "__type": true,
}

// requireCaller answers UNAUTHENTICATED for a root field that needs a caller when there is none.
func requireCaller(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	if viewer.FromContext(ctx) == nil && fc != nil && !publicRootFields[fc.Field.Name] {
		graphql.AddError(ctx, apperr.Unauthenticated())
		return graphql.Null
	}
	return next(ctx)
}

// memoizeViewerRoles loads the caller's roles once per query (see
// roles.WithViewerRoles); a mutation may change them, so it reads them fresh.
func memoizeViewerRoles(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation == ast.Query {
		ctx = roles.WithViewerRoles(ctx)
	}
	return next(ctx)
}
