// Package viewer holds who is calling: the one Caller that authentication puts
// in the request context and that the data layer's rules read. A caller is
// exactly one of three kinds, and the rules branch once on the kind (see
// internal/tenancy): a signed-in user, an organization API token, or the
// system acting for a named reason.
package viewer

import (
	"context"

	"github.com/orgql/orgql/internal/rbac"
)

// Kind is the kind of a caller.
type Kind uint8

const (
	// User is a signed-in person; they act in every organization they belong to, with their role there.
	User Kind = iota + 1
	// APIToken is an organization API token; it acts in its one organization, with its role.
	APIToken
	// System is orgql itself (a background job), acting for a named reason.
	System
)

func (k Kind) String() string {
	switch k {
	case User:
		return "user"
	case APIToken:
		return "api_token"
	case System:
		return "system"
	}
	return "none"
}

// Token is what an API-token caller carries: its one organization and role.
type Token struct {
	ID             string
	OrganizationID string
	RoleID         string
	// RoleKind is the kind of the role the token acts with (rbac.Custom for a custom role).
	RoleKind rbac.Kind
	// CreatorID is the user who created the token.
	CreatorID string
}

// Caller is who is calling. Build one with NewUser, NewAPIToken or NewSystem.
type Caller struct {
	kind Kind
	// UserID is the user of a user caller.
	UserID string
	// SessionID is the session a user caller signed in with.
	SessionID string
	// Token is set for an API-token caller.
	Token *Token
	// Reason says why a system caller acts.
	Reason string
	// DisplayName names the caller in audit events.
	DisplayName string
	// Origin and UserAgent describe the request, for audit events.
	Origin    string
	UserAgent string
}

// NewUser is a signed-in user.
func NewUser(userID, sessionID, displayName string) *Caller {
	return &Caller{kind: User, UserID: userID, SessionID: sessionID, DisplayName: displayName}
}

// NewAPIToken is an organization API token.
func NewAPIToken(t Token, displayName string) *Caller {
	return &Caller{kind: APIToken, Token: &t, DisplayName: displayName}
}

// NewSystem is orgql acting on its own, for reason.
func NewSystem(reason string) *Caller {
	return &Caller{kind: System, Reason: reason, DisplayName: "orgql"}
}

// Kind returns c's kind; a nil caller has none (0).
func (c *Caller) Kind() Kind {
	if c == nil {
		return 0
	}
	return c.kind
}

// IsUser reports whether c is a signed-in user.
func (c *Caller) IsUser() bool { return c.Kind() == User }

// IsAPIToken reports whether c is an API token.
func (c *Caller) IsAPIToken() bool { return c.Kind() == APIToken }

// ID is the ID of the user or API token calling, "" for the system.
func (c *Caller) ID() string {
	switch c.Kind() {
	case User:
		return c.UserID
	case APIToken:
		return c.Token.ID
	}
	return ""
}

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
