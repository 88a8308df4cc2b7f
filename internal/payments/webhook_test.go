package payments_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/orgql/orgql/ent/creditcard"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

// stripeOrg is an organization on the Stripe provider whose customer is
// customerID, with a card whose payment method is pmID, written as the
// system (the webhooks need no API call).
func stripeOrg(t *testing.T, e *testkit.Env, owner *testkit.Client, customerID, pmID string) testkit.Org {
	t.Helper()
	org := owner.CreateOrg(t)
	ctx := testkit.System(context.Background())
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := e.DB.Client.BillingAccount.Create().SetOrganizationID(org.ID).SetProvider("stripe").SetCustomerID(customerID).
		SetPeriodStart(now).SetPlanSince(now).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.DB.Client.CreditCard.Create().SetOrganizationID(org.ID).SetProviderID(pmID).SetBrand("visa").SetLast4("4242").
		SetExpiryMonth(1).SetExpiryYear(2020).SetIsDefault(true).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	return org
}

func invoiceEvent(id, typ, customer, invoiceID, status string) string {
	return fmt.Sprintf(`{"id": %q, "object": "event", "api_version": %q, "created": %d, "type": %q, "data": {"object": {
		"id": %q, "object": "invoice", "customer": %q, "number": "ORGQL-0001", "status": %q, "total": 29900, "currency": "usd",
		"period_start": 1767225600, "period_end": 1769904000, "created": 1769904000,
		"invoice_pdf": "https://pay.stripe.com/invoice/acct_1/%s/pdf",
		"lines": {"object": "list", "data": [
			{"id": "il_1", "object": "line_item", "amount": 19900, "description": "Remaining time on Team after 10 Jan 2026",
			 "period": {"start": 1768003200, "end": 1769904000},
			 "parent": {"type": "subscription_item_details", "subscription_item_details": {"proration": true}}},
			{"id": "il_2", "object": "line_item", "amount": 10000, "description": "1 x Team",
			 "period": {"start": 1767225600, "end": 1769904000},
			 "parent": {"type": "subscription_item_details", "subscription_item_details": {"proration": false}}}
		]}}}}`, id, stripe.APIVersion, time.Now().Unix(), typ, invoiceID, customer, status, invoiceID)
}

// deliver POSTs payload to the webhook, signed with secret at ts ("" secret: unsigned).
func deliver(e *testkit.Env, payload, secret string, ts time.Time) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/billing/stripe/webhook", strings.NewReader(payload))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(payload), Secret: secret, Timestamp: ts})
		req.Header.Set("Stripe-Signature", signed.Header)
	}
	return e.Serve(req)
}

// Stripe's webhooks: a bad or missing signature, or an old timestamp, is
// refused and changes nothing; a good event is applied once, however often
// it is delivered (retried, replayed, or twice at once); it reaches only the
// organization whose customer it names.
func TestStripeWebhooks(t *testing.T) {
	// The API is never called: the webhooks only write orgql's own rows.
	testkit.RunWith(t, stripeConfig("http://127.0.0.1:1"), func(t *testing.T, e *testkit.Env) {
		alice, bob := e.SignIn(t, "alice"), e.SignIn(t, "bob")
		suffix := strings.ToLower(testkit.Unique("")[1:])
		org := stripeOrg(t, e, alice, "cus_a"+suffix, "pm_a"+suffix)
		other := stripeOrg(t, e, bob, "cus_b"+suffix, "pm_b"+suffix)
		paid := invoiceEvent("evt_paid"+suffix, "invoice.paid", "cus_a"+suffix, "in_a"+suffix, "paid")
		now := time.Now()

		for name, rec := range map[string]*httptest.ResponseRecorder{
			"unsigned":         deliver(e, paid, "", now),
			"another secret":   deliver(e, paid, "whsec_other", now),
			"an old timestamp": deliver(e, paid, testWebhookSecret, now.Add(-10*time.Minute)),
			"a changed body":   deliverTampered(e, paid),
		} {
			if rec.Code != http.StatusBadRequest {
				t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
			}
		}
		if n := readBilling(t, alice, org).Invoices.TotalCount; n != 0 {
			t.Fatalf("refused deliveries wrote %d invoices", n)
		}

		if rec := deliver(e, paid, testWebhookSecret, now); rec.Code != 200 || !strings.Contains(rec.Body.String(), "ok") {
			t.Fatalf("a good delivery: %d %s", rec.Code, rec.Body)
		}
		b := readBilling(t, alice, org)
		if b.Invoices.TotalCount != 1 {
			t.Fatalf("invoices: %+v", b.Invoices)
		}
		inv := b.Invoices.Edges[0].Node
		if inv.Status != "PAID" || inv.TotalCents != 29900 || inv.Currency != "USD" || inv.Number != "ORGQL-0001" ||
			len(inv.Lines) != 2 || !inv.Lines[0].Proration || inv.Lines[1].Proration || inv.PeriodStart.Unix() != 1767225600 {
			t.Fatalf("invoice from the webhook: %+v", inv)
		}
		if n := readBilling(t, bob, other).Invoices.TotalCount; n != 0 {
			t.Fatalf("another organization got the invoice: %d", n)
		}

		// Voided later; then the paid event delivered again (retried, replayed freshly signed): ignored.
		voided := invoiceEvent("evt_void"+suffix, "invoice.voided", "cus_a"+suffix, "in_a"+suffix, "void")
		if rec := deliver(e, voided, testWebhookSecret, now); rec.Code != 200 {
			t.Fatalf("void: %d", rec.Code)
		}
		for range 2 {
			rec := deliver(e, paid, testWebhookSecret, time.Now())
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), "already processed") {
				t.Fatalf("a replayed event: %d %s", rec.Code, rec.Body)
			}
		}
		b = readBilling(t, alice, org)
		if b.Invoices.TotalCount != 1 || b.Invoices.Edges[0].Node.Status != "VOID" {
			t.Fatalf("after the replay: %+v", b.Invoices)
		}

		// One event delivered several times at once is applied once.
		created := invoiceEvent("evt_new"+suffix, "invoice.created", "cus_a"+suffix, "in_c"+suffix, "draft")
		var wg sync.WaitGroup
		var mu sync.Mutex
		answers := map[string]int{}
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec := deliver(e, created, testWebhookSecret, time.Now())
				mu.Lock()
				answers[fmt.Sprintf("%d %s", rec.Code, strings.TrimSpace(rec.Body.String()))]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if answers["200 ok"] != 1 || answers["200 already processed"] != 3 {
			t.Fatalf("four concurrent deliveries answered %v", answers)
		}
		if n := readBilling(t, alice, org).Invoices.TotalCount; n != 2 {
			t.Fatalf("%d invoices after the concurrent deliveries", n)
		}

		// A card's new expiry, and another customer's event, which orgql ignores.
		pm := fmt.Sprintf(`{"id": "evt_pm%s", "object": "event", "api_version": %q, "type": "payment_method.automatically_updated",
			"data": {"object": {"id": "pm_a%s", "object": "payment_method", "type": "card", "card": {"brand": "visa", "last4": "4242", "exp_month": 11, "exp_year": 2040}}}}`,
			suffix, stripe.APIVersion, suffix)
		if rec := deliver(e, pm, testWebhookSecret, now); rec.Code != 200 {
			t.Fatalf("payment method event: %d", rec.Code)
		}
		cards := readBilling(t, alice, org).CreditCards
		if cards[0].ExpiryMonth != 11 || cards[0].ExpiryYear != 2040 || cards[0].IsExpired {
			t.Fatalf("card after its update: %+v", cards[0])
		}
		bobsCard, err := e.DB.Client.CreditCard.Query().Where(creditcard.ProviderID("pm_b" + suffix)).Only(testkit.System(context.Background()))
		if err != nil || bobsCard.ExpiryYear != 2020 {
			t.Fatalf("another organization's card changed: %+v %v", bobsCard, err)
		}
		// The change is in the audit log, by orgql itself, with the old and
		// new expiry; in bob's organization's, nothing. The same expiry told
		// again (another event) changes nothing and writes no event.
		cardEvents := func(c *testkit.Client, orgID string) []cardEvent {
			t.Helper()
			var out struct {
				Organization struct {
					AuditEvents struct{ Edges []struct{ Node cardEvent } }
				}
			}
			c.Do(t, `query($id: ID!) { organization(id: $id) { auditEvents(first: 50, where: {targetType: CREDIT_CARD, type: UPDATE}) {
				edges { node { targetID targetName change actor { type id } } } } } }`, map[string]any{"id": orgID}).OK(t, &out)
			var evs []cardEvent
			for _, edge := range out.Organization.AuditEvents.Edges {
				evs = append(evs, edge.Node)
			}
			return evs
		}
		evs := cardEvents(alice, org.ID)
		if len(evs) != 1 || evs[0].TargetID != cards[0].ID || evs[0].TargetName != "visa ending 4242" || evs[0].Actor.Type != "SYSTEM" || evs[0].Actor.ID != nil ||
			fmt.Sprint(evs[0].Change["expiryYear"]) != "map[from:2020 to:2040]" {
			t.Fatalf("the card's audit events: %+v", evs)
		}
		if evs := cardEvents(bob, other.ID); len(evs) != 0 {
			t.Fatalf("another organization's audit log has %+v", evs)
		}
		again := strings.Replace(pm, "evt_pm"+suffix, "evt_pm_again"+suffix, 1)
		if rec := deliver(e, again, testWebhookSecret, now); rec.Code != 200 {
			t.Fatalf("payment method event again: %d", rec.Code)
		}
		if evs := cardEvents(alice, org.ID); len(evs) != 1 {
			t.Fatalf("the same expiry told again wrote %d events", len(evs)-1)
		}
		stranger := invoiceEvent("evt_stranger"+suffix, "invoice.paid", "cus_unknown"+suffix, "in_x"+suffix, "paid")
		if rec := deliver(e, stranger, testWebhookSecret, now); rec.Code != 200 {
			t.Fatalf("an unknown customer's event: %d", rec.Code)
		}

		// A Stripe invoice's link redirects a billing member to Stripe's PDF, and says nothing to others.
		inv = readBilling(t, alice, org).Invoices.Edges[1].Node
		rec := download(e, alice, inv.DownloadURL)
		if rec.Code != http.StatusFound || rec.Header().Get("Location") != "https://pay.stripe.com/invoice/acct_1/in_a"+suffix+"/pdf" {
			t.Fatalf("a Stripe invoice's download: %d %v", rec.Code, rec.Header())
		}
		viewer := e.SignIn(t, "viewer")
		e.AddMember(t, org, viewer, rbac.Viewer)
		for _, c := range []*testkit.Client{viewer, bob, nil} {
			if rec := download(e, c, inv.DownloadURL); rec.Code != 404 || rec.Header().Get("Location") != "" {
				t.Fatalf("refused download: %d %v", rec.Code, rec.Header())
			}
		}
	})
}

type cardEvent struct {
	TargetID, TargetName string
	Change               map[string]any
	Actor                struct {
		Type string
		ID   *string
	}
}

func deliverTampered(e *testkit.Env, payload string) *httptest.ResponseRecorder {
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(payload), Secret: testWebhookSecret, Timestamp: time.Now()})
	req := httptest.NewRequest(http.MethodPost, "/billing/stripe/webhook", strings.NewReader(strings.Replace(payload, "29900", "1", 1)))
	req.Header.Set("Stripe-Signature", signed.Header)
	return e.Serve(req)
}
