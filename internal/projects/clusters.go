package projects

import (
	"context"
	"fmt"
	"slices"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/change"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/groups"
)

var clusterKind = change.Kind[*ent.Cluster]{
	Type: ent.TypeCluster, Target: organizationevent.TargetTypeCLUSTER, Noun: "cluster",
	Ref: func(c *ent.Cluster) change.Ref {
		return change.Ref{ID: c.ID, OrganizationID: c.OrganizationID, Name: c.Name}
	},
	Usage: billing.Usage{Clusters: 1},
}

// CreateCluster creates a cluster in organization orgID, within the plan's
// cluster limit, using the labels groups in.LabelsGroupIDs names.
func (s *Service) CreateCluster(ctx context.Context, orgID string, in CreateClusterInput) (*ent.Cluster, error) {
	client := database.Client(ctx, s.Client)
	create := client.Cluster.Create().
		SetOrganizationID(orgID).
		SetName(in.Name).
		SetCloudProvider(in.CloudProvider).
		SetRegion(in.Region).
		SetNillableDescription(in.Description).
		SetNillableKubernetesMode(in.KubernetesMode).
		SetNillableProduction(in.Production).
		AddLabelsGroupIDs(in.LabelsGroupIDs...)
	save := change.Checked(func(ctx context.Context) error {
		return groups.CheckLabelsGroupIDs(ctx, client, orgID, labelsGroupIDsField, in.LabelsGroupIDs)
	}, create)
	return change.Create(ctx, clusterKind, s.Plans, "input", save, create.Mutation())
}

// labelsGroupIDsField is where a cluster's labels groups sit in its inputs.
const labelsGroupIDsField = "input.labelsGroupIDs"

// UpdateCluster changes cluster id; omitted fields stay as they are, and
// in.LabelsGroupIDs, when given, replaces the labels groups it uses.
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
	save := change.Saver[*ent.Cluster](update)
	if in.LabelsGroupIDs != nil {
		save = change.Checked(func(ctx context.Context) error {
			if err := groups.CheckLabelsGroupIDs(ctx, client, c.OrganizationID, labelsGroupIDsField, in.LabelsGroupIDs); err != nil {
				return err
			}
			// The groups taken away are removed by ID, not cleared, so the event says which.
			current, err := c.QueryLabelsGroups().IDs(ctx)
			if err != nil {
				return fmt.Errorf("load the cluster's labels groups: %w", err)
			}
			update.
				RemoveLabelsGroupIDs(without(current, in.LabelsGroupIDs)...).
				AddLabelsGroupIDs(without(in.LabelsGroupIDs, current)...)
			return nil
		}, update)
	}
	return change.Update(ctx, clusterKind, c, "input", save, update.Mutation())
}

// without returns the IDs of list that are not in drop.
func without(list, drop []string) []string {
	var out []string
	for _, id := range list {
		if !slices.Contains(drop, id) {
			out = append(out, id)
		}
	}
	return out
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
