package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/logging"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/viewer"
)

// presentError is the one place errors become client errors with
// extensions.code (docs/errors.md). Anything not known to be safe is logged with the
// request id and reaches the client as INTERNAL_SERVER_ERROR without its text.
// Parse and validation messages are shortened, and with hideSchema they name
// no schema member the caller did not write (see forClient).
func presentError(logger *slog.Logger, hideSchema bool) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := &gqlerror.Error{Path: graphql.GetPath(ctx)}
		var existing *gqlerror.Error
		if errors.As(err, &existing) && existing.Err == nil {
			// Parse, validation, APQ, limit and request errors keep their code.
			switch existing.Extensions["code"] {
			case errcode.ParseFailed, errcode.ValidationFailed:
				return forClient(existing, hideSchema)
			}
			return existing
		}
		if existing != nil && existing.Path != nil {
			gqlErr.Path = existing.Path
		}
		if existing != nil {
			gqlErr.Locations = existing.Locations
		}
		code, msg, ext := classify(ctx, err)
		gqlErr.Message = msg
		gqlErr.Extensions = map[string]any{"code": code}
		for k, v := range ext {
			gqlErr.Extensions[k] = v
		}
		if code == apperr.CodeInternal {
			id := RequestID(ctx)
			gqlErr.Extensions["requestId"] = id
			logger.ErrorContext(ctx, "internal error", append([]any{"path", gqlErr.Path.String()}, logging.ErrorAttrs(err)...)...)
		}
		return gqlErr
	}
}

func classify(ctx context.Context, err error) (code, msg string, ext map[string]any) {
	if e, ok := apperr.As(err); ok {
		ext = map[string]any{}
		if e.Field != "" {
			ext["field"] = e.Field
		}
		if e.Limit != "" {
			ext["limit"] = e.Limit
		}
		return e.Code, e.Message, ext
	}
	var validation *ent.ValidationError
	switch {
	case tenancy.IsDenied(err) && viewer.FromContext(ctx) == nil:
		return apperr.CodeUnauthenticated, "authentication required", nil
	case tenancy.IsDenied(err), ent.IsNotFound(err):
		return apperr.CodeNotFound, "not found", nil
	case ent.IsConstraintError(err):
		return apperr.CodeConflict, "conflicts with an existing object", nil
	case errors.As(err, &validation):
		return apperr.CodeBadUserInput, fmt.Sprintf("invalid value for %s", validation.Name), map[string]any{"field": validation.Name}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(ctx.Err(), context.DeadlineExceeded):
		// Drivers report a cancelled statement in their own words; the context says why.
		return apperr.CodeInternal, "the operation timed out", nil
	}
	return apperr.CodeInternal, "internal error", nil
}

// recoverPanic turns a panic into INTERNAL_SERVER_ERROR; the stack goes to the log only.
func recoverPanic(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return errors.New("panic") // presented as INTERNAL_SERVER_ERROR
	}
}
