// Package groups manages labels groups and annotations groups: named sets of
// Kubernetes labels (which clusters put on their resources, and optionally
// on their cloud provider's as tags) and of annotations (with the kinds of
// objects they go on). Their keys and values follow Kubernetes' syntax and
// keep out of the keys Kubernetes, Helm, the cloud providers and the
// platform reserve (internal/kubemeta). Members with MANAGE_SETTINGS write
// them, every member reads them; a labels group a cluster uses cannot be deleted.
package groups

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/cluster"
	"github.com/orgql/orgql/ent/labelsgroup"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/change"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/tenancy"
)

// Service manages labels and annotations groups.
type Service struct {
	Client *ent.Client
}

var labelsGroupKind = change.Kind[*ent.LabelsGroup]{
	Type: ent.TypeLabelsGroup, Target: organizationevent.TargetTypeLABELS_GROUP, Noun: "labels group",
	Ref: func(g *ent.LabelsGroup) change.Ref {
		return change.Ref{ID: g.ID, OrganizationID: g.OrganizationID, Name: g.Name}
	},
}

var annotationsGroupKind = change.Kind[*ent.AnnotationsGroup]{
	Type: ent.TypeAnnotationsGroup, Target: organizationevent.TargetTypeANNOTATIONS_GROUP, Noun: "annotations group",
	Ref: func(g *ent.AnnotationsGroup) change.Ref {
		return change.Ref{ID: g.ID, OrganizationID: g.OrganizationID, Name: g.Name}
	},
}

// CreateLabelsGroup creates a labels group in organization orgID.
func (s *Service) CreateLabelsGroup(ctx context.Context, orgID string, in LabelsGroupInput) (*ent.LabelsGroup, error) {
	create := database.Client(ctx, s.Client).LabelsGroup.Create().SetOrganizationID(orgID)
	return change.Create(ctx, labelsGroupKind, nil, "input", change.Checked(func(context.Context) error {
		if err := in.check(); err != nil {
			return err
		}
		create.SetName(in.Name).SetLabels(in.Labels)
		return nil
	}, create), create.Mutation())
}

// UpdateLabelsGroup replaces labels group id's definition with in.
func (s *Service) UpdateLabelsGroup(ctx context.Context, id string, in LabelsGroupInput) (*ent.LabelsGroup, error) {
	client := database.Client(ctx, s.Client)
	g, err := client.LabelsGroup.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	update := client.LabelsGroup.UpdateOne(g)
	return change.Update(ctx, labelsGroupKind, g, "input", change.Checked(func(context.Context) error {
		if err := in.check(); err != nil {
			return err
		}
		update.SetName(in.Name).SetLabels(in.Labels)
		return nil
	}, update), update.Mutation())
}

// DeleteLabelsGroup deletes labels group id; CONFLICT, naming them, while clusters use it.
func (s *Service) DeleteLabelsGroup(ctx context.Context, id string) (string, error) {
	client := database.Client(ctx, s.Client)
	// The row lock makes the check and the delete one step: a cluster that
	// starts using the group meanwhile waits for the delete (its foreign key
	// needs the row), then fails; one that started first is seen by the check.
	g, err := client.LabelsGroup.Query().
		Where(labelsgroup.ID(id)).
		Modify(func(s *sql.Selector) {
			if s.Dialect() != dialect.SQLite { // SQLite's write transactions lock the database
				s.ForUpdate()
			}
		}).
		Only(ctx)
	if err != nil {
		return "", err
	}
	// Authorized first: only who may delete the group learns it is in use.
	if err := tenancy.AuthorizeWrite(ctx, client, ent.TypeLabelsGroup, g.OrganizationID); err != nil {
		return "", err
	}
	users, err := client.Cluster.Query().
		Where(cluster.HasLabelsGroupsWith(labelsgroup.ID(id))).
		Select(cluster.FieldName).
		Strings(ctx)
	if err != nil {
		return "", fmt.Errorf("find the clusters using labels group %s: %w", id, err)
	}
	if len(users) > 0 {
		return "", inUse(g.Name, users)
	}
	return change.Delete(ctx, client, labelsGroupKind, g, client.LabelsGroup.DeleteOne(g))
}

// inUse is the CONFLICT of deleting the labels group named group, which the
// clusters named clusters use.
func inUse(group string, clusters []string) error {
	slices.Sort(clusters)
	quoted := make([]string, len(clusters))
	for i, c := range clusters {
		quoted[i] = fmt.Sprintf("%q", c)
	}
	noun := "cluster"
	if len(clusters) > 1 {
		noun = "clusters"
	}
	return apperr.Conflict("the labels group %q is used by the %s %s: remove it from them first", group, noun, strings.Join(quoted, ", "))
}

// CreateAnnotationsGroup creates an annotations group in organization orgID.
func (s *Service) CreateAnnotationsGroup(ctx context.Context, orgID string, in AnnotationsGroupInput) (*ent.AnnotationsGroup, error) {
	create := database.Client(ctx, s.Client).AnnotationsGroup.Create().SetOrganizationID(orgID)
	return change.Create(ctx, annotationsGroupKind, nil, "input", change.Checked(func(context.Context) error {
		if err := in.check(); err != nil {
			return err
		}
		create.SetName(in.Name).SetAnnotations(in.Annotations).SetScopes(in.Scopes)
		return nil
	}, create), create.Mutation())
}

// UpdateAnnotationsGroup replaces annotations group id's definition with in.
func (s *Service) UpdateAnnotationsGroup(ctx context.Context, id string, in AnnotationsGroupInput) (*ent.AnnotationsGroup, error) {
	client := database.Client(ctx, s.Client)
	g, err := client.AnnotationsGroup.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	update := client.AnnotationsGroup.UpdateOne(g)
	return change.Update(ctx, annotationsGroupKind, g, "input", change.Checked(func(context.Context) error {
		if err := in.check(); err != nil {
			return err
		}
		update.SetName(in.Name).SetAnnotations(in.Annotations).SetScopes(in.Scopes)
		return nil
	}, update), update.Mutation())
}

// DeleteAnnotationsGroup deletes annotations group id.
func (s *Service) DeleteAnnotationsGroup(ctx context.Context, id string) (string, error) {
	client := database.Client(ctx, s.Client)
	g, err := client.AnnotationsGroup.Get(ctx, id)
	if err != nil {
		return "", err
	}
	return change.Delete(ctx, client, annotationsGroupKind, g, client.AnnotationsGroup.DeleteOne(g))
}
