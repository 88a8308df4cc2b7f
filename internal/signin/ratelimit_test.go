package signin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/testkit"
)

// The sign-in flow's requests, its starts and its callbacks, are counted
// per client address (an IPv6 /64 as one) on a budget of their own: over
// it, 429 with Retry-After, and no sign-in state is written; another
// address still signs in.
func TestSignInIsRateLimitedByClientAddress(t *testing.T) {
	const limit = 4
	withProviders(t, func(c *config.Config) { c.RateLimit = true; c.RateLimitSignIn = limit }, func(t *testing.T, e *testkit.Env, fakes map[string]*fakeProvider) {
		states := func() int {
			t.Helper()
			n, err := e.DB.Client.OAuthState.Query().Count(testkit.System(context.Background()))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		from := func(addr, target string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.RemoteAddr = addr
			return e.Serve(req)
		}
		refused := func(rec *httptest.ResponseRecorder, what string) {
			t.Helper()
			if rec.Code != http.StatusTooManyRequests {
				t.Fatalf("%s: %d, want 429", what, rec.Code)
			}
			if s, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || s < 1 {
				t.Fatalf("%s: Retry-After %q", what, rec.Header().Get("Retry-After"))
			}
		}

		// A whole sign-in spends two: its start and its callback.
		id := numericID()
		fakes["github"].setNext(fakeUser{ID: id, Login: "octo" + id, Email: id + "@example.com", Verified: true})
		b := newBrowser(e)
		if rec := b.signIn(t, "github", "/"); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
			t.Fatalf("sign-in: %d %s", rec.Code, rec.Header().Get("Location"))
		}
		for _, kind := range []string{"gitlab", "bitbucket"} {
			b.login(t, kind, "/")
		}
		before := states()
		refused(b.get(t, "/auth/github/login?return_to=/"), "a start over the budget")
		refused(b.get(t, "/auth/github/callback?state=x&code=y"), "a callback over the budget")
		if n := states(); n != before {
			t.Fatalf("%d sign-in states after the refused start, want %d", n, before)
		}
		if rec := from("198.51.100.7:1234", "/auth/github/login?return_to=/"); rec.Code != http.StatusFound {
			t.Fatalf("another address: %d, want 302", rec.Code)
		}

		// An IPv6 client's /64 is one address; the next /64 is another.
		for range limit {
			if rec := from("[2001:db8::1]:1234", "/auth/gitlab/login?return_to=/"); rec.Code != http.StatusFound {
				t.Fatalf("IPv6 start: %d", rec.Code)
			}
		}
		refused(from("[2001:db8::ffff]:1234", "/auth/gitlab/login?return_to=/"), "the same /64")
		if rec := from("[2001:db8:0:1::1]:1234", "/auth/gitlab/login?return_to=/"); rec.Code != http.StatusFound {
			t.Fatalf("the next /64: %d, want 302", rec.Code)
		}
	})
}
