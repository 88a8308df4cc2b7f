package roles

import "github.com/orgql/orgql/internal/rbac"

// CustomRoleInput is the GraphQL CustomRoleInput: the whole definition of a custom role.
type CustomRoleInput struct {
	Name               string
	Description        *string
	ClusterPermissions []ClusterPermissionInput
	ProjectPermissions []ProjectPermissionInput
}

// ClusterPermissionInput sets a custom role's permission on one cluster.
type ClusterPermissionInput struct {
	ClusterID  string
	Permission rbac.ClusterPermission
}

// ProjectPermissionInput sets a custom role's access to one project.
type ProjectPermissionInput struct {
	ProjectID   string
	FullAccess  *bool
	Permissions []EnvironmentPermissionInput
}

// EnvironmentPermissionInput sets the permission on one environment type.
type EnvironmentPermissionInput struct {
	EnvironmentType rbac.EnvironmentType
	Permission      rbac.ProjectPermission
}
