package projects

import (
	"context"
	"fmt"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/limits"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/validate"
)

const (
	maxName        = 255
	maxDescription = 1000
)

// ValidateCreateProject checks a CreateProjectInput whose fields sit under path (e.g. "input").
func ValidateCreateProject(path string, in CreateProjectInput) error {
	return validateNameAndDescription(path, &in.Name, in.Description)
}

// validateNameAndDescription checks the name and description of a project or
// cluster input under path; nil ones are not given.
func validateNameAndDescription(path string, name, description *string) error {
	if name != nil {
		if _, err := validate.Name(path+".name", *name, maxName); err != nil {
			return err
		}
	}
	if description != nil {
		if _, err := validate.Text(path+".description", *description, maxDescription); err != nil {
			return err
		}
	}
	return nil
}

// CreateProject creates a project in organization orgID, within the plan's project limit.
func (s *Service) CreateProject(ctx context.Context, orgID string, in CreateProjectInput) (*ent.Project, error) {
	client := database.Client(ctx, s.Client)
	org, err := database.LockOrganization(ctx, client, orgID)
	if err != nil {
		return nil, err
	}
	if err := tenancy.Authorize(ctx, client, orgID, rbac.CreateProjects); err != nil {
		return nil, err
	}
	if err := ValidateCreateProject("input", in); err != nil {
		return nil, err
	}
	if err := limits.Check(ctx, client, s.Plans.Plan(org.Plan), orgID, billing.Usage{Projects: 1}); err != nil {
		return nil, err
	}
	create := client.Project.Create().
		SetOrganizationID(orgID).
		SetName(in.Name).
		SetNameKey(validate.NameKey(in.Name))
	if in.Description != nil {
		create.SetDescription(*in.Description)
	}
	p, err := create.Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, projectNameTaken(in.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("create project: %w", err)
	}
	_, err = events.Record(ctx, client, events.Event{
		OrganizationID: orgID, Type: organizationevent.TypeCREATE, TargetType: organizationevent.TargetTypePROJECT,
		TargetID: p.ID, TargetName: p.Name, Change: projectSnapshot(p),
	})
	return p, err
}
