package projects

import (
	"context"
	"fmt"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/validate"
)

// UpdateProject changes project id; omitted fields stay as they are.
func (s *Service) UpdateProject(ctx context.Context, id string, in UpdateProjectInput) (*ent.Project, error) {
	client := database.Client(ctx, s.Client)
	before, err := s.project(ctx, client, id)
	if err != nil {
		return nil, err
	}
	if err := validateNameAndDescription("input", in.Name, in.Description); err != nil {
		return nil, err
	}
	update := client.Project.UpdateOne(before)
	if in.Name != nil {
		update.SetName(*in.Name).SetNameKey(validate.NameKey(*in.Name))
	}
	if in.Description != nil {
		update.SetDescription(*in.Description)
	}
	p, err := update.Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, projectNameTaken(*in.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("update project: %w", err)
	}
	if err := events.RecordUpdate(ctx, client, events.Event{
		OrganizationID: p.OrganizationID, TargetType: organizationevent.TargetTypePROJECT, TargetID: p.ID, TargetName: p.Name,
	}, projectSnapshot(before), projectSnapshot(p)); err != nil {
		return nil, err
	}
	return p, nil
}

// DeleteProject deletes project id; custom roles' permissions on it go with it.
func (s *Service) DeleteProject(ctx context.Context, id string) (string, error) {
	client := database.Client(ctx, s.Client)
	p, err := s.project(ctx, client, id)
	if err != nil {
		return "", err
	}
	if err := client.Project.DeleteOne(p).Exec(ctx); err != nil {
		return "", fmt.Errorf("delete project: %w", err)
	}
	_, err = events.Record(ctx, client, events.Event{
		OrganizationID: p.OrganizationID, Type: organizationevent.TypeDELETE, TargetType: organizationevent.TargetTypePROJECT,
		TargetID: p.ID, TargetName: p.Name,
	})
	return id, err
}

// project loads project id for a change: NOT_FOUND when the caller cannot see
// it, FORBIDDEN without CREATE_PROJECTS.
func (s *Service) project(ctx context.Context, client *ent.Client, id string) (*ent.Project, error) {
	p, err := client.Project.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("load project: %w", err)
	}
	if err := tenancy.Authorize(ctx, client, p.OrganizationID, rbac.CreateProjects); err != nil {
		return nil, err
	}
	return p, nil
}

func projectNameTaken(name string) error {
	return apperr.Conflict("a project named %q already exists in this organization", name)
}

func projectSnapshot(p *ent.Project) map[string]any {
	return map[string]any{"name": p.Name, "description": p.Description}
}
