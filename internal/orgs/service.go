package orgs

import (
	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/projects"
	"github.com/orgql/orgql/internal/roles"
)

// Service runs the organization changes: create, update, delete,
// switch, change plan.
type Service struct {
	Client   *ent.Client
	Plans    billing.Catalog
	Projects *projects.Service
	Roles    *roles.Service
}
