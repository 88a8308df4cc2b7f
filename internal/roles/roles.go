package roles

import (
	"context"
	"errors"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/internal/rbac"
)

var errTODO = errors.New("not implemented yet")

// CreateCustom creates a custom role in organization orgID.
func (s *Service) CreateCustom(ctx context.Context, orgID string, in CustomRoleInput) (*ent.Role, error) {
	return nil, errTODO
}

// UpdateCustom replaces custom role id's definition.
func (s *Service) UpdateCustom(ctx context.Context, id string, in CustomRoleInput) (*ent.Role, error) {
	return nil, errTODO
}

// DeleteCustom deletes custom role id; CONFLICT while a member or invitation holds it.
func (s *Service) DeleteCustom(ctx context.Context, id string) (string, error) { return "", errTODO }

// List returns organization orgID's roles: built-in first, then custom ones by name.
func (s *Service) List(ctx context.Context, orgID string) ([]*ent.Role, error) { return nil, errTODO }

// ClusterAccess returns r's effective permission on every cluster of its organization.
func (s *Service) ClusterAccess(ctx context.Context, r *ent.Role) ([]*ClusterAccess, error) {
	return nil, errTODO
}

// ProjectAccess returns r's effective access to every project of its organization the caller sees.
func (s *Service) ProjectAccess(ctx context.Context, r *ent.Role) ([]*ProjectAccess, error) {
	return nil, errTODO
}

// ViewerRole returns the caller's role in organization orgID.
func (s *Service) ViewerRole(ctx context.Context, orgID string) (*ent.Role, error) {
	return nil, errTODO
}

// ViewerCapabilities returns what the caller may do in organization orgID.
func (s *Service) ViewerCapabilities(ctx context.Context, orgID string) ([]rbac.Capability, error) {
	return nil, errTODO
}
