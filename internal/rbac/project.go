package rbac

import (
	"fmt"
	"io"
	"strconv"
)

// EnvironmentType is a kind of environment inside a project.
type EnvironmentType string

const (
	Development EnvironmentType = "DEVELOPMENT"
	Preview     EnvironmentType = "PREVIEW"
	Staging     EnvironmentType = "STAGING"
	Production  EnvironmentType = "PRODUCTION"
)

// EnvironmentTypes lists every environment type.
var EnvironmentTypes = []EnvironmentType{Development, Preview, Staging, Production}

// ProjectPermission is a role's access to one environment type of a project, lowest first.
type ProjectPermission string

const (
	NoAccess ProjectPermission = "NO_ACCESS"
	Viewing  ProjectPermission = "VIEWER"
	Deployer ProjectPermission = "DEPLOYER"
	Manager  ProjectPermission = "MANAGER"
)

// ProjectPermissions lists every project permission, lowest first.
var ProjectPermissions = []ProjectPermission{NoAccess, Viewing, Deployer, Manager}

// DefaultProjectPermission applies to a project a custom role does not list.
const DefaultProjectPermission = NoAccess

// FullAccessPermission is what full access to a project grants on each of
// its environment types (full access also lets the role manage the project).
const FullAccessPermission = Manager

// Rank orders project permissions.
func (p ProjectPermission) Rank() int {
	for i, q := range ProjectPermissions {
		if p == q {
			return i
		}
	}
	return -1
}

// Values lets ent use ProjectPermission as an enum.
func (ProjectPermission) Values() []string {
	return []string{string(NoAccess), string(Viewing), string(Deployer), string(Manager)}
}

// ClusterPermission is a role's access to one cluster, lowest first.
type ClusterPermission string

const (
	ClusterViewer     ClusterPermission = "VIEWER"
	ClusterEnvCreator ClusterPermission = "ENV_CREATOR"
	ClusterAdmin      ClusterPermission = "ADMIN"
)

// ClusterPermissions lists every cluster permission, lowest first.
var ClusterPermissions = []ClusterPermission{ClusterViewer, ClusterEnvCreator, ClusterAdmin}

// DefaultClusterPermission applies to a cluster a custom role does not list.
const DefaultClusterPermission = ClusterViewer

// Rank orders cluster permissions.
func (p ClusterPermission) Rank() int {
	for i, q := range ClusterPermissions {
		if p == q {
			return i
		}
	}
	return -1
}

// Values lets ent use ClusterPermission as an enum.
func (ClusterPermission) Values() []string {
	return []string{string(ClusterViewer), string(ClusterEnvCreator), string(ClusterAdmin)}
}

// BuiltInProjectAccess is the access a built-in role has to every project:
// full access, or the same permission on every environment type.
func BuiltInProjectAccess(k Kind) (full bool, perm ProjectPermission) {
	switch k {
	case Owner, Admin, DevOps:
		return true, FullAccessPermission
	case Viewer:
		return false, Viewing
	}
	return false, NoAccess
}

// BuiltInClusterPermission is the permission a built-in role has on every cluster.
func BuiltInClusterPermission(k Kind) ClusterPermission {
	if Can(k, ManageClusters) {
		return ClusterAdmin
	}
	return ClusterViewer
}

// SeesAllProjects reports whether a built-in role reads every project of the organization.
func SeesAllProjects(k Kind) bool {
	full, perm := BuiltInProjectAccess(k)
	return full || perm != NoAccess
}

func marshalEnum(w io.Writer, s string) { _, _ = io.WriteString(w, strconv.Quote(s)) }

func unmarshalEnum[T ~string](v any, valid []T, what string) (T, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s must be a string", what)
	}
	for _, known := range valid {
		if string(known) == s {
			return known, nil
		}
	}
	return "", fmt.Errorf("%q is not a valid %s", s, what)
}

func (e EnvironmentType) MarshalGQL(w io.Writer) { marshalEnum(w, string(e)) }
func (e *EnvironmentType) UnmarshalGQL(v any) (err error) {
	*e, err = unmarshalEnum(v, EnvironmentTypes, "environment type")
	return err
}
func (p ProjectPermission) MarshalGQL(w io.Writer) { marshalEnum(w, string(p)) }
func (p *ProjectPermission) UnmarshalGQL(v any) (err error) {
	*p, err = unmarshalEnum(v, ProjectPermissions, "project permission")
	return err
}
func (p ClusterPermission) MarshalGQL(w io.Writer) { marshalEnum(w, string(p)) }
func (p *ClusterPermission) UnmarshalGQL(v any) (err error) {
	*p, err = unmarshalEnum(v, ClusterPermissions, "cluster permission")
	return err
}
func (k Kind) MarshalGQL(w io.Writer) { marshalEnum(w, string(k)) }
func (k *Kind) UnmarshalGQL(v any) (err error) {
	*k, err = unmarshalEnum(v, append(append([]Kind(nil), BuiltIn...), Custom), "role kind")
	return err
}
