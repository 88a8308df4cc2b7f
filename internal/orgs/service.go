package orgs

import (
	"context"

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
	// Billing moves the subscription at the payment provider; nil: none.
	Billing PlanChanger
}

// PlanChanger is the payment side of a plan change (internal/payments),
// called with the organization locked, before its plan changes.
type PlanChanger interface {
	ChangePlan(ctx context.Context, client *ent.Client, org *ent.Organization, to billing.PlanCode) error
}
