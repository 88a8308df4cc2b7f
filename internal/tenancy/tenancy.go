// Package tenancy is the data layer's tenant and permission policy: the ent
// privacy rules that every organization-owned schema gets from the OrgOwned
// mixin, so a resolver that forgets a check still cannot read or change
// another organization's data. Reads are filtered in SQL to the caller's
// organizations; writes are checked against the caller's role in the
// organization of every row they touch, through the rbac permission table.
package tenancy

import (
	"context"
	"errors"
	"fmt"

	"entgo.io/ent/dialect/sql"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/privacy"
	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/viewer"
)

// System returns ctx in which the data layer allows every operation. Only the
// few internal paths that act before the caller is a member, or for no caller
// at all, use it: authentication, organization creation, invitation
// acceptance after its token was checked, and event writes.
func System(ctx context.Context) context.Context {
	return privacy.DecisionContext(ctx, privacy.Allow)
}

// errNoCaller denies an operation made with no caller in context.
var errNoCaller = fmt.Errorf("%w: no caller in context", privacy.Deny)

func caller(ctx context.Context) (*viewer.Caller, error) {
	c := viewer.FromContext(ctx)
	if !c.IsUser() {
		return nil, errNoCaller
	}
	return c, nil
}

// memberOrgs selects the IDs of the organizations the caller belongs to.
func memberOrgs(c *viewer.Caller) *sql.Selector {
	return sql.Select(membership.FieldOrganizationID).
		From(sql.Table(membership.Table)).
		Where(sql.EQ(membership.FieldUserID, c.UserID))
}

// orgsWithKinds selects the organizations where the caller's role is one of kinds.
func orgsWithKinds(c *viewer.Caller, kinds []rbac.Kind) *sql.Selector {
	m := sql.Table(membership.Table).As("tm")
	r := sql.Table(role.Table).As("tr")
	vals := make([]any, len(kinds))
	for i, k := range kinds {
		vals[i] = string(k)
	}
	return sql.Select(m.C(membership.FieldOrganizationID)).
		From(m).
		Join(r).On(m.C(membership.FieldRoleID), r.C(role.FieldID)).
		Where(sql.And(sql.EQ(m.C(membership.FieldUserID), c.UserID), sql.In(r.C(role.FieldKind), vals...)))
}

// orgsWithCapability selects the organizations where the caller holds capability.
func orgsWithCapability(c *viewer.Caller, capability rbac.Capability) *sql.Selector {
	return orgsWithKinds(c, rbac.KindsWith(capability))
}

// RoleIn returns the caller's membership (with its role) in organization orgID,
// or NOT_FOUND when the caller is not a member.
func RoleIn(ctx context.Context, client *ent.Client, orgID string) (*ent.Membership, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	m, err := client.Membership.Query().
		Where(membership.OrganizationID(orgID), membership.UserID(c.UserID)).
		WithRole().
		Only(System(ctx))
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("load caller's membership: %w", err)
	}
	return m, nil
}

// Authorize checks that the caller holds capability in organization orgID:
// NOT_FOUND for a non-member (as for an organization that does not exist),
// FORBIDDEN for a member whose role lacks it.
func Authorize(ctx context.Context, client *ent.Client, orgID string, capability rbac.Capability) error {
	m, err := RoleIn(ctx, client, orgID)
	if err != nil {
		return err
	}
	if !rbac.Can(m.Edges.Role.Kind, capability) {
		return apperr.Forbidden("the %s role does not have the %s capability", m.Edges.Role.Name, capability)
	}
	return nil
}

// IsDenied reports whether err is a privacy denial of the data layer.
func IsDenied(err error) bool { return errors.Is(err, privacy.Deny) }
