// Package payments runs billing for organizations: their billing
// information, credit cards, plan changes and invoices, through the
// configured payment provider (billing.Provider), and the short-lived
// signed links invoices are downloaded with. Every operation needs the
// MANAGE_BILLING capability and writes its organization event; the
// provider is called with the organization's row locked.
package payments

import (
	"context"
	"fmt"
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/billingaccount"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/clock"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/secret"
	"github.com/orgql/orgql/internal/tenancy"
)

// Service runs the billing operations.
type Service struct {
	Client   *ent.Client
	Plans    billing.Catalog
	Provider billing.Provider
	// Keys seal the invoice download links.
	Keys *secret.Keyring
	// PublicURL is where the download links point.
	PublicURL string
	// LinkTTL is how long a download link works.
	LinkTTL time.Duration
	// Now is the billing clock (tests move it); nil: the time.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return clock.Now()
}

// Billing is Organization.billing: the organization's billing, read by a
// caller holding MANAGE_BILLING.
type Billing struct {
	OrganizationID string
}

// Get returns the billing of organization orgID: FORBIDDEN without MANAGE_BILLING.
func (s *Service) Get(ctx context.Context, orgID string) (*Billing, error) {
	if err := tenancy.Authorize(ctx, database.Client(ctx, s.Client), orgID, rbac.ManageBilling); err != nil {
		return nil, err
	}
	return &Billing{OrganizationID: orgID}, nil
}

// account returns the organization's billing account, read as the caller
// (who holds MANAGE_BILLING), or nil when it has none yet.
func (s *Service) account(ctx context.Context, client *ent.Client, orgID string) (*ent.BillingAccount, error) {
	acct, err := client.BillingAccount.Query().Where(billingaccount.OrganizationID(orgID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load billing account: %w", err)
	}
	return acct, nil
}

// begin starts a billing change of organization orgID: it locks the
// organization, checks MANAGE_BILLING, settles what the provider has due,
// and returns the organization and its billing account (created on first
// use, its first period starting now).
func (s *Service) begin(ctx context.Context, orgID string) (*ent.Client, *ent.Organization, *ent.BillingAccount, error) {
	client := database.Client(ctx, s.Client)
	org, err := database.LockOrganization(ctx, client, orgID)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := tenancy.AuthorizeWrite(ctx, client, ent.TypeBillingAccount, orgID); err != nil {
		return nil, nil, nil, err
	}
	acct, err := s.ensureAccount(ctx, client, org)
	if err != nil {
		return nil, nil, nil, err
	}
	return client, org, acct, nil
}

func (s *Service) ensureAccount(ctx context.Context, client *ent.Client, org *ent.Organization) (*ent.BillingAccount, error) {
	acct, err := s.account(ctx, client, org.ID)
	if err != nil {
		return nil, err
	}
	if acct != nil {
		// What is due comes first: a change lands in the period it is made in.
		if err := s.Provider.Settle(ctx, org.ID, s.now()); err != nil {
			return nil, fmt.Errorf("settle billing: %w", err)
		}
		return s.account(ctx, client, org.ID)
	}
	now := s.now()
	acct, err = client.BillingAccount.Create().
		SetOrganizationID(org.ID).
		SetProvider(s.Provider.Name()).
		SetPeriodStart(now).
		SetPlanSince(now).
		Save(tenancy.AsSystem(ctx, tenancy.Billing))
	if err != nil {
		return nil, fmt.Errorf("create billing account: %w", err)
	}
	return acct, nil
}

// customer returns the account's customer at the provider, creating it on first use.
func (s *Service) customer(ctx context.Context, client *ent.Client, org *ent.Organization, acct *ent.BillingAccount) (*ent.BillingAccount, error) {
	if acct.CustomerID != "" {
		return acct, nil
	}
	id, err := s.Provider.SaveCustomer(ctx, billing.Customer{OrganizationID: org.ID, OrganizationName: org.Name, Info: infoOf(acct)})
	if err != nil {
		return nil, providerError(err, "input")
	}
	acct, err = client.BillingAccount.UpdateOne(acct).SetCustomerID(id).Save(tenancy.AsSystem(ctx, tenancy.Billing))
	if err != nil {
		return nil, fmt.Errorf("save customer: %w", err)
	}
	return acct, nil
}

// Settle issues what the provider has due for every organization with a
// billing account: the job `serve` runs every minute (the local ledger's
// invoices at the end of each period).
func (s *Service) Settle(ctx context.Context) error {
	ctx = tenancy.AsSystem(ctx, tenancy.Billing)
	// A period is at least 28 days: accounts whose period began later cannot be due.
	ids, err := s.Client.BillingAccount.Query().
		Where(billingaccount.PeriodStartLTE(s.now().AddDate(0, 0, -28))).
		Select(billingaccount.FieldOrganizationID).Strings(ctx)
	if err != nil {
		return fmt.Errorf("list billing accounts: %w", err)
	}
	for _, orgID := range ids {
		err := database.InTx(ctx, s.Client, func(ctx context.Context) error {
			if _, err := database.LockOrganization(ctx, database.Client(ctx, s.Client), orgID); err != nil {
				return err
			}
			return s.Provider.Settle(ctx, orgID, s.now())
		})
		if err != nil && !ent.IsNotFound(err) {
			return fmt.Errorf("settle billing of %s: %w", orgID, err)
		}
	}
	return nil
}

// Run settles billing every interval until ctx ends.
func (s *Service) Run(ctx context.Context, interval time.Duration, logf func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Settle(ctx); err != nil && ctx.Err() == nil {
				logf(err)
			}
		}
	}
}
