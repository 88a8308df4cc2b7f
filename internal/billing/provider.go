package billing

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Provider is the payment provider behind billing: Stripe in production, the
// local ledger (internal/billing/ledger) for the embedded default. orgql keeps
// its own copy of what clients read (billing information, cards by brand and
// last 4, invoices); a provider holds the money side. Every call runs inside
// the caller's transaction with the organization's row locked, so two
// changes of one organization never reach the provider at once.
type Provider interface {
	// Name is the provider's configuration name: "local" or "stripe".
	Name() string
	// SaveCustomer creates the organization's customer (c.ID empty) or
	// updates it, and returns its ID at the provider.
	SaveCustomer(ctx context.Context, c Customer) (string, error)
	// AddCard attaches the card a payment-method token stands for (never a
	// card number) to customerID and returns what orgql keeps of it.
	AddCard(ctx context.Context, customerID, token string) (Card, error)
	// RemoveCard detaches card providerID from customerID.
	RemoveCard(ctx context.Context, customerID, providerID string) error
	// SetDefaultCard makes card providerID the one customerID's invoices are charged to.
	SetDefaultCard(ctx context.Context, customerID, providerID string) error
	// ChangePlan moves the organization's subscription to ch.To, prorating
	// the current period, and returns the subscription's ID ("" on a plan
	// without a price).
	ChangePlan(ctx context.Context, ch PlanChange) (string, error)
	// Settle issues what is due up to now: the local ledger issues the
	// invoices of ended periods; Stripe's arrive by webhook.
	Settle(ctx context.Context, organizationID string, now time.Time) error
	// InvoicePDF is invoice inv as a PDF: its bytes, or a link to the
	// provider's copy.
	InvoicePDF(ctx context.Context, inv Document) (PDF, error)
}

// Customer is what a provider is told of an organization.
type Customer struct {
	ID               string
	OrganizationID   string
	OrganizationName string
	Info             Info
}

// PlanChange is one plan change of an organization.
type PlanChange struct {
	OrganizationID string
	CustomerID     string
	SubscriptionID string
	From, To       Plan
	At             time.Time
	// Generation counts the organization's subscriptions so far: with the
	// organization's ID it makes the idempotency key of creating the next one.
	Generation int
}

// Card is what orgql keeps of a card: never its number.
type Card struct {
	ProviderID  string
	Brand       string
	Last4       string
	ExpiryMonth int
	ExpiryYear  int
}

// Expired reports whether the card's expiry month has passed at now.
func Expired(month, year int, now time.Time) bool {
	y, m, _ := now.UTC().Date()
	return year < y || (year == y && month < int(m))
}

// PDF is an invoice's document: Bytes, or a URL where the provider serves it.
type PDF struct {
	Bytes []byte
	URL   string
}

// Document is everything an invoice's PDF shows.
type Document struct {
	ID, Number       string
	ProviderID       string
	OrganizationName string
	Info             Info
	Status           InvoiceStatus
	Currency         string
	TotalCents       int
	PeriodStart      time.Time
	PeriodEnd        time.Time
	IssuedAt         time.Time
	Lines            []Line
}

// Line is one line of an invoice.
type Line struct {
	Description string    `json:"description"`
	AmountCents int       `json:"amountCents"`
	PeriodStart time.Time `json:"periodStart"`
	PeriodEnd   time.Time `json:"periodEnd"`
	// Proration marks a part of a period, from a plan change.
	Proration bool `json:"proration"`
}

// InvoiceStatus is where an invoice stands.
type InvoiceStatus string

const (
	InvoiceDraft         InvoiceStatus = "DRAFT"
	InvoiceOpen          InvoiceStatus = "OPEN"
	InvoicePaid          InvoiceStatus = "PAID"
	InvoiceVoid          InvoiceStatus = "VOID"
	InvoiceUncollectible InvoiceStatus = "UNCOLLECTIBLE"
)

// InvoiceStatuses lists every status.
var InvoiceStatuses = []InvoiceStatus{InvoiceDraft, InvoiceOpen, InvoicePaid, InvoiceVoid, InvoiceUncollectible}

// Values lets ent use InvoiceStatus as an enum.
func (InvoiceStatus) Values() []string {
	out := make([]string, len(InvoiceStatuses))
	for i, s := range InvoiceStatuses {
		out[i] = string(s)
	}
	return out
}

func (s InvoiceStatus) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(s))) }

func (s *InvoiceStatus) UnmarshalGQL(v any) error {
	str, _ := v.(string)
	for _, c := range InvoiceStatuses {
		if string(c) == str {
			*s = c
			return nil
		}
	}
	return fmt.Errorf("%q is not an invoice status", str)
}

// RefusedError is a refusal by the provider, in words a client may read.
type RefusedError struct{ Message string }

func (e *RefusedError) Error() string { return e.Message }
