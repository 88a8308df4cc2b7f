package roles

import (
	"fmt"
	"sort"

	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/validate"
)

const (
	maxName        = 100
	maxDescription = 1000
)

// definition is a checked CustomRoleInput: what a custom role's rows hold.
type definition struct {
	Name        string
	Description string
	Clusters    []clusterGrant
	Projects    []projectGrant
}

type clusterGrant struct {
	ClusterID  string
	Permission rbac.ClusterPermission
	// field is the input path of ClusterID, for errors.
	field string
}

type projectGrant struct {
	ProjectID   string
	FullAccess  bool
	Permissions map[rbac.EnvironmentType]rbac.ProjectPermission
	field       string
}

// permission is g's permission on environment type t; unlisted types get the default.
func (g projectGrant) permission(t rbac.EnvironmentType) rbac.ProjectPermission {
	if g.FullAccess {
		return rbac.FullAccessPermission
	}
	if p, ok := g.Permissions[t]; ok {
		return p
	}
	return rbac.DefaultProjectPermission
}

// checkInput applies Qovery's custom role rules (reference 1.4) to in, whose
// fields sit under "input". It does not look at the database.
func checkInput(in CustomRoleInput) (definition, error) {
	name, err := validate.Name("input.name", in.Name, maxName)
	if err != nil {
		return definition{}, err
	}
	if rbac.IsReservedName(name) {
		return definition{}, apperr.BadInput("input.name", "%q is the name of a built-in role", name)
	}
	def := definition{Name: name}
	if in.Description != nil {
		if def.Description, err = validate.Text("input.description", *in.Description, maxDescription); err != nil {
			return definition{}, err
		}
	}
	seenClusters := map[string]bool{}
	for i, c := range in.ClusterPermissions {
		field := fmt.Sprintf("input.clusterPermissions.%d.clusterID", i)
		if seenClusters[c.ClusterID] {
			return definition{}, apperr.BadInput(field, "cluster %s is listed twice", c.ClusterID)
		}
		seenClusters[c.ClusterID] = true
		def.Clusters = append(def.Clusters, clusterGrant{ClusterID: c.ClusterID, Permission: c.Permission, field: field})
	}
	seenProjects := map[string]bool{}
	for i, p := range in.ProjectPermissions {
		path := fmt.Sprintf("input.projectPermissions.%d", i)
		if seenProjects[p.ProjectID] {
			return definition{}, apperr.BadInput(path+".projectID", "project %s is listed twice", p.ProjectID)
		}
		seenProjects[p.ProjectID] = true
		g := projectGrant{ProjectID: p.ProjectID, FullAccess: p.FullAccess != nil && *p.FullAccess, field: path + ".projectID"}
		if g.FullAccess && len(p.Permissions) > 0 {
			return definition{}, apperr.BadInput(path+".permissions", "full access grants every environment type: give no permissions with it")
		}
		g.Permissions = map[rbac.EnvironmentType]rbac.ProjectPermission{}
		for j, e := range p.Permissions {
			if _, dup := g.Permissions[e.EnvironmentType]; dup {
				return definition{}, apperr.BadInput(fmt.Sprintf("%s.permissions.%d.environmentType", path, j), "environment type %s is listed twice", e.EnvironmentType)
			}
			g.Permissions[e.EnvironmentType] = e.Permission
		}
		def.Projects = append(def.Projects, g)
	}
	return def, nil
}

// snapshot is def as an audit event records it, in a stable order so two
// snapshots compare with events.RecordUpdate.
func (def definition) snapshot() map[string]any {
	clusters := append([]clusterGrant(nil), def.Clusters...)
	sort.Slice(clusters, func(i, j int) bool { return clusters[i].ClusterID < clusters[j].ClusterID })
	projects := append([]projectGrant(nil), def.Projects...)
	sort.Slice(projects, func(i, j int) bool { return projects[i].ProjectID < projects[j].ProjectID })

	cs := make([]any, len(clusters))
	for i, c := range clusters {
		cs[i] = map[string]any{"clusterID": c.ClusterID, "permission": string(c.Permission)}
	}
	ps := make([]any, len(projects))
	for i, p := range projects {
		perms := map[string]any{}
		for _, t := range rbac.EnvironmentTypes {
			perms[string(t)] = string(p.permission(t))
		}
		ps[i] = map[string]any{"projectID": p.ProjectID, "fullAccess": p.FullAccess, "permissions": perms}
	}
	return map[string]any{
		"name": def.Name, "description": def.Description,
		"clusterPermissions": cs, "projectPermissions": ps,
	}
}
