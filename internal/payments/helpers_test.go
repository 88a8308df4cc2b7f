package payments_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/testkit"
)

// clock is the billing clock of a test: it moves only when told.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// withClock rebuilds e's server on a billing clock starting at start.
func withClock(t *testing.T, e *testkit.Env, start time.Time) *clock {
	t.Helper()
	c := &clock{now: start}
	e.Reconfigure(t, func(o *server.Options) { o.BillingClock = c.Now })
	return c
}

const billingDoc = `query($id: ID!) { organization(id: $id) { billing {
	provider
	info { firstName lastName email address city zip state countryCode company vatNumber }
	creditCards { id brand last4 expiryMonth expiryYear isDefault isExpired }
	currentCost { plan { code } periodStart renewalAt totalCents currency lines { description amountCents proration } }
	invoices { totalCount edges { node { id number status totalCents currency periodStart periodEnd createdAt downloadURL
		lines { description amountCents periodStart periodEnd proration } } } }
} } }`

type card struct {
	ID, Brand, Last4        string
	ExpiryMonth, ExpiryYear int
	IsDefault, IsExpired    bool
}

type line struct {
	Description            string
	AmountCents            int
	PeriodStart, PeriodEnd time.Time
	Proration              bool
}

type invoice struct {
	ID, Number, Status, Currency string
	TotalCents                   int
	PeriodStart, PeriodEnd       time.Time
	CreatedAt                    time.Time
	DownloadURL                  string
	Lines                        []line
}

type billingData struct {
	Provider    string
	Info        *map[string]string
	CreditCards []card
	CurrentCost struct {
		Plan                   struct{ Code string }
		PeriodStart, RenewalAt time.Time
		TotalCents             int
		Currency               string
		Lines                  []line
	}
	Invoices struct {
		TotalCount int
		Edges      []struct{ Node invoice }
	}
}

func readBilling(t *testing.T, c *testkit.Client, org testkit.Org) billingData {
	t.Helper()
	var out struct{ Organization struct{ Billing billingData } }
	c.Do(t, billingDoc, map[string]any{"id": org.ID}).OK(t, &out)
	return out.Organization.Billing
}

const (
	updateInfoDoc = `mutation($org: ID!, $input: BillingInfoInput!) { updateBillingInfo(organizationID: $org, input: $input) { firstName lastName email address city zip state countryCode company vatNumber } }`
	addCardDoc    = `mutation($org: ID!, $token: String!, $default: Boolean) { addCreditCard(organizationID: $org, input: {paymentMethodToken: $token, makeDefault: $default}) { id brand last4 expiryMonth expiryYear isDefault isExpired } }`
	removeCardDoc = `mutation($id: ID!) { removeCreditCard(id: $id) }`
	setDefaultDoc = `mutation($id: ID!) { setDefaultCreditCard(id: $id) { id isDefault } }`
	changePlanDoc = `mutation($org: ID!, $plan: PlanCode!) { changePlan(organizationID: $org, plan: $plan) { plan { code } } }`
)

func frenchInfo() map[string]any {
	return map[string]any{"firstName": "Ada", "lastName": "Lovelace", "email": "Billing@Example.com", "address": "1 rue de Rivoli",
		"city": "Paris", "zip": "75001", "countryCode": "fr", "company": "Acme SAS", "vatNumber": "FR 12 345678901"}
}

func addCard(t *testing.T, c *testkit.Client, org testkit.Org, token string) card {
	t.Helper()
	var out struct{ AddCreditCard card }
	c.Do(t, addCardDoc, map[string]any{"org": org.ID, "token": token}).OK(t, &out)
	return out.AddCreditCard
}

// download GETs a download link with c's credentials (none for a nil c).
func download(e *testkit.Env, c *testkit.Client, link string) *httptest.ResponseRecorder {
	u, err := url.Parse(link)
	if err != nil {
		panic(err)
	}
	req := httptest.NewRequest(http.MethodGet, u.RequestURI(), nil)
	if c != nil {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	return e.Serve(req)
}

var pdfString = regexp.MustCompile(`\(((?:[^()\\]|\\.)*)\)\s*Tj`)

// pdfText is the text an uncompressed PDF shows, one string per text
// operator, with PDF string escapes undone.
func pdfText(t *testing.T, pdf []byte) []string {
	t.Helper()
	if !strings.HasPrefix(string(pdf), "%PDF-") || !strings.Contains(string(pdf[len(pdf)-32:]), "%%EOF") {
		t.Fatalf("not a PDF: %.40q", pdf)
	}
	var out []string
	for _, m := range pdfString.FindAllStringSubmatch(string(pdf), -1) {
		var b strings.Builder
		s := m[1]
		for i := 0; i < len(s); i++ {
			if s[i] != '\\' || i+1 == len(s) {
				b.WriteByte(s[i])
				continue
			}
			i++
			switch c := s[i]; {
			case c >= '0' && c <= '7':
				j := i
				for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
					j++
				}
				n, _ := strconv.ParseUint(s[i:j], 8, 8)
				b.WriteByte(byte(n))
				i = j - 1
			case c == 'n':
				b.WriteByte('\n')
			default:
				b.WriteByte(c)
			}
		}
		out = append(out, b.String())
	}
	return out
}

type event struct {
	Type, TargetType, TargetID, TargetName string
	Change                                 map[string]any
}

func events(t *testing.T, e *testkit.Env, orgID string, target organizationevent.TargetType) []event {
	t.Helper()
	rows, err := e.DB.Client.OrganizationEvent.Query().
		Where(organizationevent.OrganizationID(orgID), organizationevent.TargetTypeEQ(target)).
		Order(organizationevent.ByCreatedAt(), organizationevent.ByID()).All(testkit.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]event, len(rows))
	for i, r := range rows {
		out[i] = event{Type: string(r.Type), TargetType: string(r.TargetType), TargetID: r.TargetID, TargetName: r.TargetName, Change: r.Change}
	}
	return out
}
