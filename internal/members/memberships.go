package members

import (
	"context"
	"fmt"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/organization"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/auth"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/orgs"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/roles"
	"github.com/orgql/orgql/internal/tenancy"
)

// UpdateRole gives membership membershipID the role roleID.
func (s *Service) UpdateRole(ctx context.Context, membershipID, roleID string) (*ent.Membership, error) {
	client := database.Client(ctx, s.Client)
	m, err := client.Membership.Get(ctx, membershipID)
	if err != nil {
		return nil, err
	}
	_, me, err := lockAs(ctx, client, m.OrganizationID, ent.TypeMembership)
	if err != nil {
		return nil, err
	}
	r, err := grantableRole(ctx, client, m.OrganizationID, me.Kind, roleID, "roleID")
	if err != nil {
		return nil, err
	}
	before, err := applyRoleChanges(ctx, client, m.OrganizationID, roleChange{MembershipID: membershipID, Role: r})
	if err != nil {
		return nil, err
	}
	if old := before[0].Edges.Role; old.ID != r.ID {
		if err := events.Record(ctx, events.Event{
			OrganizationID: m.OrganizationID, Type: organizationevent.TypeROLE_CHANGE, TargetType: organizationevent.TargetTypeMEMBERSHIP,
			TargetID: membershipID, TargetName: before[0].Edges.User.Login,
			Change: map[string]any{"role": map[string]any{"from": old.Name, "to": r.Name}},
		}); err != nil {
			return nil, err
		}
	}
	return client.Membership.Get(ctx, membershipID)
}

// Remove removes membership membershipID. The member's current organization
// moves to another of theirs.
func (s *Service) Remove(ctx context.Context, membershipID string) (string, error) {
	client := database.Client(ctx, s.Client)
	m, err := client.Membership.Get(ctx, membershipID)
	if err != nil {
		return "", err
	}
	if _, _, err := lockAs(ctx, client, m.OrganizationID, ent.TypeMembership); err != nil {
		return "", err
	}
	before, err := applyRoleChanges(ctx, client, m.OrganizationID, roleChange{MembershipID: membershipID})
	if err != nil {
		return "", err
	}
	gone := before[0]
	if err := orgs.MoveCurrentAway(ctx, client, gone.OrganizationID, gone.UserID); err != nil {
		return "", err
	}
	if err := events.Record(ctx, events.Event{
		OrganizationID: gone.OrganizationID, Type: organizationevent.TypeREMOVE, TargetType: organizationevent.TargetTypeMEMBERSHIP,
		TargetID: gone.ID, TargetName: gone.Edges.User.Login,
		Change: map[string]any{"user": gone.Edges.User.Login, "role": gone.Edges.Role.Name},
	}); err != nil {
		return "", err
	}
	return membershipID, nil
}

// Leave removes the caller from organization orgID; the owner cannot leave
// (LAST_OWNER) and transfers ownership first.
func (s *Service) Leave(ctx context.Context, orgID string) (string, error) {
	c, err := auth.RequireUser(ctx)
	if err != nil {
		return "", err
	}
	client := database.Client(ctx, s.Client)
	if _, err := database.LockOrganization(ctx, client, orgID); err != nil {
		return "", err
	}
	me, err := client.Membership.Query().Where(membership.OrganizationID(orgID), membership.UserID(c.UserID)).Only(ctx)
	if err != nil {
		return "", err
	}
	// Any member may leave, MANAGE_MEMBERS or not: the removal of the
	// caller's own membership runs as the system.
	before, err := applyRoleChanges(tenancy.AsSystem(ctx, tenancy.Leave), client, orgID, roleChange{MembershipID: me.ID})
	if err != nil {
		return "", err
	}
	if err := orgs.MoveCurrentAway(ctx, client, orgID, c.UserID); err != nil {
		return "", err
	}
	if err := events.Record(ctx, events.Event{
		OrganizationID: orgID, Type: organizationevent.TypeLEAVE, TargetType: organizationevent.TargetTypeMEMBERSHIP,
		TargetID: me.ID, TargetName: before[0].Edges.User.Login,
		Change: map[string]any{"user": before[0].Edges.User.Login, "role": before[0].Edges.Role.Name},
	}); err != nil {
		return "", err
	}
	return orgID, nil
}

// TransferOwnership makes the member of membershipID the owner of orgID; the
// old owner becomes ADMIN, in the same transaction.
func (s *Service) TransferOwnership(ctx context.Context, orgID, membershipID string) (*ent.Organization, error) {
	client := database.Client(ctx, s.Client)
	org, err := database.LockOrganization(ctx, client, orgID)
	if err != nil {
		return nil, err
	}
	if err := tenancy.AuthorizeOrganization(ctx, client, orgID, false, organization.FieldOwnerID); err != nil {
		return nil, err
	}
	c, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	me, err := client.Membership.Query().Where(membership.OrganizationID(orgID), membership.UserID(c.UserID)).Only(ctx)
	if err != nil {
		return nil, fmt.Errorf("load the owner's membership: %w", err)
	}
	target, err := client.Membership.Query().Where(membership.ID(membershipID), membership.OrganizationID(orgID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("load membership: %w", err)
	}
	if target.ID == me.ID {
		return nil, apperr.BadInput("membershipID", "this member is already the owner")
	}
	owner, err := roles.BuiltIn(ctx, client, orgID, rbac.Owner)
	if err != nil {
		return nil, err
	}
	admin, err := roles.BuiltIn(ctx, client, orgID, rbac.Admin)
	if err != nil {
		return nil, err
	}
	before, err := applyRoleChanges(ctx, client, orgID,
		roleChange{MembershipID: target.ID, Role: owner},
		roleChange{MembershipID: me.ID, Role: admin})
	if err != nil {
		return nil, err
	}
	if err := events.Record(ctx, events.Event{
		OrganizationID: orgID, Type: organizationevent.TypeTRANSFER_OWNERSHIP, TargetType: organizationevent.TargetTypeORGANIZATION,
		TargetID: orgID, TargetName: org.Name,
		Change: map[string]any{"owner": map[string]any{"from": before[1].Edges.User.Login, "to": before[0].Edges.User.Login}},
	}); err != nil {
		return nil, err
	}
	return client.Organization.Get(ctx, orgID)
}
