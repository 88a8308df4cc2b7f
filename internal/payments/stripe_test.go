package payments_test

import (
	"bytes"
	"fmt"
	"go/build"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/testkit"
)

// stripeMockVersion is the stripe-mock .ci/run installs (go install github.com/stripe/stripe-mock@v0.203.0).
const stripeMockVersion = "v0.203.0"

var (
	mockOnce sync.Once
	mockURL  string
	mockErr  error
)

// stripeMock returns the address of a stripe-mock this test process
// started on a loopback port. Without the binary the test is skipped,
// unless ORGQL_TEST_REQUIRE_STRIPE_MOCK=1 (as .ci/run sets), then it fails.
func stripeMock(t *testing.T) string {
	t.Helper()
	mockOnce.Do(func() { mockURL, mockErr = startStripeMock() })
	if mockErr != nil {
		msg := fmt.Sprintf("stripe-mock unavailable (%v): install it with go install github.com/stripe/stripe-mock@%s", mockErr, stripeMockVersion)
		if os.Getenv("ORGQL_TEST_REQUIRE_STRIPE_MOCK") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg + " (set ORGQL_TEST_REQUIRE_STRIPE_MOCK=1 to make this a failure)")
	}
	return mockURL
}

func stripeMockBinary() (string, error) {
	if p := os.Getenv("ORGQL_STRIPE_MOCK"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p, nil
	}
	dirs := []string{os.Getenv("GOBIN")}
	for _, p := range filepath.SplitList(build.Default.GOPATH) {
		dirs = append(dirs, filepath.Join(p, "bin"))
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		if p := filepath.Join(d, "stripe-mock"); fileExists(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("no stripe-mock binary on PATH, in GOBIN or in GOPATH/bin")
}

func fileExists(p string) bool { st, err := os.Stat(p); return err == nil && !st.IsDir() }

func startStripeMock() (string, error) {
	bin, err := stripeMockBinary()
	if err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cmd := exec.Command(bin, "-http-addr", addr)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return "", err
	}
	// Ended with the test process: it is a child of it (see TestMain).
	mockProcess = cmd.Process
	for range 200 {
		if c, err := net.Dial("tcp", addr); err == nil {
			_ = c.Close()
			return "http://" + addr, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	return "", fmt.Errorf("stripe-mock did not start listening on %s", addr)
}

var mockProcess *os.Process

func TestMain(m *testing.M) {
	code := m.Run()
	if mockProcess != nil {
		_ = mockProcess.Kill()
		_, _ = mockProcess.Wait()
	}
	os.Exit(code)
}

// recorded is one request the Stripe provider sent.
type recorded struct {
	Method, Path, IdempotencyKey, Authorization, Body string
}

// recorder is an HTTP transport that records each request to Stripe.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, recorded{req.Method, req.URL.Path, req.Header.Get("Idempotency-Key"), req.Header.Get("Authorization"), string(body)})
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recorder) all() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

func (r *recorder) count(method, path string) int {
	n := 0
	for _, q := range r.all() {
		if q.Method == method && q.Path == path {
			n++
		}
	}
	return n
}

const (
	testStripeKey     = "sk_test_orgql"
	testWebhookSecret = "whsec_orgql_test"
)

// stripeConfig configures the Stripe provider against apiURL.
func stripeConfig(apiURL string) func(*config.Config) {
	return func(c *config.Config) {
		c.BillingProvider = "stripe"
		c.StripeSecretKey = testStripeKey
		c.StripeWebhookSecret = testWebhookSecret
		c.StripeAPIURL = apiURL
		c.StripePrices = []string{"TEAM=price_team"}
	}
}

// withRecorder rebuilds e's server with its Stripe calls recorded.
func withRecorder(t *testing.T, e *testkit.Env) *recorder {
	rec := &recorder{}
	e.Reconfigure(t, func(o *server.Options) { o.StripeHTTPClient = &http.Client{Transport: rec, Timeout: 30 * time.Second} })
	return rec
}

// The Stripe provider against stripe-mock, through the handler: a customer
// with the billing information, a card attached by token, made the default,
// a subscription for TEAM, a plan change back to FREE (cancelled), a card
// removed; every write with an idempotency key, the key from configuration,
// and no card number sent anywhere.
func TestStripeProviderAgainstStripeMock(t *testing.T) {
	url := stripeMock(t)
	testkit.RunWith(t, stripeConfig(url), func(t *testing.T, e *testkit.Env) {
		rec := withRecorder(t, e)
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		alice.Do(t, updateInfoDoc, map[string]any{"org": org.ID, "input": frenchInfo()}).OK(t, nil)
		visa := addCard(t, alice, org, "tok_visa")
		if visa.Brand == "" || len(visa.Last4) != 4 || visa.ExpiryMonth < 1 || !visa.IsDefault {
			t.Fatalf("card from Stripe: %+v", visa)
		}
		second := addCard(t, alice, org, "pm_card_mastercard")
		alice.Do(t, setDefaultDoc, map[string]any{"id": second.ID}).OK(t, nil)
		alice.Do(t, changePlanDoc, map[string]any{"org": org.ID, "plan": "TEAM"}).OK(t, nil)
		// ENTERPRISE is sold by quote, outside the subscription: moving there cancels it.
		alice.Do(t, changePlanDoc, map[string]any{"org": org.ID, "plan": "ENTERPRISE"}).OK(t, nil)
		alice.Do(t, changePlanDoc, map[string]any{"org": org.ID, "plan": "TEAM"}).OK(t, nil)
		alice.Do(t, changePlanDoc, map[string]any{"org": org.ID, "plan": "FREE"}).OK(t, nil)
		alice.Do(t, removeCardDoc, map[string]any{"id": visa.ID}).OK(t, nil)
		if b := readBilling(t, alice, org); b.Provider != "stripe" || len(b.CreditCards) != 1 || b.CurrentCost.Plan.Code != "FREE" {
			t.Fatalf("billing: %+v", b)
		}

		for _, want := range []struct{ method, path string }{
			{"POST", "/v1/customers"},
			{"POST", "/v1/payment_methods"},
		} {
			if rec.count(want.method, want.path) != 1 {
				t.Errorf("%s %s sent %d times", want.method, want.path, rec.count(want.method, want.path))
			}
		}
		if n := rec.count("POST", "/v1/subscriptions"); n != 2 {
			t.Errorf("%d subscriptions created for two moves to TEAM", n)
		}
		paths := map[string]bool{}
		for _, r := range rec.all() {
			paths[r.Method+" "+pathShape(r.Path)] = true
			if r.Authorization != "Bearer "+testStripeKey {
				t.Errorf("%s %s authorized with %q", r.Method, r.Path, r.Authorization)
			}
			if r.Method != http.MethodGet && !strings.HasPrefix(r.IdempotencyKey, "orgql-") {
				t.Errorf("%s %s without orgql's idempotency key (%q)", r.Method, r.Path, r.IdempotencyKey)
			}
			if strings.Contains(r.Body, "number") || strings.Contains(r.Body, "cvc") {
				t.Errorf("%s %s sends card data: %s", r.Method, r.Path, r.Body)
			}
		}
		for _, want := range []string{"POST /v1/customers/*", "POST /v1/payment_methods/*/attach", "POST /v1/payment_methods/*/detach", "DELETE /v1/subscriptions/*"} {
			if !paths[want] {
				t.Errorf("no %s sent; sent %v", want, paths)
			}
		}
		// An organization created on TEAM is subscribed; deleted, its subscription ends.
		subs, cancels := rec.count("POST", "/v1/subscriptions"), countShape(rec, "DELETE /v1/subscriptions/*")
		team := alice.CreateOrgOnPlan(t, "TEAM")
		if got := rec.count("POST", "/v1/subscriptions"); got != subs+1 {
			t.Fatalf("creating an organization on TEAM created %d subscriptions", got-subs)
		}
		alice.Do(t, `mutation($id: ID!, $name: String!) { deleteOrganization(id: $id, confirmName: $name) }`,
			map[string]any{"id": team.ID, "name": team.Name}).OK(t, nil)
		if got := countShape(rec, "DELETE /v1/subscriptions/*"); got != cancels+1 {
			t.Fatalf("deleting an organization on TEAM cancelled %d subscriptions", got-cancels)
		}

		// The same change retried sends the same key: Stripe does it once.
		keys := map[string]string{}
		for _, r := range rec.all() {
			if r.IdempotencyKey != "" {
				if prev, ok := keys[r.IdempotencyKey]; ok && prev != r.Method+r.Path+r.Body {
					t.Errorf("one idempotency key for two different requests: %s and %s", prev, r.Method+r.Path+r.Body)
				}
				keys[r.IdempotencyKey] = r.Method + r.Path + r.Body
			}
		}
	})
}

func countShape(rec *recorder, shape string) int {
	n := 0
	for _, r := range rec.all() {
		if r.Method+" "+pathShape(r.Path) == shape {
			n++
		}
	}
	return n
}

// pathShape replaces the ID of a Stripe API path (/v1/resource/id/...) with *.
func pathShape(p string) string {
	parts := strings.Split(p, "/")
	if len(parts) > 3 {
		parts[3] = "*"
	}
	return strings.Join(parts, "/")
}

// Two racing changePlan(TEAM) create one Stripe subscription.
func TestStripeConcurrentChangePlanCreatesOneSubscription(t *testing.T) {
	url := stripeMock(t)
	testkit.RunWith(t, stripeConfig(url), func(t *testing.T, e *testkit.Env) {
		rec := withRecorder(t, e)
		raceChangePlan(t, e, 3)
		if n := rec.count("POST", "/v1/subscriptions"); n != 3 {
			t.Fatalf("%d subscriptions created for 3 organizations", n)
		}
	})
}
