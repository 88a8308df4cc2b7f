package server

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/billing/ledger"
	"github.com/orgql/orgql/internal/billing/stripeprovider"
	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/payments"
)

// newPayments builds the billing service on the configured payment provider.
func newPayments(cfg config.Config, client *ent.Client, opts Options) (*payments.Service, *stripeprovider.Provider, error) {
	plans := opts.Plans
	svc := &payments.Service{Client: client, Plans: plans, Keys: opts.Keys, PublicURL: trimSlash(cfg.PublicURL),
		LinkTTL: cfg.InvoiceLinkTTL, Now: opts.BillingClock}
	if cfg.BillingProvider != "stripe" {
		svc.Provider = &ledger.Ledger{Client: client, Plans: plans}
		return svc, nil, nil
	}
	ids, err := cfg.StripePriceIDs()
	if err != nil {
		return nil, nil, err
	}
	prices := map[billing.PlanCode]string{}
	for plan, id := range ids {
		prices[billing.PlanCode(plan)] = id
	}
	sp := stripeprovider.New(client, plans, stripeprovider.Options{
		SecretKey: cfg.StripeSecretKey, WebhookSecret: cfg.StripeWebhookSecret, APIURL: cfg.StripeAPIURL,
		HTTPClient: opts.StripeHTTPClient, Prices: prices,
	})
	svc.Provider = sp
	return svc, sp, nil
}

// invoicePDF serves an invoice's download link: the PDF (or a redirect to
// the provider's copy) for a caller who may read the organization's
// billing and holds an unexpired link to it; 404, saying nothing more, to
// anyone else.
func invoicePDF(svc *payments.Service, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		inv, pdf, err := svc.Download(r.Context(), r.PathValue("id"), r.URL.Query().Get("token"))
		if err != nil {
			logger.ErrorContext(r.Context(), "invoice download failed", "error", err)
			writeStatus(w, http.StatusInternalServerError, "internal error")
			return
		}
		if pdf == nil {
			http.NotFound(w, r)
			return
		}
		if pdf.URL != "" {
			http.Redirect(w, r, pdf.URL, http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `attachment; filename="invoice-`+inv.Number+`.pdf"`)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(pdf.Bytes)
	})
}

// RunBilling runs the billing job until ctx ends: every interval, the
// provider issues what is due (the local ledger's invoices of ended periods).
func (s *Server) RunBilling(ctx context.Context, logger *slog.Logger) {
	s.Resolver.Payments.Run(ctx, s.cfg.BillingSettleInterval, func(err error) {
		logger.ErrorContext(ctx, "billing job failed", "error", err)
	})
}

// SettleBilling runs the billing job once, now.
func (s *Server) SettleBilling(ctx context.Context) error { return s.Resolver.Payments.Settle(ctx) }

func trimSlash(u string) string {
	for len(u) > 0 && u[len(u)-1] == '/' {
		u = u[:len(u)-1]
	}
	return u
}
