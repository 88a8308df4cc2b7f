// Package tenancy is the data layer's tenant and permission policy: the ent
// privacy rules that every organization-owned schema gets from the OrgOwned
// mixin, so a resolver that forgets a check still cannot read or change
// another organization's data. Reads are filtered in SQL to what the caller
// may see; writes are checked against the caller's role in the organization
// of every row they touch, through the permission table of internal/rbac.
//
// Every rule asks one of a few questions of the caller ("which organizations
// may it read", "does it hold capability C in organization O", "which
// projects may it see"), each answered by one function that branches once
// on the caller's kind: user, API token or system (see callers.go).
// docs/architecture.md and docs/permissions.md describe the design.
package tenancy

import (
	"context"
	"errors"
	"fmt"

	"github.com/orgql/orgql/ent/privacy"
	"github.com/orgql/orgql/internal/viewer"
)

// Reason names why the system, rather than the caller's role, decides an
// operation. Every such place in the code passes one of these to AsSystem,
// so a reviewer finds them all by grepping for tenancy.AsSystem.
type Reason string

const (
	// Authenticate: credentials are looked up before there is a caller.
	Authenticate Reason = "authenticate"
	// SignIn: a sign-in creates or refreshes its user and opens a session.
	SignIn Reason = "sign-in"
	// OwnSessions: a user lists and revokes their own sessions, which no
	// caller's role reads.
	OwnSessions Reason = "own-sessions"
	// Bootstrap: a new organization's built-in roles and owner membership are
	// written before its creator is a member.
	Bootstrap Reason = "create-organization"
	// Invitee: whoever holds an invitation's checked token reads it, and
	// accepting it admits someone who is not a member yet.
	Invitee Reason = "invitation-token"
	// Leave: any member may end their own membership, whatever their role.
	Leave Reason = "leave-organization"
	// CurrentOrganization: when an organization goes away, or a member
	// leaves it, the users whose current organization it was move to another.
	CurrentOrganization Reason = "current-organization"
	// CountUsage: plan limits count every row, whether the caller sees it or not.
	CountUsage Reason = "count-usage"
	// Policy: the rules themselves read the caller's roles.
	Policy Reason = "policy"
	// Operator: an operator's command (orgql orgs, orgql users) acts on the
	// database directly, outside the API, as the system.
	Operator Reason = "operator-command"
	// Billing: the payment provider's side of billing (the local ledger
	// issuing invoices, Stripe's webhooks, an organization's first billing
	// account) is written by the system, once the caller is authorized.
	Billing Reason = "billing"
	// RateLimit: an API token's budget follows its organization's plan, read before any rule runs.
	RateLimit Reason = "rate-limit"
)

type reasonKey struct{}

// AsSystem returns ctx in which the data layer allows every operation, for
// reason. The caller in ctx, if any, stays: audit events still name them.
// Where there is no caller (a background job), the system becomes the caller.
func AsSystem(ctx context.Context, reason Reason) context.Context {
	if viewer.FromContext(ctx) == nil {
		ctx = viewer.NewContext(ctx, viewer.NewSystem(string(reason)))
	}
	ctx = context.WithValue(ctx, reasonKey{}, reason)
	return privacy.DecisionContext(ctx, privacy.Allow)
}

// SystemReason returns the reason ctx was made a system context for, or "".
func SystemReason(ctx context.Context) Reason {
	r, _ := ctx.Value(reasonKey{}).(Reason)
	return r
}

// errNoCaller denies an operation made with no caller in context.
var errNoCaller = fmt.Errorf("%w: no caller in context", privacy.Deny)

func caller(ctx context.Context) (*viewer.Caller, error) {
	c := viewer.FromContext(ctx)
	if c.Kind() == 0 {
		return nil, errNoCaller
	}
	return c, nil
}

// IsDenied reports whether err is a privacy denial of the data layer.
func IsDenied(err error) bool { return errors.Is(err, privacy.Deny) }
