package orgs

import (
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/projects"
)

// CreateInput is the GraphQL CreateOrganizationInput.
type CreateInput struct {
	Name               string
	Plan               *billing.PlanCode
	Description        *string
	WebsiteURL         *string
	AdminContactEmails []string
	LogoURL            *string
	FirstProject       *projects.CreateProjectInput
}

// UpdateInput is the GraphQL UpdateOrganizationInput: nil leaves a field unchanged.
type UpdateInput struct {
	Name               *string
	Description        *string
	WebsiteURL         *string
	AdminContactEmails []string
	LogoURL            *string
}
