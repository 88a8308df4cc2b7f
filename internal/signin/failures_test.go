package signin_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/ent/oauthstate"
	"github.com/orgql/orgql/internal/auth"
	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/signin"
	"github.com/orgql/orgql/internal/testkit"
)

// A provider that fails, refuses, is slow or answers what cannot be read
// ends the sign-in on the error page with its code, and creates nothing.
func TestProviderFailuresEndCleanly(t *testing.T) {
	withProviders(t, func(c *config.Config) { c.OAuthTimeout = 200 * time.Millisecond }, func(t *testing.T, e *testkit.Env, fakes map[string]*fakeProvider) {
		for _, kind := range kinds {
			t.Run(kind, func(t *testing.T) {
				f := fakes[kind]
				cases := []struct {
					name string
					// break_ changes the flow; it returns the callback to visit.
					break_ func(cb string) string
					code   string
				}{
					{"denied consent", func(cb string) string { return withError(cb, "access_denied") }, signin.ErrAccessDenied},
					{"error in the callback", func(cb string) string { return withError(cb, "server_error") }, signin.ErrProviderError},
					{"no code", func(cb string) string { return without(cb, "code") }, signin.ErrProviderError},
					{"a code the provider does not know", func(cb string) string { return with(cb, "code", "forged") }, signin.ErrProviderError},
					{"token endpoint fails", func(cb string) string {
						f.failAt(f.tokenPath(), func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", http.StatusInternalServerError) })
						return cb
					}, signin.ErrProviderError},
					{"token endpoint times out", func(cb string) string {
						f.failAt(f.tokenPath(), hang)
						return cb
					}, signin.ErrProviderUnavailable},
					{"user endpoint fails", func(cb string) string {
						f.failAt(f.userPath(), func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "nope", http.StatusBadGateway) })
						return cb
					}, signin.ErrProviderError},
					{"user endpoint times out", func(cb string) string {
						f.failAt(f.userPath(), hang)
						return cb
					}, signin.ErrProviderUnavailable},
					{"user endpoint answers no JSON", func(cb string) string {
						f.failAt(f.userPath(), answer(`<html>maintenance</html>`))
						return cb
					}, signin.ErrMalformedAnswer},
					{"user without an id", func(cb string) string {
						f.failAt(f.userPath(), answer(`{"login":"x","username":"x"}`))
						return cb
					}, signin.ErrMalformedAnswer},
					{"an id of the wrong type", func(cb string) string {
						f.failAt(f.userPath(), answer(`{"id":{"a":1},"uuid":[1],"login":"x","username":"x"}`))
						return cb
					}, signin.ErrMalformedAnswer},
					{"a NUL in the login", func(cb string) string {
						f.failAt(f.userPath(), answer(`{"id":5,"uuid":"{5}","login":"a\u0000b","username":"a\u0000b"}`))
						return cb
					}, signin.ErrMalformedAnswer},
				}
				for _, c := range cases {
					t.Run(c.name, func(t *testing.T) {
						t.Cleanup(func() { f.mu.Lock(); f.fail = map[string]http.Handler{}; f.mu.Unlock() })
						id := numericID()
						f.setNext(fakeUser{ID: id, Login: "f" + id, Verified: true})
						b := newBrowser(e)
						cb := consent(t, b.login(t, kind, "/"))
						expectFailure(t, e, b.get(t, c.break_(cb)), c.code, kind, id)
					})
				}
			})
		}
	})
}

// The PKCE verifier is sent and checked: a code issued for another
// challenge (one an attacker injected) is refused by the provider, and the
// sign-in fails.
func TestPKCEVerifierIsChecked(t *testing.T) {
	withProviders(t, nil, func(t *testing.T, e *testkit.Env, fakes map[string]*fakeProvider) {
		for _, kind := range kinds {
			id := numericID()
			fakes[kind].setNext(fakeUser{ID: id, Login: "p" + id, Verified: true})
			b := newBrowser(e)
			authorize := b.login(t, kind, "/")
			u, _ := url.Parse(authorize)
			q := u.Query()
			q.Set("code_challenge", strings.Repeat("A", 43)) // the code is bound to another verifier
			u.RawQuery = q.Encode()
			before := fakes[kind].verifiedCount()
			expectFailure(t, e, b.get(t, consent(t, u.String())), signin.ErrProviderError, kind, id)
			if fakes[kind].verifiedCount() != before {
				t.Fatalf("%s: the provider accepted a wrong verifier", kind)
			}
		}
	})
}

// hang answers nothing until the client gives up (the body read first, so
// that the server notices the client leaving).
func hang(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(30 * time.Second):
	}
}

func answer(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}
}

func with(cb, key, value string) string {
	u, _ := url.Parse(cb)
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

func without(cb, key string) string {
	u, _ := url.Parse(cb)
	q := u.Query()
	q.Del(key)
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

func withError(cb, code string) string {
	return with(without(cb, "code"), "error", code)
}

// Open redirects: every return_to that is not a plain path of this server
// is refused before anything is stored, on the provider's login too.
func TestHostileReturnToIsRefused(t *testing.T) {
	withProviders(t, nil, func(t *testing.T, e *testkit.Env, _ map[string]*fakeProvider) {
		ctx := testkit.System(context.Background())
		for _, raw := range hostileReturnTo {
			for _, kind := range kinds {
				before := e.DB.Client.OAuthState.Query().CountX(ctx)
				rec := newBrowser(e).get(t, "/auth/"+kind+"/login?return_to="+url.QueryEscape(raw))
				if rec.Code != http.StatusBadRequest || rec.Header().Get("X-Sign-In-Error") != signin.ErrReturnTo || rec.Header().Get("Location") != "" {
					t.Fatalf("%s return_to %q: %d %q", kind, raw, rec.Code, rec.Header().Get("Location"))
				}
				if e.DB.Client.OAuthState.Query().CountX(ctx) != before {
					t.Fatalf("return_to %q stored a state", raw)
				}
			}
		}
		if n := e.DB.Client.OAuthState.Query().Where(oauthstate.ReturnTo("//evil.example")).CountX(ctx); n != 0 {
			t.Fatal("a hostile return_to was stored")
		}
	})
}

// Providers not configured are not offered and their paths answer 404.
func TestUnconfiguredProvidersAnswer404(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		for _, kind := range append(kinds, "google", "DEV", "GitHub") {
			for _, p := range []string{"/auth/" + kind + "/login?return_to=/", "/auth/" + kind + "/callback?state=x&code=y"} {
				if rec := e.Serve(httptest.NewRequest(http.MethodGet, p, nil)); rec.Code != http.StatusNotFound {
					t.Errorf("%s: %d", p, rec.Code)
				}
			}
		}
		if page := e.Serve(httptest.NewRequest(http.MethodGet, "/", nil)).Body.String(); strings.Contains(page, "Sign in with") {
			t.Error("the playground offers a sign-in no provider serves")
		}
	})
	fake := newFakeProvider(t, "gitlab")
	testkit.RunWith(t, func(c *config.Config) { c.PublicURL = publicURL; fake.configure(c) }, func(t *testing.T, e *testkit.Env) {
		if rec := e.Serve(httptest.NewRequest(http.MethodGet, "/auth/github/login", nil)); rec.Code != http.StatusNotFound {
			t.Errorf("github, not configured: %d", rec.Code)
		}
		page := e.Serve(httptest.NewRequest(http.MethodGet, "/", nil)).Body.String()
		if !strings.Contains(page, `href="/auth/gitlab/login?return_to=/"`) || !strings.Contains(page, "Sign in with GitLab") || strings.Contains(page, "GitHub") {
			t.Errorf("the playground does not offer exactly GitLab:\n%s", page)
		}
	})
}

// In development on http://localhost the cookies cannot be Secure, so they
// go without it and without the __Host- prefix; anywhere else they are Secure.
func TestCookiesAreSecureButOnDevelopmentLocalhost(t *testing.T) {
	fake := newFakeProvider(t, "github")
	for _, c := range []struct {
		dev    bool
		public string
		secure bool
	}{
		{true, "http://localhost:8080", false},
		{true, "http://127.0.0.1:8080", false},
		{true, "https://orgql.example", true},
		{true, "http://orgql.example", true},
		{false, "http://localhost:8080", true},
	} {
		testkit.RunWith(t, func(cfg *config.Config) {
			cfg.Dev, cfg.PublicURL = c.dev, c.public
			fake.configure(cfg)
		}, func(t *testing.T, e *testkit.Env) {
			id := numericID()
			fake.setNext(fakeUser{ID: id, Login: "c" + id, Verified: true})
			b := newBrowser(e)
			authorize := b.login(t, "github", "/")
			// The fake sends the browser to the configured public URL; only the path matters here.
			res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(authorize)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			back, _ := url.Parse(res.Header.Get("Location"))
			if rec := b.get(t, back.RequestURI()); rec.Code != http.StatusSeeOther {
				t.Fatalf("callback: %d %s", rec.Code, rec.Body)
			}
			name, browserName := auth.SecureSessionCookie, signin.BrowserCookie
			if !c.secure {
				name, browserName = auth.SessionCookie, signin.BrowserCookieInsecure
			}
			for _, n := range []string{name, browserName} {
				got := b.set[n]
				if got == nil || got.Secure != c.secure || !got.HttpOnly || got.SameSite != http.SameSiteLaxMode {
					t.Fatalf("dev=%v %s: cookie %s = %+v", c.dev, c.public, n, got)
				}
			}
			if _, _, ok := b.viewer(t); !ok {
				t.Fatalf("dev=%v %s: the cookie does not sign in", c.dev, c.public)
			}
		})
	}
}

// POST /auth/logout with the cookie revokes the session and clears the
// cookie: the same cookie, and the same token as a bearer, are refused after.
func TestLogoutRevokesTheCookieSession(t *testing.T) {
	withProviders(t, nil, func(t *testing.T, e *testkit.Env, fakes map[string]*fakeProvider) {
		id := numericID()
		fakes["github"].setNext(fakeUser{ID: id, Login: "l" + id, Verified: true})
		b := newBrowser(e)
		b.signIn(t, "github", "/")
		tok := b.cookies[auth.SecureSessionCookie].Value
		if _, _, ok := b.viewer(t); !ok {
			t.Fatal("not signed in")
		}
		kept := *b.cookies[auth.SecureSessionCookie]
		req := httptest.NewRequest(http.MethodPost, "/auth/logout?return_to=/", nil)
		rec := b.do(req)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
			t.Fatalf("logout: %d %q", rec.Code, rec.Header().Get("Location"))
		}
		if c := b.set[auth.SecureSessionCookie]; c == nil || c.MaxAge >= 0 || c.Value != "" {
			t.Fatalf("logout did not clear the cookie: %+v", c)
		}
		// A browser that kept the cookie anyway, or a client sending the token.
		b.cookies[auth.SecureSessionCookie] = &kept
		if _, _, ok := b.viewer(t); ok {
			t.Fatal("the cookie still signs in after logout")
		}
		r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ viewer { id } }"}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+tok)
		if body := e.Serve(r).Body.String(); !strings.Contains(body, "UNAUTHENTICATED") {
			t.Fatalf("the token still works after logout: %s", body)
		}
		// A hostile return_to on logout is not followed.
		b2 := newBrowser(e)
		fakes["github"].setNext(fakeUser{ID: numericID(), Login: "l2", Verified: true})
		b2.signIn(t, "github", "/")
		if rec := b2.do(httptest.NewRequest(http.MethodPost, "/auth/logout?return_to="+url.QueryEscape("//evil.example"), nil)); rec.Header().Get("Location") != "" {
			t.Fatalf("logout redirected to %q", rec.Header().Get("Location"))
		}
	})
}
