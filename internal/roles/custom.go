package roles

import (
	"context"
	"fmt"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/apitoken"
	"github.com/orgql/orgql/ent/invitation"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/tenancy"
)

// CreateCustom creates a custom role in organization orgID.
func (s *Service) CreateCustom(ctx context.Context, orgID string, in CustomRoleInput) (*ent.Role, error) {
	client := database.Client(ctx, s.Client)
	if err := tenancy.AuthorizeWrite(ctx, client, ent.TypeRole, orgID); err != nil {
		return nil, err
	}
	def, err := checkInput(in)
	if err != nil {
		return nil, err
	}
	if err := checkTargets(ctx, client, orgID, def); err != nil {
		return nil, err
	}
	r, err := client.Role.Create().
		SetOrganizationID(orgID).
		SetKind(rbac.Custom).
		SetName(def.Name).
		SetDescription(def.Description).
		Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, nameTaken(def.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("create role: %w", err)
	}
	if err := writeGrants(ctx, client, r, def); err != nil {
		return nil, err
	}
	err = events.Record(ctx, events.Event{
		OrganizationID: orgID, Type: organizationevent.TypeCREATE, TargetType: organizationevent.TargetTypeROLE,
		TargetID: r.ID, TargetName: r.Name, Change: def.snapshot(),
	})
	return r, err
}

// UpdateCustom replaces custom role id's definition, as Qovery's PUT does:
// what the input omits (description, clusters, projects) goes back to the default.
func (s *Service) UpdateCustom(ctx context.Context, id string, in CustomRoleInput) (*ent.Role, error) {
	client := database.Client(ctx, s.Client)
	r, err := s.customRole(ctx, client, id, "updated")
	if err != nil {
		return nil, err
	}
	def, err := checkInput(in)
	if err != nil {
		return nil, err
	}
	if err := checkTargets(ctx, client, r.OrganizationID, def); err != nil {
		return nil, err
	}
	before, err := storedDefinition(ctx, client, r)
	if err != nil {
		return nil, err
	}
	updated, err := client.Role.UpdateOne(r).
		SetName(def.Name).
		SetDescription(def.Description).
		Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, nameTaken(def.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("update role: %w", err)
	}
	if err := writeGrants(ctx, client, updated, def); err != nil {
		return nil, err
	}
	if err := events.RecordUpdate(ctx, events.Event{
		OrganizationID: r.OrganizationID, TargetType: organizationevent.TargetTypeROLE, TargetID: r.ID, TargetName: updated.Name,
	}, before.snapshot(), def.snapshot()); err != nil {
		return nil, err
	}
	return updated, nil
}

// DeleteCustom deletes custom role id; CONFLICT while a member or a pending
// invitation holds it. Finished invitations (accepted, revoked, expired) that
// name the role go with it: they hold nothing any more.
func (s *Service) DeleteCustom(ctx context.Context, id string) (string, error) {
	client := database.Client(ctx, s.Client)
	r, err := s.customRole(ctx, client, id, "deleted")
	if err != nil {
		return "", err
	}
	held, err := client.Membership.Query().Where(membership.RoleID(id)).Exist(ctx)
	if err != nil {
		return "", fmt.Errorf("find members holding the role: %w", err)
	}
	if held {
		return "", apperr.Conflict("members hold the role %q: give them another role first", r.Name)
	}
	held, err = client.APIToken.Query().Where(apitoken.RoleID(id)).Exist(tenancy.AsSystem(ctx, tenancy.Policy))
	if err != nil {
		return "", fmt.Errorf("find API tokens holding the role: %w", err)
	}
	if held {
		return "", apperr.Conflict("API tokens hold the role %q: delete them first", r.Name)
	}
	// A pending invitation holds its role even once expired: it can be resent.
	held, err = client.Invitation.Query().Where(invitation.RoleID(id), invitation.StatusEQ(invitation.StatusPENDING)).Exist(ctx)
	if err != nil {
		return "", fmt.Errorf("find invitations holding the role: %w", err)
	}
	if held {
		return "", apperr.Conflict("pending invitations hold the role %q: revoke them first", r.Name)
	}
	if _, err := client.Invitation.Delete().Where(invitation.RoleID(id)).Exec(ctx); err != nil {
		return "", fmt.Errorf("delete finished invitations of the role: %w", err)
	}
	// Permission rows go with the role (ON DELETE CASCADE). A membership added
	// meanwhile by a concurrent request fails the delete on its foreign key.
	err = client.Role.DeleteOne(r).Exec(ctx)
	if ent.IsConstraintError(err) {
		return "", apperr.Conflict("the role %q is in use", r.Name)
	}
	if err != nil {
		return "", fmt.Errorf("delete role: %w", err)
	}
	err = events.Record(ctx, events.Event{
		OrganizationID: r.OrganizationID, Type: organizationevent.TypeDELETE, TargetType: organizationevent.TargetTypeROLE,
		TargetID: r.ID, TargetName: r.Name,
	})
	return id, err
}

// customRole loads role id for a change: NOT_FOUND when the caller cannot
// see it, FORBIDDEN without MANAGE_MEMBERS, BAD_USER_INPUT for a built-in role.
func (s *Service) customRole(ctx context.Context, client *ent.Client, id, change string) (*ent.Role, error) {
	r, err := client.Role.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("load role: %w", err)
	}
	if err := tenancy.AuthorizeWrite(ctx, client, ent.TypeRole, r.OrganizationID); err != nil {
		return nil, err
	}
	if r.Kind != rbac.Custom {
		return nil, apperr.BadInput("id", "built-in roles cannot be %s", change)
	}
	return r, nil
}

func nameTaken(name string) error {
	return &apperr.Error{Code: apperr.CodeConflict, Field: "input.name",
		Message: fmt.Sprintf("a role named %q, or one that looks like it, already exists in this organization", name)}
}
