// Package stripeprovider is the Stripe payment provider, through the
// official stripe-go: a customer per organization, cards as payment methods
// attached by token or PaymentMethod ID (never a number), a subscription
// per priced plan with prorated changes, invoices and their PDFs from
// Stripe, delivered by signed webhooks (webhook.go). Every write carries an
// idempotency key made from what it does, so a retried request, or a
// change retried after its transaction failed, does it once at Stripe.
package stripeprovider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/billing/ledger"
)

// Provider is the Stripe provider.
type Provider struct {
	api *stripe.Client
	// Client is orgql's database: the webhooks write invoices and cards,
	// and the current period's estimate is kept as the ledger keeps it.
	Client *ent.Client
	Plans  billing.Catalog
	// Prices are the Stripe price IDs of the priced plans.
	Prices map[billing.PlanCode]string
	// WebhookSecret is the endpoint's signing secret (whsec_...).
	WebhookSecret string
	// Tolerance is how old a webhook's signed timestamp may be; 0: stripe-go's default (5 minutes).
	Tolerance time.Duration
}

var _ billing.Provider = (*Provider)(nil)

// Options configure New.
type Options struct {
	SecretKey     string
	WebhookSecret string
	// APIURL is Stripe's API ("" for Stripe's own; stripe-mock's in tests).
	APIURL string
	// HTTPClient makes the API calls; nil: a client with a 30s timeout.
	HTTPClient *http.Client
	Prices     map[billing.PlanCode]string
}

// New returns the Stripe provider.
func New(client *ent.Client, plans billing.Catalog, o Options) *Provider {
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	cfg := &stripe.BackendConfig{HTTPClient: hc, LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelError}}
	if o.APIURL != "" {
		cfg.URL = stripe.String(strings.TrimRight(o.APIURL, "/"))
	}
	return &Provider{
		api:           stripe.NewClient(o.SecretKey, stripe.WithBackends(stripe.NewBackendsWithConfig(cfg))),
		Client:        client,
		Plans:         plans,
		Prices:        o.Prices,
		WebhookSecret: o.WebhookSecret,
	}
}

// Name implements billing.Provider.
func (*Provider) Name() string { return "stripe" }

// key is the idempotency key of one write: the same parts, the same key.
func key(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return "orgql-" + hex.EncodeToString(h[:16])
}

func infoParts(i billing.Info) string {
	return strings.Join([]string{i.FirstName, i.LastName, i.Email, i.Address, i.City, i.Zip, i.State, i.CountryCode, i.Company, i.VATNumber}, "\x00")
}

// SaveCustomer implements billing.Provider.
func (p *Provider) SaveCustomer(ctx context.Context, c billing.Customer) (string, error) {
	name := c.Info.Company
	if name == "" {
		name = c.OrganizationName
	}
	addr := &stripe.AddressParams{
		Line1: stripe.String(c.Info.Address), City: stripe.String(c.Info.City), PostalCode: stripe.String(c.Info.Zip),
		State: stripe.String(c.Info.State), Country: stripe.String(c.Info.CountryCode),
	}
	if c.ID == "" {
		params := &stripe.CustomerCreateParams{Name: stripe.String(name), Metadata: map[string]string{"orgql_organization_id": c.OrganizationID}}
		if c.Info.Email != "" {
			params.Email = stripe.String(c.Info.Email)
			params.Address = addr
		}
		params.SetIdempotencyKey(key(c.OrganizationID, "customer.create", name, infoParts(c.Info)))
		cus, err := p.api.V1Customers.Create(ctx, params)
		if err != nil {
			return "", refused(err)
		}
		return cus.ID, nil
	}
	params := &stripe.CustomerUpdateParams{Name: stripe.String(name), Email: stripe.String(c.Info.Email), Address: addr}
	params.SetIdempotencyKey(key(c.ID, "customer.update", name, infoParts(c.Info)))
	if _, err := p.api.V1Customers.Update(ctx, c.ID, params); err != nil {
		return "", refused(err)
	}
	return c.ID, nil
}

// AddCard implements billing.Provider: a PaymentMethod ID (pm_...) is
// attached as it is; a token (tok_...) first becomes a PaymentMethod.
func (p *Provider) AddCard(ctx context.Context, customerID, token string) (billing.Card, error) {
	pmID := token
	if !strings.HasPrefix(token, "pm_") {
		params := &stripe.PaymentMethodCreateParams{Type: stripe.String("card"), Card: &stripe.PaymentMethodCreateCardParams{Token: stripe.String(token)}}
		params.SetIdempotencyKey(key(customerID, "payment_method.create", token))
		pm, err := p.api.V1PaymentMethods.Create(ctx, params)
		if err != nil {
			return billing.Card{}, refused(err)
		}
		pmID = pm.ID
	}
	params := &stripe.PaymentMethodAttachParams{Customer: stripe.String(customerID)}
	params.SetIdempotencyKey(key(customerID, "payment_method.attach", pmID))
	pm, err := p.api.V1PaymentMethods.Attach(ctx, pmID, params)
	if err != nil {
		return billing.Card{}, refused(err)
	}
	if pm.Card == nil {
		return billing.Card{}, &billing.RefusedError{Message: "the payment method is not a card"}
	}
	return billing.Card{ProviderID: pm.ID, Brand: string(pm.Card.Brand), Last4: pm.Card.Last4,
		ExpiryMonth: int(pm.Card.ExpMonth), ExpiryYear: int(pm.Card.ExpYear)}, nil
}

// RemoveCard implements billing.Provider.
func (p *Provider) RemoveCard(ctx context.Context, customerID, providerID string) error {
	params := &stripe.PaymentMethodDetachParams{}
	params.SetIdempotencyKey(key(customerID, "payment_method.detach", providerID))
	_, err := p.api.V1PaymentMethods.Detach(ctx, providerID, params)
	return refused(err)
}

// SetDefaultCard implements billing.Provider: the customer's invoices are charged to it.
func (p *Provider) SetDefaultCard(ctx context.Context, customerID, providerID string) error {
	params := &stripe.CustomerUpdateParams{InvoiceSettings: &stripe.CustomerUpdateInvoiceSettingsParams{DefaultPaymentMethod: stripe.String(providerID)}}
	params.SetIdempotencyKey(key(customerID, "customer.default_payment_method", providerID))
	_, err := p.api.V1Customers.Update(ctx, customerID, params)
	return refused(err)
}

// ChangePlan implements billing.Provider: a priced plan is a subscription
// to its Stripe price, created once per generation (the key makes a
// repeated create return the same subscription) and changed with
// prorations; a plan without a price cancels the subscription.
func (p *Provider) ChangePlan(ctx context.Context, ch billing.PlanChange) (string, error) {
	if err := ledger.RecordPlanChange(ctx, p.Client, ch); err != nil {
		return "", err
	}
	price, priced := p.Prices[ch.To.Code]
	if !priced {
		if ch.To.PricePerMonthCents != nil && *ch.To.PricePerMonthCents > 0 {
			return "", &billing.RefusedError{Message: fmt.Sprintf("the %s plan has no Stripe price configured", ch.To.Name)}
		}
		if ch.SubscriptionID == "" {
			return "", nil
		}
		params := &stripe.SubscriptionCancelParams{Prorate: stripe.Bool(true)}
		params.SetIdempotencyKey(key(ch.SubscriptionID, "subscription.cancel"))
		if _, err := p.api.V1Subscriptions.Cancel(ctx, ch.SubscriptionID, params); err != nil {
			return "", refused(err)
		}
		return "", nil
	}
	if ch.SubscriptionID == "" {
		params := &stripe.SubscriptionCreateParams{
			Customer:          stripe.String(ch.CustomerID),
			Items:             []*stripe.SubscriptionCreateItemParams{{Price: stripe.String(price)}},
			ProrationBehavior: stripe.String("create_prorations"),
			PaymentBehavior:   stripe.String("allow_incomplete"),
			Metadata:          map[string]string{"orgql_organization_id": ch.OrganizationID},
		}
		params.SetIdempotencyKey(key(ch.OrganizationID, "subscription.create", fmt.Sprint(ch.Generation+1)))
		sub, err := p.api.V1Subscriptions.Create(ctx, params)
		if err != nil {
			return "", refused(err)
		}
		return sub.ID, nil
	}
	sub, err := p.api.V1Subscriptions.Retrieve(ctx, ch.SubscriptionID, nil)
	if err != nil {
		return "", refused(err)
	}
	item := &stripe.SubscriptionUpdateItemParams{Price: stripe.String(price)}
	if sub.Items != nil && len(sub.Items.Data) > 0 {
		item.ID = stripe.String(sub.Items.Data[0].ID)
	}
	params := &stripe.SubscriptionUpdateParams{Items: []*stripe.SubscriptionUpdateItemParams{item}, ProrationBehavior: stripe.String("create_prorations")}
	params.SetIdempotencyKey(key(ch.SubscriptionID, "subscription.update", price, ch.At.Format(time.RFC3339Nano)))
	if _, err := p.api.V1Subscriptions.Update(ctx, ch.SubscriptionID, params); err != nil {
		return "", refused(err)
	}
	return ch.SubscriptionID, nil
}

// Settle implements billing.Provider: Stripe issues the invoices (they
// arrive by webhook); the periods of the current cost's estimate move on.
func (p *Provider) Settle(ctx context.Context, orgID string, now time.Time) error {
	return ledger.ClosePeriods(ctx, p.Client, p.Plans, orgID, now, nil)
}

// InvoicePDF implements billing.Provider: Stripe's copy of the PDF.
func (p *Provider) InvoicePDF(ctx context.Context, doc billing.Document) (billing.PDF, error) {
	if doc.ProviderID == "" {
		return billing.PDF{}, errors.New("the invoice is not Stripe's")
	}
	inv, err := p.api.V1Invoices.Retrieve(ctx, doc.ProviderID, nil)
	if err != nil {
		return billing.PDF{}, fmt.Errorf("retrieve invoice: %w", err)
	}
	return billing.PDF{URL: inv.InvoicePDF}, nil
}

// refused turns Stripe's refusal of a card or token into a client's error;
// other failures stay orgql's (masked).
func refused(err error) error {
	var se *stripe.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	switch se.Type {
	case stripe.ErrorTypeCard:
		return &billing.RefusedError{Message: "the card was refused: " + string(se.Code)}
	case stripe.ErrorTypeInvalidRequest:
		if se.HTTPStatusCode == http.StatusBadRequest || se.HTTPStatusCode == http.StatusNotFound {
			return &billing.RefusedError{Message: "the payment provider refused the request: the token or payment method is not valid"}
		}
	}
	return fmt.Errorf("stripe: %s (%s)", se.Code, se.Type)
}
