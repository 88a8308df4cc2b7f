// Package observe carries what is observed of one request while it runs:
// the operation, the caller, the outcome and the SQL statements it ran. The
// HTTP layer puts a Request in the context; the GraphQL layer and the
// database driver fill it in; metrics, the request log line and traces read
// it (docs/architecture.md, "Operating").
package observe

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Request is what is known of one request. Its methods are safe for
// concurrent use: resolvers run statements in parallel.
type Request struct {
	Start time.Time
	// Statements observes each SQL statement run for the request; nil: none.
	Statements StatementObserver

	statements atomic.Int64

	mu        sync.Mutex
	operation Operation
}

// Operation is what the GraphQL layer learnt of the request's operation.
type Operation struct {
	// Name is the operation's name as the document gives it ("" when anonymous).
	Name string
	// Type is query, mutation or subscription; "" when the document did not validate.
	Type string
	// Outcome is the first error's extensions.code, or "OK".
	Outcome string
	// Trusted is set when the document is one of the trusted documents.
	Trusted bool
	// Cost is the operation's computed cost (docs/security.md S3).
	Cost int
	// CallerKind and CallerID say who called: user, api_token or anonymous.
	CallerKind, CallerID string
	// Organization is the organization the operation names, when one does.
	Organization string
	// Variables are the operation's variables, redacted for the log.
	Variables map[string]any
}

// StatementObserver is told of each statement before it runs; the returned
// context is the statement's (a span), and done is called with its error.
type StatementObserver func(ctx context.Context, kind, query string) (context.Context, func(err error))

type key struct{}

// NewContext returns ctx carrying r.
func NewContext(ctx context.Context, r *Request) context.Context {
	return context.WithValue(ctx, key{}, r)
}

// FromContext returns the request in ctx, or nil.
func FromContext(ctx context.Context) *Request {
	r, _ := ctx.Value(key{}).(*Request)
	return r
}

// StatementCount is how many SQL statements the request ran so far.
func (r *Request) StatementCount() int64 { return r.statements.Load() }

// Operation returns what is known of the operation.
func (r *Request) Operation() Operation {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.operation
}

// UpdateOperation changes what is known of the operation.
func (r *Request) UpdateOperation(change func(*Operation)) {
	r.mu.Lock()
	change(&r.operation)
	r.mu.Unlock()
}

// Statement counts one statement of the request in ctx, if any, and tells
// its observer; code running SQL outside ent calls it (done may be nil).
func Statement(ctx context.Context, kind, query string) (context.Context, func(error)) {
	r := FromContext(ctx)
	if r == nil {
		return ctx, nil
	}
	r.statements.Add(1)
	if r.Statements == nil {
		return ctx, nil
	}
	return r.Statements(ctx, kind, query)
}
