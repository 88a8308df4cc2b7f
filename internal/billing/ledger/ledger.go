// Package ledger is the local payment provider, the embedded default: a
// ledger in orgql's own database. It keeps cards added with its test tokens
// (see Tokens), records the plan an organization is on through each billing
// period, issues an invoice per organization and period from the plan
// catalog (a plan change mid-period gives prorated lines), "charges" the
// default card, and renders each invoice as a PDF. No money moves: it is for
// running orgql without a payment provider, and for tests.
package ledger

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/billingaccount"
	"github.com/orgql/orgql/ent/creditcard"
	"github.com/orgql/orgql/ent/invoice"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/tenancy"
)

// Ledger is the local provider.
type Ledger struct {
	Client *ent.Client
	Plans  billing.Catalog
}

var _ billing.Provider = (*Ledger)(nil)

// Name implements billing.Provider.
func (*Ledger) Name() string { return "local" }

// TestToken is a payment-method token the local provider takes, standing
// for a test card, as Stripe's test tokens do.
type TestToken struct {
	Token, Brand, Last4 string
	// Declined cards are added, but charging them fails: their invoices stay OPEN.
	Declined bool
	// Expired cards expired last year.
	Expired bool
}

// Tokens are the local provider's test tokens (README: billing on the embedded default).
var Tokens = []TestToken{
	{Token: "tok_visa", Brand: "visa", Last4: "4242"},
	{Token: "tok_visa_debit", Brand: "visa", Last4: "5556"},
	{Token: "tok_mastercard", Brand: "mastercard", Last4: "4444"},
	{Token: "tok_amex", Brand: "amex", Last4: "8431"},
	{Token: "tok_discover", Brand: "discover", Last4: "9424"},
	{Token: "tok_chargeDeclined", Brand: "visa", Last4: "0002", Declined: true},
	{Token: "tok_expired", Brand: "visa", Last4: "0069", Expired: true},
}

func testToken(tok string) (TestToken, bool) {
	for _, t := range Tokens {
		if t.Token == tok {
			return t, true
		}
	}
	return TestToken{}, false
}

// SaveCustomer implements billing.Provider: the ledger's customer is the organization.
func (*Ledger) SaveCustomer(_ context.Context, c billing.Customer) (string, error) {
	if c.ID != "" {
		return c.ID, nil
	}
	return "lcus_" + c.OrganizationID, nil
}

// AddCard implements billing.Provider for the test tokens.
func (l *Ledger) AddCard(_ context.Context, _ string, tok string) (billing.Card, error) {
	t, ok := testToken(tok)
	if !ok {
		names := make([]string, len(Tokens))
		for i, t := range Tokens {
			names[i] = t.Token
		}
		return billing.Card{}, &billing.RefusedError{Message: "the local payment provider takes only its test tokens: " + strings.Join(names, ", ")}
	}
	year := time.Now().UTC().Year() + 3
	if t.Expired {
		year = time.Now().UTC().Year() - 1
	}
	return billing.Card{ProviderID: "lpm_" + strings.TrimPrefix(t.Token, "tok_") + "_" + random(), Brand: t.Brand, Last4: t.Last4,
		ExpiryMonth: 12, ExpiryYear: year}, nil
}

// RemoveCard implements billing.Provider: the cards are orgql's own rows.
func (*Ledger) RemoveCard(context.Context, string, string) error { return nil }

// SetDefaultCard implements billing.Provider: the default is orgql's own flag.
func (*Ledger) SetDefaultCard(context.Context, string, string) error { return nil }

// ChangePlan implements billing.Provider: it records the change (see
// RecordPlanChange); a priced plan's subscription is the ledger's own.
func (l *Ledger) ChangePlan(ctx context.Context, ch billing.PlanChange) (string, error) {
	if err := RecordPlanChange(ctx, l.Client, ch); err != nil {
		return "", err
	}
	if ch.To.PricePerMonthCents == nil || *ch.To.PricePerMonthCents == 0 {
		return "", nil
	}
	if ch.SubscriptionID != "" {
		return ch.SubscriptionID, nil
	}
	return fmt.Sprintf("lsub_%s_%d", ch.OrganizationID, ch.Generation+1), nil
}

// RecordPlanChange closes the segment of the current period spent on the
// old plan (a prorated line of the period's invoice) and starts one on the
// new plan. Every provider records it: it is what Billing.currentCost
// reads, and what the local ledger invoices.
func RecordPlanChange(ctx context.Context, root *ent.Client, ch billing.PlanChange) error {
	sys := tenancy.AsSystem(ctx, tenancy.Billing)
	client := database.Client(ctx, root)
	acct, err := client.BillingAccount.Query().Where(billingaccount.OrganizationID(ch.OrganizationID)).Only(sys)
	if err != nil {
		return fmt.Errorf("load billing account: %w", err)
	}
	lines := acct.PendingLines
	if line, ok := billing.Segment(ch.From, acct.PlanSince, ch.At, acct.PeriodStart, billing.PeriodEnd(acct.PeriodStart)); ok {
		lines = append(append([]billing.Line(nil), lines...), line)
	}
	if err := client.BillingAccount.UpdateOne(acct).SetPendingLines(lines).SetPlanSince(ch.At).Exec(sys); err != nil {
		return fmt.Errorf("record plan change: %w", err)
	}
	return nil
}

// Upcoming is what the current period's invoice will hold if nothing
// changes: its closed segments and the current plan to the period's end.
func Upcoming(acct *ent.BillingAccount, plan billing.Plan) []billing.Line {
	end := billing.PeriodEnd(acct.PeriodStart)
	lines := append([]billing.Line(nil), acct.PendingLines...)
	if line, ok := billing.Segment(plan, acct.PlanSince, end, acct.PeriodStart, end); ok {
		lines = append(lines, line)
	}
	return lines
}

// Settle implements billing.Provider: it issues the invoice of every period
// of the organization that ended by now, and charges it to the default card.
func (l *Ledger) Settle(ctx context.Context, orgID string, now time.Time) error {
	return ClosePeriods(ctx, l.Client, l.Plans, orgID, now, l.issue)
}

// Issuer issues the invoice of a period that ended at end.
type Issuer func(ctx context.Context, client *ent.Client, acct *ent.BillingAccount, currency string, lines []billing.Line, end time.Time) error

// ClosePeriods starts the organization's next billing period for each one
// that ended by now, calling issue (when not nil) with each ended period's
// lines.
func ClosePeriods(ctx context.Context, root *ent.Client, plans billing.Catalog, orgID string, now time.Time, issue Issuer) error {
	sys := tenancy.AsSystem(ctx, tenancy.Billing)
	client := database.Client(ctx, root)
	acct, err := client.BillingAccount.Query().Where(billingaccount.OrganizationID(orgID)).Only(sys)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load billing account: %w", err)
	}
	org, err := client.Organization.Get(sys, orgID)
	if err != nil {
		return fmt.Errorf("load organization: %w", err)
	}
	plan := plans.Plan(org.Plan)
	for end := billing.PeriodEnd(acct.PeriodStart); !now.Before(end); end = billing.PeriodEnd(acct.PeriodStart) {
		if lines := Upcoming(acct, plan); len(lines) > 0 && issue != nil {
			if err := issue(sys, client, acct, plan.Currency, lines, end); err != nil {
				return err
			}
		}
		acct, err = client.BillingAccount.UpdateOne(acct).
			SetPeriodStart(end).SetPlanSince(end).SetPendingLines([]billing.Line{}).Save(sys)
		if err != nil {
			return fmt.Errorf("start billing period: %w", err)
		}
	}
	return nil
}

func (l *Ledger) issue(ctx context.Context, client *ent.Client, acct *ent.BillingAccount, currency string, lines []billing.Line, end time.Time) error {
	n, err := client.Invoice.Query().Where(invoice.OrganizationID(acct.OrganizationID)).Count(ctx)
	if err != nil {
		return fmt.Errorf("count invoices: %w", err)
	}
	status := billing.InvoiceOpen
	card, err := client.CreditCard.Query().Where(creditcard.OrganizationID(acct.OrganizationID), creditcard.IsDefault(true)).Only(ctx)
	switch {
	case err == nil:
		if !strings.HasPrefix(card.ProviderID, "lpm_chargeDeclined_") && !billing.Expired(card.ExpiryMonth, card.ExpiryYear, end) {
			status = billing.InvoicePaid
		}
	case !ent.IsNotFound(err):
		return fmt.Errorf("load default card: %w", err)
	}
	err = client.Invoice.Create().
		SetOrganizationID(acct.OrganizationID).
		SetNumber(fmt.Sprintf("%s-%04d", strings.ToUpper(acct.ID[len(acct.ID)-8:]), n+1)).
		SetStatus(status).
		SetTotalCents(billing.Total(lines)).
		SetCurrency(currency).
		SetPeriodStart(acct.PeriodStart).
		SetPeriodEnd(end).
		SetLines(lines).
		SetCreatedAt(end).
		SetUpdatedAt(end).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("issue invoice: %w", err)
	}
	return nil
}

// InvoicePDF implements billing.Provider: it renders the invoice.
func (*Ledger) InvoicePDF(_ context.Context, doc billing.Document) (billing.PDF, error) {
	b, err := Render(doc)
	return billing.PDF{Bytes: b}, err
}

func random() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
