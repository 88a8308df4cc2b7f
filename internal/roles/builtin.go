package roles

import (
	"context"
	"fmt"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/internal/rbac"
)

// CreateBuiltIns creates the built-in role rows of a new organization. The
// caller is not a member yet, so ctx must be tenancy.AsSystem(ctx, tenancy.Bootstrap).
func CreateBuiltIns(ctx context.Context, client *ent.Client, orgID string) (map[rbac.Kind]*ent.Role, error) {
	builders := make([]*ent.RoleCreate, len(rbac.BuiltIn))
	for i, k := range rbac.BuiltIn {
		builders[i] = client.Role.Create().
			SetOrganizationID(orgID).
			SetKind(k).
			SetName(k.DisplayName()).
			SetDescription(k.Description())
	}
	created, err := client.Role.CreateBulk(builders...).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("create built-in roles: %w", err)
	}
	out := make(map[rbac.Kind]*ent.Role, len(created))
	for _, r := range created {
		out[r.Kind] = r
	}
	return out, nil
}

// BuiltIn returns organization orgID's built-in role of kind k, as the caller in ctx sees it.
func BuiltIn(ctx context.Context, client *ent.Client, orgID string, k rbac.Kind) (*ent.Role, error) {
	r, err := client.Role.Query().Where(role.OrganizationID(orgID), role.KindEQ(k)).Only(ctx)
	if err != nil {
		return nil, fmt.Errorf("load %s role: %w", k, err)
	}
	return r, nil
}
