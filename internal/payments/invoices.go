package payments

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/invoice"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/billing/ledger"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/secret"
	"github.com/orgql/orgql/internal/tenancy"
)

// InvoiceFilter narrows Billing.invoices.
type InvoiceFilter struct {
	Status *billing.InvoiceStatus
	// Year keeps the invoices issued in that year (UTC).
	Year *int
}

// Invoices pages the organization's invoices, newest first unless orderBy says otherwise.
func (s *Service) Invoices(ctx context.Context, b *Billing, after *entgql.Cursor[string], first *int, before *entgql.Cursor[string], last *int, orderBy *ent.InvoiceOrder, f InvoiceFilter) (*ent.InvoiceConnection, error) {
	q := database.Client(ctx, s.Client).Invoice.Query().Where(invoice.OrganizationID(b.OrganizationID))
	if f.Status != nil {
		q.Where(invoice.StatusEQ(*f.Status))
	}
	if f.Year != nil {
		from := time.Date(*f.Year, time.January, 1, 0, 0, 0, 0, time.UTC)
		q.Where(invoice.CreatedAtGTE(from), invoice.CreatedAtLT(from.AddDate(1, 0, 0)))
	}
	if orderBy == nil {
		orderBy = &ent.InvoiceOrder{Field: ent.InvoiceOrderFieldCreatedAt, Direction: entgql.OrderDirectionDesc}
	}
	return q.Paginate(ctx, after, first, before, last, ent.WithInvoiceOrder(orderBy))
}

// CurrentCost is Billing.currentCost: the current period, what its invoice
// will come to if nothing changes, and when it renews.
type CurrentCost struct {
	Plan        billing.Plan
	PeriodStart time.Time
	RenewalAt   time.Time
	TotalCents  int
	Currency    string
	Lines       []billing.Line
}

// CurrentCost returns the organization's current period's cost.
func (s *Service) CurrentCost(ctx context.Context, b *Billing) (*CurrentCost, error) {
	client := database.Client(ctx, s.Client)
	org, err := client.Organization.Get(ctx, b.OrganizationID)
	if err != nil {
		return nil, err
	}
	plan := s.Plans.Plan(org.Plan)
	acct, err := s.account(ctx, client, b.OrganizationID)
	if err != nil {
		return nil, err
	}
	if acct == nil {
		// No billing yet: the period would start now.
		now := s.now()
		acct = &ent.BillingAccount{PeriodStart: now, PlanSince: now}
	}
	lines := ledger.Upcoming(acct, plan)
	return &CurrentCost{Plan: plan, PeriodStart: acct.PeriodStart, RenewalAt: billing.PeriodEnd(acct.PeriodStart),
		TotalCents: billing.Total(lines), Currency: plan.Currency, Lines: lines}, nil
}

// linkBinding ties a download link to one invoice of one organization.
func linkBinding(inv *ent.Invoice) secret.Binding {
	return secret.Binding{Organization: inv.OrganizationID, Table: "invoice", Row: inv.ID, Field: "download"}
}

// DownloadURL is invoice inv's download link: its path with a token sealing
// when the link expires, bound to the invoice. The link works only for a
// caller who may read the organization's billing.
func (s *Service) DownloadURL(inv *ent.Invoice) (string, error) {
	expires := s.now().Add(s.LinkTTL).Unix()
	tok, err := s.Keys.Seal(strconv.FormatInt(expires, 10), linkBinding(inv))
	if err != nil {
		return "", fmt.Errorf("seal download link: %w", err)
	}
	return s.PublicURL + DownloadPath(inv.ID) + "?token=" + url.QueryEscape(tok), nil
}

// DownloadPath is where invoice id's PDF is served.
func DownloadPath(id string) string { return "/billing/invoices/" + url.PathEscape(id) + "/pdf" }

// Download returns the PDF of invoice id, for a link's token: nil, with no
// error, when the caller may not read the invoice or the token is not a
// valid, unexpired link to it (the handler answers 404 alike).
func (s *Service) Download(ctx context.Context, id, token string) (*ent.Invoice, *billing.PDF, error) {
	client := database.Client(ctx, s.Client)
	inv, err := client.Invoice.Get(ctx, id)
	if ent.IsNotFound(err) || tenancy.IsDenied(err) || errors.Is(err, apperr.ErrUnauthenticated) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("load invoice: %w", err)
	}
	sealed, err := s.Keys.Open(token, linkBinding(inv))
	if err != nil {
		return nil, nil, nil
	}
	expires, err := strconv.ParseInt(sealed, 10, 64)
	if err != nil || !s.now().Before(time.Unix(expires, 0)) {
		return nil, nil, nil
	}
	if inv.PdfURL != "" {
		return inv, &billing.PDF{URL: inv.PdfURL}, nil
	}
	// The document is made out to the organization's billing information as it is now.
	org, err := client.Organization.Get(ctx, inv.OrganizationID)
	if err != nil {
		return nil, nil, fmt.Errorf("load organization: %w", err)
	}
	var info billing.Info
	if acct, err := s.account(ctx, client, inv.OrganizationID); err != nil {
		return nil, nil, err
	} else if acct != nil {
		info = infoOf(acct)
	}
	pdf, err := s.Provider.InvoicePDF(ctx, billing.Document{
		ID: inv.ID, Number: inv.Number, ProviderID: inv.ProviderID, OrganizationName: org.Name, Info: info,
		Status: inv.Status, Currency: inv.Currency, TotalCents: inv.TotalCents,
		PeriodStart: inv.PeriodStart, PeriodEnd: inv.PeriodEnd, IssuedAt: inv.CreatedAt, Lines: inv.Lines,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("invoice PDF: %w", err)
	}
	return inv, &pdf, nil
}
