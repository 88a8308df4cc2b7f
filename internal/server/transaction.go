package server

import (
	"context"
	"fmt"
	"slices"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// transactioner runs each mutation in one transaction, like
// entgql.Transactioner (whose resolver serialisation it keeps), except that a
// failure to begin or commit goes through the error presenter: entgql
// answers with the driver's text and no code.
type transactioner struct {
	entgql.Transactioner
	present graphql.ErrorPresenterFunc
}

var _ graphql.ResponseInterceptor = transactioner{}

func (t transactioner) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	// Errors before an operation exists (an unreadable body) come with no operation context.
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation != ast.Mutation || outsideTransaction(op) {
		return next(ctx)
	}
	txCtx, tx, err := t.OpenTx(ctx)
	if err != nil {
		return t.fail(ctx, fmt.Errorf("begin transaction: %w", err))
	}
	defer func() {
		if r := recover(); r != nil {
			_ = tx.Rollback()
			panic(r)
		}
	}()
	resp := next(txCtx)
	if resp == nil || len(resp.Errors) > 0 {
		_ = tx.Rollback()
		if resp == nil {
			return nil
		}
		return &graphql.Response{Errors: resp.Errors}
	}
	if err := tx.Commit(); err != nil {
		return t.fail(ctx, fmt.Errorf("commit transaction: %w", err))
	}
	return resp
}

func (t transactioner) fail(ctx context.Context, err error) *graphql.Response {
	return &graphql.Response{Errors: gqlerror.List{t.present(ctx, err)}}
}

// callingOut are the mutations that call another service (a credential
// check, waiting up to --credential-check-timeout) and write at most once,
// at the end, in a transaction of their own. Holding the operation's
// transaction meanwhile would hold PostgreSQL's row locks and, on SQLite,
// the database's one write lock, stalling every other writer.
var callingOut = []string{"checkContainerRegistry", "checkGitToken", "checkHelmRepository"}

// outsideTransaction reports whether every root field of op calls out.
func outsideTransaction(op *ast.OperationDefinition) bool {
	for _, s := range op.SelectionSet {
		f, ok := s.(*ast.Field)
		if !ok || !slices.Contains(callingOut, f.Name) {
			return false
		}
	}
	return len(op.SelectionSet) > 0
}
