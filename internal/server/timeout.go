package server

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// operationTimeout cancels a query or mutation after d, and with it the
// database statement it is running and its transaction (docs/security.md S9).
// Subscriptions live as long as their client.
func operationTimeout(d time.Duration, present graphql.ErrorPresenterFunc) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation == ast.Subscription {
			return next(ctx)
		}
		// The response handler runs with the context given to next. Its timer
		// stops when the request ends, or below when a stream of responses ends.
		ctx, cancel := context.WithTimeout(ctx, d)
		respond := next(ctx)
		first := true
		return func(rctx context.Context) *graphql.Response {
			resp := respond(rctx)
			if resp == nil {
				cancel()
				// gqlgen answers nothing at all for an operation whose context
				// ended before it started.
				if first && ctx.Err() == context.DeadlineExceeded {
					resp = &graphql.Response{Errors: gqlerror.List{present(ctx, ctx.Err())}}
				}
			}
			first = false
			return resp
		}
	}
}
