package roles

import (
	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/internal/rbac"
)

// ClusterAccess is a role's effective permission on one cluster.
type ClusterAccess struct {
	Cluster    *ent.Cluster
	Permission rbac.ClusterPermission
}

// ProjectAccess is a role's effective access to one project.
type ProjectAccess struct {
	Project     *ent.Project
	FullAccess  bool
	Permissions []EnvironmentAccess
}

// EnvironmentAccess is the permission on one environment type.
type EnvironmentAccess struct {
	EnvironmentType rbac.EnvironmentType
	Permission      rbac.ProjectPermission
}
