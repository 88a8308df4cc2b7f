package roles

import (
	"context"
	"fmt"
	"sync"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/auth"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/tenancy"
)

// viewerRoles holds, for one operation, the caller's role in each of their
// organizations, loaded by one query on first use: a list of organizations
// asking for viewerRole then costs one statement, not one per organization.
type viewerRoles struct {
	once  sync.Once
	byOrg map[string]*ent.Role
	err   error
}

type viewerRolesKey struct{}

// WithViewerRoles returns ctx in which ViewerRole and ViewerCapabilities read
// the caller's roles from one load. The load is never refreshed, so use it
// only for operations that change no role: queries, not mutations.
func WithViewerRoles(ctx context.Context) context.Context {
	return context.WithValue(ctx, viewerRolesKey{}, &viewerRoles{})
}

// ViewerRole returns the caller's role in organization orgID.
func (s *Service) ViewerRole(ctx context.Context, orgID string) (*ent.Role, error) {
	client := database.Client(ctx, s.Client)
	memo, ok := ctx.Value(viewerRolesKey{}).(*viewerRoles)
	if !ok {
		m, err := tenancy.RoleIn(ctx, client, orgID)
		if err != nil {
			return nil, err
		}
		return m.Edges.Role, nil
	}
	memo.once.Do(func() { memo.byOrg, memo.err = loadViewerRoles(ctx, client) })
	if memo.err != nil {
		return nil, memo.err
	}
	r, ok := memo.byOrg[orgID]
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

func loadViewerRoles(ctx context.Context, client *ent.Client) (map[string]*ent.Role, error) {
	c, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	ms, err := client.Membership.Query().Where(membership.UserID(c.UserID)).WithRole().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load the caller's roles: %w", err)
	}
	byOrg := make(map[string]*ent.Role, len(ms))
	for _, m := range ms {
		byOrg[m.OrganizationID] = m.Edges.Role
	}
	return byOrg, nil
}
