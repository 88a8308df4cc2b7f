package tenancy

import (
	"context"
	"fmt"
	"sync"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/viewer"
)

// roleCache remembers the caller's role per organization for one unit of
// work, so that a domain function's check and the privacy rule's check of
// the same write cost one statement, and a list asking viewerRole of every
// organization costs one. Only roles found are kept: a caller who joins an
// organization during the unit (accepting an invitation) is not remembered
// as a stranger.
type roleCache struct {
	mu      sync.Mutex
	byOrg   map[string]*ent.Role
	allDone bool
}

type roleCacheKey struct{}

// WithRoleCache returns ctx in which the caller's roles are looked up at
// most once per organization. A unit of work must not outlive a change of
// the caller's own roles: the server gives each query one cache, and each
// root field of a mutation its own, so a mutation that transfers ownership
// is not followed, in the same request, by checks that still see the old role.
func WithRoleCache(ctx context.Context) context.Context {
	return context.WithValue(ctx, roleCacheKey{}, &roleCache{byOrg: map[string]*ent.Role{}})
}

func cacheOf(ctx context.Context) *roleCache {
	c, _ := ctx.Value(roleCacheKey{}).(*roleCache)
	return c
}

// Role answers "which role does the caller hold in organization orgID?":
// NOT_FOUND when the caller is not a member (as for an organization that does
// not exist, or, for an API token, any organization but its own).
func Role(ctx context.Context, client *ent.Client, orgID string) (*ent.Role, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	cache := cacheOf(ctx)
	if cache != nil {
		cache.mu.Lock()
		defer cache.mu.Unlock()
		if r, ok := cache.byOrg[orgID]; ok {
			return r, nil
		}
		if cache.allDone && c.IsUser() {
			return nil, apperr.NotFound()
		}
	}
	sys := AsSystem(ctx, Policy)
	var q *ent.RoleQuery
	switch c.Kind() {
	case viewer.User:
		q = client.Role.Query().Where(role.OrganizationID(orgID),
			role.HasMembershipsWith(membership.UserID(c.UserID), membership.OrganizationID(orgID)))
	case viewer.APIToken:
		if orgID != c.Token.OrganizationID {
			return nil, apperr.NotFound()
		}
		q = client.Role.Query().Where(role.ID(c.Token.RoleID), role.OrganizationID(orgID))
	default:
		return nil, fmt.Errorf("%w: the system holds no role", errNoCaller)
	}
	r, err := q.Only(sys)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("load the caller's role: %w", err)
	}
	if cache != nil {
		cache.byOrg[orgID] = r
	}
	return r, nil
}

// Roles returns the caller's role in each organization they may read, in
// one statement, for lists that show the caller's role in many of them.
func Roles(ctx context.Context, client *ent.Client) (map[string]*ent.Role, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if !c.IsUser() {
		if c.IsAPIToken() {
			r, err := Role(ctx, client, c.Token.OrganizationID)
			if err != nil {
				return nil, err
			}
			return map[string]*ent.Role{r.OrganizationID: r}, nil
		}
		return map[string]*ent.Role{}, nil
	}
	cache := cacheOf(ctx)
	if cache != nil {
		cache.mu.Lock()
		defer cache.mu.Unlock()
		if cache.allDone {
			return cache.byOrg, nil
		}
	}
	list, err := client.Role.Query().
		Where(role.HasMembershipsWith(membership.UserID(c.UserID))).
		All(AsSystem(ctx, Policy))
	if err != nil {
		return nil, fmt.Errorf("load the caller's roles: %w", err)
	}
	byOrg := make(map[string]*ent.Role, len(list))
	for _, r := range list {
		byOrg[r.OrganizationID] = r
	}
	if cache != nil {
		cache.byOrg, cache.allDone = byOrg, true
	}
	return byOrg, nil
}

// Authorize answers "does the caller hold capability in organization
// orgID?": nil if so, NOT_FOUND for a non-member, FORBIDDEN for a member
// whose role lacks it. The system holds every capability.
func Authorize(ctx context.Context, client *ent.Client, orgID string, capability rbac.Capability) error {
	if viewer.FromContext(ctx).Kind() == viewer.System {
		return nil
	}
	r, err := Role(ctx, client, orgID)
	if err != nil {
		return err
	}
	if !rbac.Can(r.Kind, capability) {
		return apperr.Forbidden("the %s role does not have the %s capability", r.Name, capability)
	}
	return nil
}

// AuthorizeWrite checks that the caller may create, update or delete rows of
// the organization-owned ent type typ in organization orgID, by the
// permission table: what the data layer will check when the rows are saved,
// asked first so that a change is refused before it does any work.
func AuthorizeWrite(ctx context.Context, client *ent.Client, typ, orgID string) error {
	obj, ok := rbac.Objects[typ]
	if !ok || obj.Write == "" {
		return fmt.Errorf("%s has no write capability in the permission table", typ)
	}
	return Authorize(ctx, client, orgID, obj.Write)
}

// AuthorizeOrganization checks that the caller may change the given fields of
// organization orgID (see rbac.OrganizationFields), or delete it when
// deleting is set.
func AuthorizeOrganization(ctx context.Context, client *ent.Client, orgID string, deleting bool, fields ...string) error {
	for _, capability := range organizationCapabilities(deleting, fields) {
		if err := Authorize(ctx, client, orgID, capability); err != nil {
			return err
		}
	}
	return nil
}

func organizationCapabilities(deleting bool, fields []string) []rbac.Capability {
	var caps []rbac.Capability
	seen := map[rbac.Capability]bool{"": true}
	if deleting {
		caps, seen[rbac.OrganizationDelete] = append(caps, rbac.OrganizationDelete), true
	}
	for _, f := range fields {
		if c := rbac.OrganizationFieldCapability(f); !seen[c] {
			caps, seen[c] = append(caps, c), true
		}
	}
	return caps
}
