package roles

import (
	"context"
	"fmt"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/cluster"
	"github.com/orgql/orgql/ent/project"
	"github.com/orgql/orgql/ent/roleclusterpermission"
	"github.com/orgql/orgql/ent/roleprojectpermission"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/rbac"
)

// checkTargets makes sure every cluster and project def names belongs to
// organization orgID. An ID of another organization gets the same answer as
// an ID that does not exist.
func checkTargets(ctx context.Context, client *ent.Client, orgID string, def definition) error {
	if len(def.Clusters) > 0 {
		ids := make([]string, len(def.Clusters))
		for i, c := range def.Clusters {
			ids[i] = c.ClusterID
		}
		found, err := client.Cluster.Query().Where(cluster.OrganizationID(orgID), cluster.IDIn(ids...)).IDs(ctx)
		if err != nil {
			return fmt.Errorf("load clusters: %w", err)
		}
		known := setOf(found)
		for _, c := range def.Clusters {
			if !known[c.ClusterID] {
				return apperr.BadInput(c.field, "no cluster with this ID in the organization")
			}
		}
	}
	if len(def.Projects) > 0 {
		ids := make([]string, len(def.Projects))
		for i, p := range def.Projects {
			ids[i] = p.ProjectID
		}
		found, err := client.Project.Query().Where(project.OrganizationID(orgID), project.IDIn(ids...)).IDs(ctx)
		if err != nil {
			return fmt.Errorf("load projects: %w", err)
		}
		known := setOf(found)
		for _, p := range def.Projects {
			if !known[p.ProjectID] {
				return apperr.BadInput(p.field, "no project with this ID in the organization")
			}
		}
	}
	return nil
}

func setOf(ids []string) map[string]bool {
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out
}

// writeGrants replaces custom role r's permission rows with def's. Clusters
// and projects def does not list have no row and so get the defaults.
func writeGrants(ctx context.Context, client *ent.Client, r *ent.Role, def definition) error {
	if _, err := client.RoleClusterPermission.Delete().Where(roleclusterpermission.RoleID(r.ID)).Exec(ctx); err != nil {
		return fmt.Errorf("clear cluster permissions: %w", err)
	}
	if _, err := client.RoleProjectPermission.Delete().Where(roleprojectpermission.RoleID(r.ID)).Exec(ctx); err != nil {
		return fmt.Errorf("clear project permissions: %w", err)
	}
	clusters := make([]*ent.RoleClusterPermissionCreate, len(def.Clusters))
	for i, c := range def.Clusters {
		clusters[i] = client.RoleClusterPermission.Create().
			SetOrganizationID(r.OrganizationID).
			SetRoleID(r.ID).
			SetClusterID(c.ClusterID).
			SetPermission(c.Permission)
	}
	if err := client.RoleClusterPermission.CreateBulk(clusters...).Exec(ctx); err != nil {
		return fmt.Errorf("write cluster permissions: %w", err)
	}
	projects := make([]*ent.RoleProjectPermissionCreate, len(def.Projects))
	for i, p := range def.Projects {
		// Environment columns of a full-access row keep the default: full access overrides them.
		create := client.RoleProjectPermission.Create().
			SetOrganizationID(r.OrganizationID).
			SetRoleID(r.ID).
			SetProjectID(p.ProjectID).
			SetFullAccess(p.FullAccess)
		if !p.FullAccess {
			create.SetDevelopment(p.permission(rbac.Development)).
				SetPreview(p.permission(rbac.Preview)).
				SetStaging(p.permission(rbac.Staging)).
				SetProduction(p.permission(rbac.Production))
		}
		projects[i] = create
	}
	if err := client.RoleProjectPermission.CreateBulk(projects...).Exec(ctx); err != nil {
		return fmt.Errorf("write project permissions: %w", err)
	}
	return nil
}

// storedDefinition reads custom role r's definition back from its rows.
func storedDefinition(ctx context.Context, client *ent.Client, r *ent.Role) (definition, error) {
	def := definition{Name: r.Name, Description: r.Description}
	clusters, err := client.RoleClusterPermission.Query().Where(roleclusterpermission.RoleID(r.ID)).All(ctx)
	if err != nil {
		return def, fmt.Errorf("load cluster permissions: %w", err)
	}
	for _, c := range clusters {
		def.Clusters = append(def.Clusters, clusterGrant{ClusterID: c.ClusterID, Permission: c.Permission})
	}
	projects, err := client.RoleProjectPermission.Query().Where(roleprojectpermission.RoleID(r.ID)).All(ctx)
	if err != nil {
		return def, fmt.Errorf("load project permissions: %w", err)
	}
	for _, p := range projects {
		def.Projects = append(def.Projects, grantOf(p))
	}
	return def, nil
}

func grantOf(row *ent.RoleProjectPermission) projectGrant {
	return projectGrant{
		ProjectID:  row.ProjectID,
		FullAccess: row.FullAccess,
		Permissions: map[rbac.EnvironmentType]rbac.ProjectPermission{
			rbac.Development: row.Development,
			rbac.Preview:     row.Preview,
			rbac.Staging:     row.Staging,
			rbac.Production:  row.Production,
		},
	}
}
