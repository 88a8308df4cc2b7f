package roles

import (
	"context"
	"fmt"
	"sort"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/cluster"
	"github.com/orgql/orgql/ent/project"
	"github.com/orgql/orgql/ent/roleclusterpermission"
	"github.com/orgql/orgql/ent/roleprojectpermission"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/validate"
)

// ClusterAccess returns r's effective permission on every cluster of its
// organization: from the rbac table for a built-in role; from its rows, or
// the default, for a custom role.
func (s *Service) ClusterAccess(ctx context.Context, r *ent.Role) ([]*ClusterAccess, error) {
	client := database.Client(ctx, s.Client)
	clusters, err := client.Cluster.Query().
		Where(cluster.OrganizationID(r.OrganizationID)).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load clusters: %w", err)
	}
	sortByName(clusters, func(c *ent.Cluster) (string, string) { return c.Name, c.ID })
	granted := map[string]rbac.ClusterPermission{}
	if r.Kind == rbac.Custom {
		rows, err := client.RoleClusterPermission.Query().Where(roleclusterpermission.RoleID(r.ID)).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("load cluster permissions: %w", err)
		}
		for _, row := range rows {
			granted[row.ClusterID] = row.Permission
		}
	}
	out := make([]*ClusterAccess, len(clusters))
	for i, c := range clusters {
		perm := rbac.DefaultClusterPermission
		switch {
		case r.Kind != rbac.Custom:
			perm = rbac.BuiltInClusterPermission(r.Kind)
		case granted[c.ID] != "":
			perm = granted[c.ID]
		}
		out[i] = &ClusterAccess{Cluster: c, Permission: perm}
	}
	return out, nil
}

// ProjectAccess returns r's effective access to every project of its
// organization the caller sees, the same way as ClusterAccess.
func (s *Service) ProjectAccess(ctx context.Context, r *ent.Role) ([]*ProjectAccess, error) {
	client := database.Client(ctx, s.Client)
	projects, err := client.Project.Query().
		Where(project.OrganizationID(r.OrganizationID)).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load projects: %w", err)
	}
	sortByName(projects, func(p *ent.Project) (string, string) { return p.Name, p.ID })
	granted := map[string]projectGrant{}
	if r.Kind == rbac.Custom {
		rows, err := client.RoleProjectPermission.Query().Where(roleprojectpermission.RoleID(r.ID)).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("load project permissions: %w", err)
		}
		for _, row := range rows {
			granted[row.ProjectID] = grantOf(row)
		}
	}
	out := make([]*ProjectAccess, len(projects))
	for i, p := range projects {
		// A custom role without a row gets the zero grant: the default on every environment type.
		g := granted[p.ID]
		if r.Kind != rbac.Custom {
			g = builtInGrant(r.Kind)
		}
		access := &ProjectAccess{Project: p, FullAccess: g.FullAccess}
		for _, t := range rbac.EnvironmentTypes {
			access.Permissions = append(access.Permissions, EnvironmentAccess{EnvironmentType: t, Permission: g.permission(t)})
		}
		out[i] = access
	}
	return out, nil
}

// builtInGrant is the access built-in role kind k has to every project.
func builtInGrant(k rbac.Kind) projectGrant {
	full, perm := rbac.BuiltInProjectAccess(k)
	g := projectGrant{FullAccess: full, Permissions: map[rbac.EnvironmentType]rbac.ProjectPermission{}}
	for _, t := range rbac.EnvironmentTypes {
		g.Permissions[t] = perm
	}
	return g
}

// sortByName sorts list by name, case-insensitively, then by ID. (The name
// key is for comparing names, not for ordering them.)
func sortByName[T any](list []T, nameID func(T) (string, string)) {
	sort.SliceStable(list, func(i, j int) bool {
		ni, idi := nameID(list[i])
		nj, idj := nameID(list[j])
		if ki, kj := validate.FoldName(ni), validate.FoldName(nj); ki != kj {
			return ki < kj
		}
		return idi < idj
	})
}
