package projects

import (
	"context"
	"errors"

	"github.com/orgql/orgql/ent"
)

var errTODO = errors.New("not implemented yet")

// UpdateProject changes project id.
func (s *Service) UpdateProject(ctx context.Context, id string, in UpdateProjectInput) (*ent.Project, error) {
	return nil, errTODO
}

// DeleteProject deletes project id.
func (s *Service) DeleteProject(ctx context.Context, id string) (string, error) { return "", errTODO }

// CreateCluster creates a cluster in organization orgID, within the plan's cluster limit.
func (s *Service) CreateCluster(ctx context.Context, orgID string, in CreateClusterInput) (*ent.Cluster, error) {
	return nil, errTODO
}

// UpdateCluster changes cluster id.
func (s *Service) UpdateCluster(ctx context.Context, id string, in UpdateClusterInput) (*ent.Cluster, error) {
	return nil, errTODO
}

// DeleteCluster deletes cluster id.
func (s *Service) DeleteCluster(ctx context.Context, id string) (string, error) { return "", errTODO }
