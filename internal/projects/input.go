package projects

import "github.com/orgql/orgql/ent/cluster"

// CreateProjectInput is the GraphQL CreateProjectInput.
type CreateProjectInput struct {
	Name        string
	Description *string
}

// UpdateProjectInput is the GraphQL UpdateProjectInput: nil leaves a field unchanged.
type UpdateProjectInput struct {
	Name        *string
	Description *string
}

// CreateClusterInput is the GraphQL CreateClusterInput.
type CreateClusterInput struct {
	Name           string
	Description    *string
	CloudProvider  cluster.CloudProvider
	Region         string
	KubernetesMode *cluster.KubernetesMode
	Production     *bool
	LabelsGroupIDs []string
}

// UpdateClusterInput is the GraphQL UpdateClusterInput: nil leaves a field
// unchanged; LabelsGroupIDs, when not nil, replaces the cluster's set.
type UpdateClusterInput struct {
	Name           *string
	Description    *string
	Region         *string
	KubernetesMode *cluster.KubernetesMode
	Production     *bool
	LabelsGroupIDs []string
}
