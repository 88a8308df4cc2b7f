package roles

import (
	"context"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/tenancy"
)

// ViewerRole returns the caller's role in organization orgID. The caller's
// roles in all their organizations are loaded by one statement the first
// time a query asks (tenancy.Roles): a list of organizations asking for
// viewerRole then costs one statement, not one per organization.
func (s *Service) ViewerRole(ctx context.Context, orgID string) (*ent.Role, error) {
	byOrg, err := tenancy.Roles(ctx, database.Client(ctx, s.Client))
	if err != nil {
		return nil, err
	}
	r, ok := byOrg[orgID]
	if !ok {
		return nil, apperr.NotFound()
	}
	return r, nil
}

// ViewerCapabilities returns what the caller may do in organization orgID, from the rbac table.
func (s *Service) ViewerCapabilities(ctx context.Context, orgID string) ([]rbac.Capability, error) {
	r, err := s.ViewerRole(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return rbac.CapabilitiesOf(r.Kind), nil
}
