package payments

import (
	"context"
	"errors"
	"fmt"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/tenancy"
)

// Info returns the organization's billing information, or nil when none was given.
func (s *Service) Info(ctx context.Context, b *Billing) (*billing.Info, error) {
	acct, err := s.account(ctx, database.Client(ctx, s.Client), b.OrganizationID)
	if err != nil || acct == nil || !acct.InfoSet {
		return nil, err
	}
	info := infoOf(acct)
	return &info, nil
}

// UpdateInfo replaces the organization's billing information with in
// (validated: see billing.Info.Validate) and tells the provider.
func (s *Service) UpdateInfo(ctx context.Context, orgID string, in billing.Info) (*billing.Info, error) {
	client, org, acct, err := s.begin(ctx, orgID)
	if err != nil {
		return nil, err
	}
	info, err := in.Validate("input")
	if err != nil {
		return nil, err
	}
	before := infoOf(acct)
	id, err := s.Provider.SaveCustomer(ctx, billing.Customer{ID: acct.CustomerID, OrganizationID: org.ID, OrganizationName: org.Name, Info: info})
	if err != nil {
		return nil, providerError(err, "input")
	}
	err = client.BillingAccount.UpdateOne(acct).
		SetCustomerID(id).SetInfoSet(true).
		SetFirstName(info.FirstName).SetLastName(info.LastName).SetEmail(info.Email).
		SetAddress(info.Address).SetCity(info.City).SetZip(info.Zip).SetState(info.State).
		SetCountryCode(info.CountryCode).SetCompany(info.Company).SetVatNumber(info.VATNumber).
		Exec(tenancy.AsSystem(ctx, tenancy.Billing))
	if err != nil {
		return nil, fmt.Errorf("save billing information: %w", err)
	}
	ev := events.Event{OrganizationID: orgID, TargetType: organizationevent.TargetTypeBILLING_INFO, TargetID: acct.ID, TargetName: org.Name}
	if !acct.InfoSet {
		ev.Type, ev.Change = organizationevent.TypeCREATE, info.Map()
		err = events.Record(ctx, ev)
	} else {
		err = events.RecordUpdate(ctx, ev, before.Map(), info.Map())
	}
	if err != nil {
		return nil, err
	}
	return &info, nil
}

func infoOf(a *ent.BillingAccount) billing.Info {
	return billing.Info{
		FirstName: a.FirstName, LastName: a.LastName, Email: a.Email, Address: a.Address, City: a.City,
		Zip: a.Zip, State: a.State, CountryCode: a.CountryCode, Company: a.Company, VATNumber: a.VatNumber,
	}
}

// providerError is a provider's failure as the client reads it: a refusal
// in its words (BAD_USER_INPUT), anything else masked.
func providerError(err error, field string) error {
	var refused *billing.RefusedError
	if errors.As(err, &refused) {
		return apperr.BadInput(field, "%s", refused.Message)
	}
	return fmt.Errorf("payment provider: %w", err)
}
