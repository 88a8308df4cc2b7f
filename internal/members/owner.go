package members

import (
	"context"
	"fmt"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/roles"
	"github.com/orgql/orgql/internal/tenancy"
)

// roleChange gives membership MembershipID the role Role, or removes the
// membership when Role is nil.
type roleChange struct {
	MembershipID string
	Role         *ent.Role
}

// applyRoleChanges is the only way a membership's role changes or a
// membership ends, and so the one place of the single-owner rule: after the
// changes exactly one membership of organization orgID holds the OWNER role
// and Organization.owner_id names its user; otherwise it writes nothing and
// answers LAST_OWNER (no owner left) or FORBIDDEN (a second owner).
//
// It works under the organization's row lock and re-reads every membership
// after taking it, so two requests racing (a transfer and a removal, two
// transfers...) are decided one after the other on current state. It
// returns the changed memberships as they were, with their role and user.
func applyRoleChanges(ctx context.Context, client *ent.Client, orgID string, changes ...roleChange) ([]*ent.Membership, error) {
	org, err := database.LockOrganization(ctx, client, orgID)
	if err != nil {
		return nil, err
	}
	owners := map[string]string{} // membership ID → user ID
	current, err := client.Membership.Query().
		Where(membership.OrganizationID(orgID), membership.HasRoleWith(role.KindEQ(rbac.Owner))).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load owners: %w", err)
	}
	for _, m := range current {
		owners[m.ID] = m.UserID
	}
	before := make([]*ent.Membership, len(changes))
	for i, ch := range changes {
		m, err := client.Membership.Query().
			Where(membership.ID(ch.MembershipID), membership.OrganizationID(orgID)).
			WithRole().WithUser().
			Only(ctx)
		if ent.IsNotFound(err) {
			return nil, apperr.NotFound()
		}
		if err != nil {
			return nil, fmt.Errorf("load membership: %w", err)
		}
		if ch.Role != nil && ch.Role.OrganizationID != orgID {
			return nil, fmt.Errorf("role %s is not of organization %s", ch.Role.ID, orgID)
		}
		before[i] = m
		delete(owners, m.ID)
		if ch.Role != nil && ch.Role.Kind == rbac.Owner {
			owners[m.ID] = m.UserID
		}
	}
	switch {
	case len(owners) == 0:
		return nil, apperr.LastOwner("the organization must keep its owner: transfer ownership to another member first")
	case len(owners) > 1:
		return nil, apperr.Forbidden("the OWNER role is given only by transferOwnership")
	}
	// owner_id first: the privacy rule checks TRANSFER_OWNERSHIP against the
	// caller's role, which the membership changes below may lower.
	for _, userID := range owners {
		if userID != org.OwnerID {
			if err := client.Organization.UpdateOneID(orgID).SetOwnerID(userID).Exec(ctx); err != nil {
				return nil, fmt.Errorf("set organization owner: %w", err)
			}
		}
	}
	for i, ch := range changes {
		switch {
		case ch.Role == nil:
			err = client.Membership.DeleteOneID(ch.MembershipID).Exec(ctx)
		case ch.Role.ID != before[i].RoleID:
			err = client.Membership.UpdateOneID(ch.MembershipID).SetRoleID(ch.Role.ID).Exec(ctx)
		}
		if err != nil {
			return nil, fmt.Errorf("change membership: %w", err)
		}
	}
	return before, nil
}

// MakeOwner makes user userID the owner of organization orgID, in one
// transaction of its own: an operator's emergency (`orgql orgs make-owner`,
// when the owner lost their account), run as the system and recorded as a
// TRANSFER_OWNERSHIP event by the system. A user who is not a member joins
// (plan limits do not apply); the old owner stays as ADMIN.
func (s *Service) MakeOwner(ctx context.Context, orgID, userID string) (*ent.Organization, error) {
	ctx = tenancy.AsSystem(ctx, tenancy.Operator)
	var out *ent.Organization
	err := database.InTx(ctx, s.Client, func(ctx context.Context) error {
		client := database.Client(ctx, s.Client)
		org, err := database.LockOrganization(ctx, client, orgID)
		if err != nil {
			return err
		}
		u, err := client.User.Get(ctx, userID)
		if err != nil {
			return fmt.Errorf("load user: %w", err)
		}
		owner, err := roles.BuiltIn(ctx, client, orgID, rbac.Owner)
		if err != nil {
			return err
		}
		admin, err := roles.BuiltIn(ctx, client, orgID, rbac.Admin)
		if err != nil {
			return err
		}
		target, err := client.Membership.Query().Where(membership.OrganizationID(orgID), membership.UserID(userID)).Only(ctx)
		joined := ent.IsNotFound(err)
		if joined {
			target, err = client.Membership.Create().SetOrganizationID(orgID).SetUserID(userID).SetRoleID(admin.ID).Save(ctx)
		}
		if err != nil {
			return fmt.Errorf("membership of %s: %w", u.Login, err)
		}
		changes := []roleChange{{MembershipID: target.ID, Role: owner}}
		previous, err := client.Membership.Query().
			Where(membership.OrganizationID(orgID), membership.HasRoleWith(role.KindEQ(rbac.Owner))).
			WithUser().All(ctx)
		if err != nil {
			return fmt.Errorf("load owners: %w", err)
		}
		from := ""
		for _, m := range previous {
			if m.ID == target.ID {
				return fmt.Errorf("%s is already the owner of %s", u.Login, org.Name)
			}
			changes = append(changes, roleChange{MembershipID: m.ID, Role: admin})
			from = m.Edges.User.Login
		}
		if _, err := applyRoleChanges(ctx, client, orgID, changes...); err != nil {
			return err
		}
		if err := events.Record(ctx, events.Event{
			OrganizationID: orgID, Type: organizationevent.TypeTRANSFER_OWNERSHIP, TargetType: organizationevent.TargetTypeORGANIZATION,
			TargetID: orgID, TargetName: org.Name,
			Change: map[string]any{"owner": map[string]any{"from": from, "to": u.Login}, "by": "operator command", "joined": joined},
		}); err != nil {
			return err
		}
		out, err = client.Organization.Get(ctx, orgID)
		return err
	})
	return out, err
}
