package payments_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

// The local provider end to end, through the handler: billing information,
// a card, a plan change mid-period (a prorated line on the period's
// invoice), the invoice issued at the period's end and charged, its PDF
// downloaded and read back, and the next period billed in full.
func TestLocalBillingEndToEnd(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		start := time.Date(2026, time.January, 10, 9, 0, 0, 0, time.UTC)
		clk := withClock(t, e, start)
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)

		b := readBilling(t, alice, org)
		if b.Provider != "local" || b.Info != nil || len(b.CreditCards) != 0 || b.Invoices.TotalCount != 0 || b.CurrentCost.TotalCents != 0 {
			t.Fatalf("a new organization's billing: %+v", b)
		}

		var info struct{ UpdateBillingInfo map[string]string }
		alice.Do(t, updateInfoDoc, map[string]any{"org": org.ID, "input": frenchInfo()}).OK(t, &info)
		if got := info.UpdateBillingInfo; got["email"] != "billing@example.com" || got["countryCode"] != "FR" || got["vatNumber"] != "FR12345678901" || got["state"] != "" {
			t.Fatalf("billing information not normalized: %v", got)
		}
		visa := addCard(t, alice, org, "tok_visa")
		if visa.Brand != "visa" || visa.Last4 != "4242" || !visa.IsDefault || visa.IsExpired {
			t.Fatalf("added card: %+v", visa)
		}

		// Ten days in (of a 31-day period), the organization moves to TEAM: 21 days of 29900 cents.
		clk.Set(start.AddDate(0, 0, 10))
		alice.Do(t, changePlanDoc, map[string]any{"org": org.ID, "plan": "TEAM"}).OK(t, nil)
		b = readBilling(t, alice, org)
		const prorated = 20255 // round(29900 * 21 / 31)
		cost := b.CurrentCost
		if cost.Plan.Code != "TEAM" || cost.TotalCents != prorated || cost.Currency != "USD" || !cost.PeriodStart.Equal(start) ||
			!cost.RenewalAt.Equal(start.AddDate(0, 1, 0)) || len(cost.Lines) != 1 || !cost.Lines[0].Proration {
			t.Fatalf("current cost after the plan change: %+v", cost)
		}
		if b.Invoices.TotalCount != 0 {
			t.Fatalf("an invoice before the period ended: %+v", b.Invoices)
		}

		// The period ends: the billing job issues its invoice and charges the card.
		clk.Set(start.AddDate(0, 1, 0).Add(time.Hour))
		if err := e.Server.SettleBilling(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := e.Server.SettleBilling(context.Background()); err != nil { // a second run issues nothing more
			t.Fatal(err)
		}
		b = readBilling(t, alice, org)
		if b.Invoices.TotalCount != 1 {
			t.Fatalf("want one invoice, got %+v", b.Invoices)
		}
		inv := b.Invoices.Edges[0].Node
		if inv.Status != "PAID" || inv.TotalCents != prorated || inv.Currency != "USD" || !inv.PeriodStart.Equal(start) ||
			!inv.PeriodEnd.Equal(start.AddDate(0, 1, 0)) || len(inv.Lines) != 1 {
			t.Fatalf("invoice: %+v", inv)
		}
		if l := inv.Lines[0]; !l.Proration || l.AmountCents != prorated || !l.PeriodStart.Equal(start.AddDate(0, 0, 10)) ||
			!strings.Contains(l.Description, "Team plan (prorated)") {
			t.Fatalf("proration line: %+v", l)
		}
		// The next period is TEAM from its first day: billed in full.
		if cost := b.CurrentCost; cost.TotalCents != 29900 || len(cost.Lines) != 1 || cost.Lines[0].Proration || !cost.PeriodStart.Equal(start.AddDate(0, 1, 0)) {
			t.Fatalf("next period's cost: %+v", cost)
		}

		// The PDF, downloaded with the link and read back.
		rec := download(e, alice, inv.DownloadURL)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/pdf" || rec.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("download: %d %v", rec.Code, rec.Header())
		}
		text := strings.Join(pdfText(t, rec.Body.Bytes()), "\n")
		for _, want := range []string{org.Name, "Acme SAS", "Ada Lovelace", "1 rue de Rivoli", "75001 Paris", "VAT FR12345678901",
			"Invoice " + inv.Number, "Period 2026-01-10 to 2026-02-10", "Team plan (prorated), 2026-01-20 to 2026-02-10", "202.55 USD", "Status PAID"} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF does not say %q; it says:\n%s", want, text)
			}
		}

		// Events: billing information and card (brand and last 4 only), plan change.
		infoEvents := events(t, e, org.ID, organizationevent.TargetTypeBILLING_INFO)
		if len(infoEvents) != 1 || infoEvents[0].Type != "CREATE" || infoEvents[0].Change["vatNumber"] != "FR12345678901" {
			t.Fatalf("billing information events: %+v", infoEvents)
		}
		cardEvents := events(t, e, org.ID, organizationevent.TargetTypeCREDIT_CARD)
		if len(cardEvents) != 1 || cardEvents[0].TargetName != "visa ending 4242" || cardEvents[0].TargetID != visa.ID {
			t.Fatalf("card events: %+v", cardEvents)
		}
		for k := range cardEvents[0].Change {
			if k != "brand" && k != "last4" && k != "isDefault" {
				t.Errorf("a card event records %q", k)
			}
		}
		plan := events(t, e, org.ID, organizationevent.TargetTypeORGANIZATION)
		if last := plan[len(plan)-1]; last.Type != "PLAN_CHANGE" {
			t.Fatalf("no plan change event: %+v", plan)
		}
	})
}

// An invoice's link streams its PDF only to a caller who may read billing
// and holds the link, unexpired and unchanged; anyone else gets 404.
func TestInvoiceLinkIsShortLivedAndForBillingOnly(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		start := time.Date(2026, time.March, 1, 0, 0, 0, 0, time.UTC)
		clk := withClock(t, e, start)
		alice, bob := e.SignIn(t, "alice"), e.SignIn(t, "bob")
		org, other := alice.CreateOrgOnPlan(t, "TEAM"), bob.CreateOrgOnPlan(t, "TEAM")
		for _, o := range []struct {
			c   *testkit.Client
			org testkit.Org
		}{{alice, org}, {bob, other}} {
			addCard(t, o.c, o.org, "tok_mastercard")
		}
		clk.Set(start.AddDate(0, 1, 0))
		if err := e.Server.SettleBilling(context.Background()); err != nil {
			t.Fatal(err)
		}
		link := readBilling(t, alice, org).Invoices.Edges[0].Node.DownloadURL
		otherInv := readBilling(t, bob, other).Invoices.Edges[0].Node
		u, _ := url.Parse(link)
		if u.Path != "/billing/invoices/"+readBilling(t, alice, org).Invoices.Edges[0].Node.ID+"/pdf" || u.Query().Get("token") == "" {
			t.Fatalf("link: %s", link)
		}

		roles := map[rbac.Kind]int{rbac.Admin: 200, rbac.Billing: 200, rbac.DevOps: 404, rbac.Viewer: 404}
		for kind, want := range roles {
			m := e.SignIn(t, "member")
			e.AddMember(t, org, m, kind)
			if got := download(e, m, link).Code; got != want {
				t.Errorf("a %s member downloading: %d, want %d", kind, got, want)
			}
		}
		if got := download(e, alice, link).Code; got != 200 {
			t.Fatalf("the owner downloading: %d", got)
		}
		refused := map[string]string{
			"anonymous":                    "",
			"another organization's owner": "bob",
		}
		for name, who := range refused {
			var c *testkit.Client
			if who == "bob" {
				c = bob
			}
			if rec := download(e, c, link); rec.Code != 404 || strings.Contains(rec.Body.String(), "PDF") {
				t.Errorf("%s downloading: %d %q", name, rec.Code, rec.Body.String())
			}
		}
		tok := u.Query().Get("token")
		otherTok := mustQuery(t, otherInv.DownloadURL).Get("token")
		for name, l := range map[string]string{
			"a tampered token":              u.Path + "?token=" + url.QueryEscape(flip(tok)),
			"no token":                      u.Path,
			"another invoice's token":       u.Path + "?token=" + url.QueryEscape(otherTok),
			"this token on another invoice": mustPath(t, otherInv.DownloadURL) + "?token=" + url.QueryEscape(tok),
		} {
			if got := download(e, alice, l).Code; got != 404 {
				t.Errorf("%s: %d", name, got)
			}
			if got := download(e, bob, l).Code; got != 404 {
				t.Errorf("%s, by the other organization's owner: %d", name, got)
			}
		}
		// The link stops working after --invoice-link-ttl.
		clk.Set(clk.Now().Add(e.Config.InvoiceLinkTTL - time.Second))
		if got := download(e, alice, link).Code; got != 200 {
			t.Fatalf("within its lifetime: %d", got)
		}
		clk.Set(clk.Now().Add(2 * time.Second))
		if got := download(e, alice, link).Code; got != 404 {
			t.Fatalf("an expired link: %d", got)
		}
	})
}

func flip(s string) string {
	b := []byte(s)
	i := len(b) - 3
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func mustQuery(t *testing.T, link string) url.Values {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func mustPath(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

// Billing.invoices is a Relay connection, newest first, filtered by status
// and by the year an invoice was issued; a declined card leaves invoices OPEN.
func TestInvoicesConnectionFilters(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		start := time.Date(2026, time.November, 15, 0, 0, 0, 0, time.UTC)
		clk := withClock(t, e, start)
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrgOnPlan(t, "TEAM")
		addCard(t, alice, org, "tok_chargeDeclined")
		clk.Set(time.Date(2027, time.January, 20, 0, 0, 0, 0, time.UTC))
		if err := e.Server.SettleBilling(context.Background()); err != nil {
			t.Fatal(err)
		}
		page := func(args string) (int, []string, string) {
			var out struct {
				Organization struct {
					Billing struct {
						Invoices struct {
							TotalCount int
							PageInfo   struct{ EndCursor string }
							Edges      []struct {
								Node struct{ Status, CreatedAt string }
							}
						}
					}
				}
			}
			alice.Do(t, `query($id: ID!) { organization(id: $id) { billing { invoices(`+args+`) {
				totalCount pageInfo { endCursor } edges { node { status createdAt } } } } } }`, map[string]any{"id": org.ID}).OK(t, &out)
			inv := out.Organization.Billing.Invoices
			var got []string
			for _, e := range inv.Edges {
				got = append(got, e.Node.Status+" "+e.Node.CreatedAt[:10])
			}
			return inv.TotalCount, got, inv.PageInfo.EndCursor
		}
		if n, got, _ := page("first: 10"); n != 2 || strings.Join(got, ",") != "OPEN 2027-01-15,OPEN 2026-12-15" {
			t.Fatalf("all invoices: %d %v", n, got)
		}
		for args, want := range map[string]string{
			"year: 2026": "OPEN 2026-12-15", "year: 2027": "OPEN 2027-01-15", "year: 2025": "",
			"status: PAID": "", "status: OPEN, year: 2026": "OPEN 2026-12-15",
		} {
			if _, got, _ := page(args); strings.Join(got, ",") != want {
				t.Errorf("invoices(%s): %v, want %q", args, got, want)
			}
		}
		_, first, cursor := page("first: 1")
		_, second, _ := page(`first: 1, after: "` + cursor + `"`)
		if len(first) != 1 || len(second) != 1 || second[0] != "OPEN 2026-12-15" {
			t.Fatalf("pages: %v then %v", first, second)
		}
		if b := readBilling(t, alice, org); b.CreditCards[0].IsExpired || b.CreditCards[0].Last4 != "0002" {
			t.Fatalf("declined card: %+v", b.CreditCards[0])
		}
	})
}
