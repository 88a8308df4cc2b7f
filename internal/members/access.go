package members

import (
	"context"
	"fmt"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/viewer"
)

// lockAs locks organization orgID and then checks that the caller may write
// rows of ent type typ there (the permission table says with which
// capability). Checking after the lock means a change that committed while
// this request waited (a demotion, a transfer) is seen. A non-member gets
// NOT_FOUND, a member without the capability FORBIDDEN. It returns the
// organization and the caller's role in it.
func lockAs(ctx context.Context, client *ent.Client, orgID, typ string) (*ent.Organization, *ent.Role, error) {
	org, err := database.LockOrganization(ctx, client, orgID)
	if err != nil {
		return nil, nil, err
	}
	if err := tenancy.AuthorizeWrite(ctx, client, typ, orgID); err != nil {
		return nil, nil, err
	}
	me, err := tenancy.Role(ctx, client, orgID)
	if err != nil {
		return nil, nil, err
	}
	return org, me, nil
}

// grantableRole returns role roleID of organization orgID, provided a member
// whose role is of kind granter may grant it. field names the argument that
// carries roleID: a role of another organization answers like an unknown one.
func grantableRole(ctx context.Context, client *ent.Client, orgID string, granter rbac.Kind, roleID, field string) (*ent.Role, error) {
	r, err := client.Role.Query().Where(role.ID(roleID), role.OrganizationID(orgID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.BadInput(field, "%s is not a role of this organization", field)
	}
	if err != nil {
		return nil, fmt.Errorf("load role: %w", err)
	}
	if err := checkGrant(granter, r, field); err != nil {
		return nil, err
	}
	return r, nil
}

// checkGrant refuses, with FORBIDDEN, a role the granter may not give.
// FORBIDDEN rather than BAD_USER_INPUT: the role is a valid one, the caller
// is just not allowed to give it (docs/errors.md: "a member without the
// capability"), and it is the code both invitations and role changes use.
// extensions.field still names the argument, for the console's form.
func checkGrant(granter rbac.Kind, r *ent.Role, field string) error {
	if rbac.CanGrant(granter, r.Kind) {
		return nil
	}
	msg := fmt.Sprintf("a member with the %s role cannot grant the %s role: it has capabilities or access that %s lacks", granter, r.Name, granter)
	if r.Kind == rbac.Owner {
		msg = "the OWNER role is given only by transferOwnership"
	}
	return &apperr.Error{Code: apperr.CodeForbidden, Field: field, Message: msg}
}

// displayName is how a user is named to others.
func displayName(u *ent.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Login
}

// inviterID is who an invitation says invited: the user, or for an API
// token, the user who created it.
func inviterID(c *viewer.Caller) string {
	if c.IsAPIToken() {
		return c.Token.CreatorID
	}
	return c.UserID
}
