// Package viewer holds who is calling: the one Caller that authentication puts
// in the request context and that the data layer's privacy rules read.
package viewer

import "context"

// Caller is an authenticated user or organization API token.
type Caller struct {
	// UserID is set for a signed-in user.
	UserID string
	// SessionID is the session the user signed in with.
	SessionID string
	// DisplayName names the caller in audit events.
	DisplayName string
	// Origin and UserAgent describe the request, for audit events.
	Origin    string
	UserAgent string
}

// IsUser reports whether the caller is a signed-in user.
func (c *Caller) IsUser() bool { return c != nil && c.UserID != "" }

type ctxKey struct{}

// NewContext returns ctx carrying c.
func NewContext(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, ctxKey{}, c)
}

// FromContext returns the caller in ctx, or nil.
func FromContext(ctx context.Context) *Caller {
	c, _ := ctx.Value(ctxKey{}).(*Caller)
	return c
}
