// Package apperr defines the errors orgql reports to clients. Each carries the
// extensions.code of docs/errors.md; the one error presenter (internal/server) maps
// them, and everything else becomes INTERNAL_SERVER_ERROR.
package apperr

import (
	"errors"
	"fmt"
)

// Codes of docs/errors.md.
const (
	CodeUnauthenticated   = "UNAUTHENTICATED"
	CodeForbidden         = "FORBIDDEN"
	CodeNotFound          = "NOT_FOUND"
	CodeBadUserInput      = "BAD_USER_INPUT"
	CodeConflict          = "CONFLICT"
	CodePlanLimitExceeded = "PLAN_LIMIT_EXCEEDED"
	CodeLastOwner         = "LAST_OWNER"
	CodeRateLimited       = "RATE_LIMITED"
	CodeNotConfigured     = "NOT_CONFIGURED"
	CodeInternal          = "INTERNAL_SERVER_ERROR"
)

// Error is an error meant for the client.
type Error struct {
	Code    string
	Message string
	// Field is the dotted input path of a BAD_USER_INPUT error.
	Field string
	// Limit names the plan limit of a PLAN_LIMIT_EXCEEDED error.
	Limit string
}

func (e *Error) Error() string { return e.Message }

// Is matches errors of the same code, so errors.Is(err, ErrNotFound) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Message == "" || t.Message == e.Message)
}

// Sentinels for errors.Is; their empty message matches any message of the code.
var (
	ErrUnauthenticated = &Error{Code: CodeUnauthenticated}
	ErrForbidden       = &Error{Code: CodeForbidden}
	ErrNotFound        = &Error{Code: CodeNotFound}
	ErrBadUserInput    = &Error{Code: CodeBadUserInput}
	ErrConflict        = &Error{Code: CodeConflict}
	ErrPlanLimit       = &Error{Code: CodePlanLimitExceeded}
	ErrLastOwner       = &Error{Code: CodeLastOwner}
)

// NotFound is the one answer for an object that does not exist or may not be seen.
// NotConfigured is an operation this server cannot carry out as its
// operator configured it (no SMTP server for invitations, say).
func NotConfigured(format string, args ...any) error {
	return &Error{Code: CodeNotConfigured, Message: fmt.Sprintf(format, args...)}
}

func NotFound() error {
	return &Error{Code: CodeNotFound, Message: "not found"}
}

// Unauthenticated means no or bad credentials.
func Unauthenticated() error {
	return &Error{Code: CodeUnauthenticated, Message: "authentication required"}
}

// Forbidden means the caller is a member without the capability.
func Forbidden(format string, args ...any) error {
	return &Error{Code: CodeForbidden, Message: fmt.Sprintf(format, args...)}
}

// BadInput names the invalid input field by its dotted path.
func BadInput(field, format string, args ...any) error {
	return &Error{Code: CodeBadUserInput, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Conflict reports a uniqueness violation or a stale update.
func Conflict(format string, args ...any) error {
	return &Error{Code: CodeConflict, Message: fmt.Sprintf(format, args...)}
}

// PlanLimit reports that limit of the plan would be exceeded.
func PlanLimit(limit, format string, args ...any) error {
	return &Error{Code: CodePlanLimitExceeded, Limit: limit, Message: fmt.Sprintf(format, args...)}
}

// LastOwner reports a change that would leave the organization without its owner.
func LastOwner(format string, args ...any) error {
	return &Error{Code: CodeLastOwner, Message: fmt.Sprintf(format, args...)}
}

// As returns the client error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}
