package projects

import (
	"context"
	"fmt"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/limits"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/validate"
)

const maxRegion = 100

// CreateCluster creates a cluster in organization orgID, within the plan's cluster limit.
func (s *Service) CreateCluster(ctx context.Context, orgID string, in CreateClusterInput) (*ent.Cluster, error) {
	client := database.Client(ctx, s.Client)
	// The lock makes the limit check and the insert one step per organization.
	org, err := database.LockOrganization(ctx, client, orgID)
	if err != nil {
		return nil, err
	}
	if err := tenancy.Authorize(ctx, client, orgID, rbac.ManageClusters); err != nil {
		return nil, err
	}
	if err := validateCluster(&in.Name, in.Description, &in.Region); err != nil {
		return nil, err
	}
	if err := limits.Check(ctx, client, s.Plans.Plan(org.Plan), orgID, billing.Usage{Clusters: 1}); err != nil {
		return nil, err
	}
	create := client.Cluster.Create().
		SetOrganizationID(orgID).
		SetName(in.Name).
		SetNameKey(validate.NameKey(in.Name)).
		SetCloudProvider(in.CloudProvider).
		SetRegion(in.Region).
		SetNillableDescription(in.Description).
		SetNillableKubernetesMode(in.KubernetesMode).
		SetNillableProduction(in.Production)
	c, err := create.Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, clusterNameTaken(in.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("create cluster: %w", err)
	}
	_, err = events.Record(ctx, client, events.Event{
		OrganizationID: orgID, Type: organizationevent.TypeCREATE, TargetType: organizationevent.TargetTypeCLUSTER,
		TargetID: c.ID, TargetName: c.Name, Change: clusterSnapshot(c),
	})
	return c, err
}

// UpdateCluster changes cluster id; omitted fields stay as they are.
func (s *Service) UpdateCluster(ctx context.Context, id string, in UpdateClusterInput) (*ent.Cluster, error) {
	client := database.Client(ctx, s.Client)
	before, err := s.cluster(ctx, client, id)
	if err != nil {
		return nil, err
	}
	if err := validateCluster(in.Name, in.Description, in.Region); err != nil {
		return nil, err
	}
	update := client.Cluster.UpdateOne(before).
		SetNillableDescription(in.Description).
		SetNillableRegion(in.Region).
		SetNillableKubernetesMode(in.KubernetesMode).
		SetNillableProduction(in.Production)
	if in.Name != nil {
		update.SetName(*in.Name).SetNameKey(validate.NameKey(*in.Name))
	}
	c, err := update.Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, clusterNameTaken(*in.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("update cluster: %w", err)
	}
	if err := events.RecordUpdate(ctx, client, events.Event{
		OrganizationID: c.OrganizationID, TargetType: organizationevent.TargetTypeCLUSTER, TargetID: c.ID, TargetName: c.Name,
	}, clusterSnapshot(before), clusterSnapshot(c)); err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteCluster deletes cluster id; custom roles' permissions on it go with it.
func (s *Service) DeleteCluster(ctx context.Context, id string) (string, error) {
	client := database.Client(ctx, s.Client)
	c, err := s.cluster(ctx, client, id)
	if err != nil {
		return "", err
	}
	if err := client.Cluster.DeleteOne(c).Exec(ctx); err != nil {
		return "", fmt.Errorf("delete cluster: %w", err)
	}
	_, err = events.Record(ctx, client, events.Event{
		OrganizationID: c.OrganizationID, Type: organizationevent.TypeDELETE, TargetType: organizationevent.TargetTypeCLUSTER,
		TargetID: c.ID, TargetName: c.Name,
	})
	return id, err
}

// cluster loads cluster id for a change: NOT_FOUND when the caller cannot see
// it, FORBIDDEN without MANAGE_CLUSTERS.
func (s *Service) cluster(ctx context.Context, client *ent.Client, id string) (*ent.Cluster, error) {
	c, err := client.Cluster.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("load cluster: %w", err)
	}
	if err := tenancy.Authorize(ctx, client, c.OrganizationID, rbac.ManageClusters); err != nil {
		return nil, err
	}
	return c, nil
}

// validateCluster checks the text fields of a cluster input under "input"; nil ones are not given.
func validateCluster(name, description, region *string) error {
	if err := validateNameAndDescription("input", name, description); err != nil {
		return err
	}
	if region != nil {
		if _, err := validate.Name("input.region", *region, maxRegion); err != nil {
			return err
		}
	}
	return nil
}

func clusterNameTaken(name string) error {
	return apperr.Conflict("a cluster named %q already exists in this organization", name)
}

func clusterSnapshot(c *ent.Cluster) map[string]any {
	return map[string]any{
		"name": c.Name, "description": c.Description, "cloudProvider": string(c.CloudProvider),
		"region": c.Region, "kubernetesMode": string(c.KubernetesMode), "production": c.Production,
	}
}
