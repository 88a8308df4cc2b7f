package projects

import (
	"context"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/change"
	"github.com/orgql/orgql/internal/database"
)

var clusterKind = change.Kind[*ent.Cluster]{
	Type: ent.TypeCluster, Target: organizationevent.TargetTypeCLUSTER, Noun: "cluster",
	Ref: func(c *ent.Cluster) change.Ref {
		return change.Ref{ID: c.ID, OrganizationID: c.OrganizationID, Name: c.Name}
	},
	Usage: billing.Usage{Clusters: 1},
}

// CreateCluster creates a cluster in organization orgID, within the plan's cluster limit.
func (s *Service) CreateCluster(ctx context.Context, orgID string, in CreateClusterInput) (*ent.Cluster, error) {
	create := database.Client(ctx, s.Client).Cluster.Create().
		SetOrganizationID(orgID).
		SetName(in.Name).
		SetCloudProvider(in.CloudProvider).
		SetRegion(in.Region).
		SetNillableDescription(in.Description).
		SetNillableKubernetesMode(in.KubernetesMode).
		SetNillableProduction(in.Production)
	return change.Create(ctx, clusterKind, s.Plans, "input", create, create.Mutation())
}

// UpdateCluster changes cluster id; omitted fields stay as they are.
func (s *Service) UpdateCluster(ctx context.Context, id string, in UpdateClusterInput) (*ent.Cluster, error) {
	client := database.Client(ctx, s.Client)
	c, err := client.Cluster.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	update := client.Cluster.UpdateOne(c).
		SetNillableName(in.Name).
		SetNillableDescription(in.Description).
		SetNillableRegion(in.Region).
		SetNillableKubernetesMode(in.KubernetesMode).
		SetNillableProduction(in.Production)
	return change.Update(ctx, clusterKind, c, "input", update, update.Mutation())
}

// DeleteCluster deletes cluster id; custom roles' permissions on it go with it.
func (s *Service) DeleteCluster(ctx context.Context, id string) (string, error) {
	client := database.Client(ctx, s.Client)
	c, err := client.Cluster.Get(ctx, id)
	if err != nil {
		return "", err
	}
	return change.Delete(ctx, client, clusterKind, c, client.Cluster.DeleteOne(c))
}
