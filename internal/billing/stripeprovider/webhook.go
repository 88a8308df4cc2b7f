package stripeprovider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/billingaccount"
	"github.com/orgql/orgql/ent/creditcard"
	"github.com/orgql/orgql/ent/invoice"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/tenancy"
)

// WebhookPath is where Stripe delivers events.
const WebhookPath = "/billing/stripe/webhook"

// maxWebhookBody is the largest event body read; Stripe's are far smaller.
const maxWebhookBody = 1 << 20

// Webhook serves Stripe's event deliveries: the signature and its timestamp
// are checked with stripe-go's webhook package (400 when they fail), then
// the event is applied once: its ID goes into the processed-event table in
// the transaction that applies it, so a retried or replayed delivery finds
// it there and changes nothing (200, so Stripe stops retrying).
func (p *Provider) Webhook(logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		payload, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
		if err != nil {
			http.Error(w, "cannot read the body", http.StatusBadRequest)
			return
		}
		ev, err := webhook.ConstructEventWithOptions(payload, r.Header.Get("Stripe-Signature"), p.WebhookSecret,
			webhook.ConstructEventOptions{Tolerance: p.Tolerance, IgnoreAPIVersionMismatch: true})
		if err != nil {
			logger.WarnContext(r.Context(), "stripe webhook refused", "error", err)
			http.Error(w, "bad signature", http.StatusBadRequest)
			return
		}
		applied, err := p.Apply(r.Context(), ev)
		if err != nil {
			logger.ErrorContext(r.Context(), "stripe webhook failed", "event", ev.ID, "type", ev.Type, "error", err)
			http.Error(w, "not applied", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !applied {
			_, _ = io.WriteString(w, "already processed\n")
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	})
}

// Apply applies event ev once; applied is false for an event seen before.
func (p *Provider) Apply(ctx context.Context, ev stripe.Event) (applied bool, err error) {
	ctx = tenancy.AsSystem(ctx, tenancy.Billing)
	err = database.InTx(ctx, p.Client, func(ctx context.Context) error {
		client := database.Client(ctx, p.Client)
		err := client.ProcessedWebhookEvent.Create().SetID(ev.ID).SetType(string(ev.Type)).Exec(ctx)
		if ent.IsConstraintError(err) {
			return errSeen
		}
		if err != nil {
			return fmt.Errorf("record event: %w", err)
		}
		return p.apply(ctx, client, ev)
	})
	if errors.Is(err, errSeen) {
		return false, nil
	}
	return err == nil, err
}

var errSeen = errors.New("event already processed")

func (p *Provider) apply(ctx context.Context, client *ent.Client, ev stripe.Event) error {
	if ev.Data == nil {
		return nil
	}
	switch {
	case strings.HasPrefix(string(ev.Type), "invoice."):
		var inv stripe.Invoice
		if err := json.Unmarshal(ev.Data.Raw, &inv); err != nil {
			return fmt.Errorf("decode invoice: %w", err)
		}
		return p.saveInvoice(ctx, client, &inv)
	case ev.Type == "payment_method.updated" || ev.Type == "payment_method.automatically_updated":
		var pm stripe.PaymentMethod
		if err := json.Unmarshal(ev.Data.Raw, &pm); err != nil {
			return fmt.Errorf("decode payment method: %w", err)
		}
		if pm.Card == nil {
			return nil
		}
		return updateExpiry(ctx, client, pm.ID, int(pm.Card.ExpMonth), int(pm.Card.ExpYear))
	case ev.Type == "customer.subscription.deleted":
		var sub stripe.Subscription
		if err := json.Unmarshal(ev.Data.Raw, &sub); err != nil {
			return fmt.Errorf("decode subscription: %w", err)
		}
		return client.BillingAccount.Update().Where(billingaccount.SubscriptionID(sub.ID)).SetSubscriptionID("").Exec(ctx)
	}
	return nil
}

// updateExpiry gives the cards of payment method pm their new expiry, and
// writes each change's event (by orgql itself, the actor of what Stripe
// tells).
func updateExpiry(ctx context.Context, client *ent.Client, pm string, month, year int) error {
	cards, err := client.CreditCard.Query().Where(creditcard.ProviderID(pm)).All(ctx)
	if err != nil {
		return fmt.Errorf("find the payment method's cards: %w", err)
	}
	for _, card := range cards {
		if card.ExpiryMonth == month && card.ExpiryYear == year {
			continue
		}
		if err := client.CreditCard.UpdateOne(card).SetExpiryMonth(month).SetExpiryYear(year).Exec(ctx); err != nil {
			return fmt.Errorf("update the card's expiry: %w", err)
		}
		err := events.RecordUpdate(ctx, events.Event{
			OrganizationID: card.OrganizationID, TargetType: organizationevent.TargetTypeCREDIT_CARD,
			TargetID: card.ID, TargetName: billing.CardName(card.Brand, card.Last4),
		}, map[string]any{"expiryMonth": card.ExpiryMonth, "expiryYear": card.ExpiryYear},
			map[string]any{"expiryMonth": month, "expiryYear": year})
		if err != nil {
			return err
		}
	}
	return nil
}

// saveInvoice creates or updates orgql's copy of a Stripe invoice, for the
// organization whose customer it is; an invoice of another customer is none of orgql's.
func (p *Provider) saveInvoice(ctx context.Context, client *ent.Client, inv *stripe.Invoice) error {
	if inv.Customer == nil || inv.ID == "" {
		return nil
	}
	acct, err := client.BillingAccount.Query().Where(billingaccount.CustomerID(inv.Customer.ID)).First(ctx)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find customer's organization: %w", err)
	}
	lines := []billing.Line{}
	if inv.Lines != nil {
		for _, l := range inv.Lines.Data {
			line := billing.Line{Description: l.Description, AmountCents: int(l.Amount)}
			if l.Period != nil {
				line.PeriodStart, line.PeriodEnd = unix(l.Period.Start), unix(l.Period.End)
			}
			if l.Parent != nil && l.Parent.SubscriptionItemDetails != nil {
				line.Proration = l.Parent.SubscriptionItemDetails.Proration
			}
			if l.Parent != nil && l.Parent.InvoiceItemDetails != nil {
				line.Proration = line.Proration || l.Parent.InvoiceItemDetails.Proration
			}
			lines = append(lines, line)
		}
	}
	status := statusOf(inv.Status)
	number := inv.Number
	if number == "" {
		number = inv.ID
	}
	existing, err := client.Invoice.Query().Where(invoice.OrganizationID(acct.OrganizationID), invoice.ProviderID(inv.ID)).First(ctx)
	switch {
	case ent.IsNotFound(err):
		created := unix(inv.Created)
		return client.Invoice.Create().
			SetOrganizationID(acct.OrganizationID).SetProviderID(inv.ID).SetNumber(number).SetStatus(status).
			SetTotalCents(int(inv.Total)).SetCurrency(strings.ToUpper(string(inv.Currency))).
			SetPeriodStart(unix(inv.PeriodStart)).SetPeriodEnd(unix(inv.PeriodEnd)).
			SetPdfURL(inv.InvoicePDF).SetLines(lines).SetCreatedAt(created).SetUpdatedAt(created).
			Exec(ctx)
	case err != nil:
		return fmt.Errorf("find invoice: %w", err)
	}
	update := client.Invoice.UpdateOne(existing).SetStatus(status).SetTotalCents(int(inv.Total)).SetLines(lines).
		SetPeriodStart(unix(inv.PeriodStart)).SetPeriodEnd(unix(inv.PeriodEnd))
	if inv.InvoicePDF != "" {
		update.SetPdfURL(inv.InvoicePDF)
	}
	return update.Exec(ctx)
}

func statusOf(s stripe.InvoiceStatus) billing.InvoiceStatus {
	switch s {
	case stripe.InvoiceStatusOpen:
		return billing.InvoiceOpen
	case stripe.InvoiceStatusPaid:
		return billing.InvoicePaid
	case stripe.InvoiceStatusVoid:
		return billing.InvoiceVoid
	case stripe.InvoiceStatusUncollectible:
		return billing.InvoiceUncollectible
	}
	return billing.InvoiceDraft
}

func unix(s int64) time.Time { return time.Unix(s, 0).UTC() }
