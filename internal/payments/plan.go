package payments

import (
	"context"
	"fmt"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/tenancy"
)

// ChangePlan moves org's subscription at the provider to plan to; the
// caller (orgs.ChangePlan) holds the organization's lock, has checked
// MANAGE_BILLING and the plan's limits, and changes the organization's
// plan and records the event afterwards.
func (s *Service) ChangePlan(ctx context.Context, client *ent.Client, org *ent.Organization, to billing.PlanCode) error {
	acct, err := s.ensureAccount(ctx, client, org)
	if err != nil {
		return err
	}
	if acct, err = s.customer(ctx, client, org, acct); err != nil {
		return err
	}
	sub, err := s.Provider.ChangePlan(ctx, billing.PlanChange{
		OrganizationID: org.ID, CustomerID: acct.CustomerID, SubscriptionID: acct.SubscriptionID,
		From: s.Plans.Plan(org.Plan), To: s.Plans.Plan(to), At: s.now(), Generation: acct.SubscriptionGeneration,
	})
	if err != nil {
		return providerError(err, "plan")
	}
	update := client.BillingAccount.UpdateOneID(acct.ID).SetSubscriptionID(sub)
	if sub != "" && acct.SubscriptionID == "" {
		update.AddSubscriptionGeneration(1)
	}
	if err := update.Exec(tenancy.AsSystem(ctx, tenancy.Billing)); err != nil {
		return fmt.Errorf("save subscription: %w", err)
	}
	return nil
}
