package projects

import (
	"context"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/change"
	"github.com/orgql/orgql/internal/database"
)

var projectKind = change.Kind[*ent.Project]{
	Type: ent.TypeProject, Target: organizationevent.TargetTypePROJECT, Noun: "project",
	Ref: func(p *ent.Project) change.Ref {
		return change.Ref{ID: p.ID, OrganizationID: p.OrganizationID, Name: p.Name}
	},
	Usage: billing.Usage{Projects: 1},
}

// CreateProject creates a project in organization orgID, within the plan's
// project limit. path is where the input sits, for errors ("input", or
// "input.firstProject" when an organization is created with it).
func (s *Service) CreateProject(ctx context.Context, orgID, path string, in CreateProjectInput) (*ent.Project, error) {
	create := database.Client(ctx, s.Client).Project.Create().
		SetOrganizationID(orgID).
		SetName(in.Name).
		SetNillableDescription(in.Description)
	return change.Create(ctx, projectKind, s.Plans, path, create, create.Mutation())
}

// UpdateProject changes project id; omitted fields stay as they are.
func (s *Service) UpdateProject(ctx context.Context, id string, in UpdateProjectInput) (*ent.Project, error) {
	client := database.Client(ctx, s.Client)
	p, err := client.Project.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	update := client.Project.UpdateOne(p).
		SetNillableName(in.Name).
		SetNillableDescription(in.Description)
	return change.Update(ctx, projectKind, p, "input", update, update.Mutation())
}

// DeleteProject deletes project id; custom roles' permissions on it go with it.
func (s *Service) DeleteProject(ctx context.Context, id string) (string, error) {
	client := database.Client(ctx, s.Client)
	p, err := client.Project.Get(ctx, id)
	if err != nil {
		return "", err
	}
	return change.Delete(ctx, client, projectKind, p, client.Project.DeleteOne(p))
}
