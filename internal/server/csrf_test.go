package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/ent/session"
	"github.com/orgql/orgql/internal/auth"
	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/testkit"
	"github.com/orgql/orgql/internal/token"
)

const allowedOrigin = "https://console.example"

// CSRF (docs/security.md S5): with the session cookie, a cross-site form
// POST, a GET mutation and any GET or non-JSON POST without the
// GraphQL-Require-Preflight header are refused before authentication:
// nothing changes, not even the session's last use. The same requests with
// the header, from the server's own origin or an allowed one, work; Bearer
// callers are unaffected.
func TestCSRFRefusalsChangeNothing(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) {
		c.CORSOrigins, c.CORSAllowCredentials = []string{allowedOrigin}, true
	}, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		ctx := testkit.System(context.Background())
		stale := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
		lastUse := func() time.Time {
			s := e.DB.Client.Session.Query().Where(session.TokenHash(token.Hash(alice.Token))).OnlyX(ctx)
			return s.LastUsedAt.UTC()
		}
		e.DB.Client.Session.Update().Where(session.TokenHash(token.Hash(alice.Token))).SetLastUsedAt(stale).ExecX(ctx)
		cookie := &http.Cookie{Name: auth.SessionCookie, Value: alice.Token}
		mutation := `mutation { createOrganization(input: {name: "` + testkit.Unique("CSRF") + `"}) { id } }`

		refused := []struct {
			name string
			req  func() *http.Request
		}{
			{"cross-site form POST", func() *http.Request {
				r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(url.Values{"query": {mutation}}.Encode()))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.Header.Set("Origin", "https://evil.example")
				r.Header.Set("Sec-Fetch-Site", "cross-site")
				return r
			}},
			{"text/plain POST carrying JSON", func() *http.Request {
				r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":`+quote(mutation)+`}`))
				r.Header.Set("Content-Type", "text/plain")
				return r
			}},
			{"multipart POST", func() *http.Request {
				r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader("--b\r\n\r\n--b--"))
				r.Header.Set("Content-Type", "multipart/form-data; boundary=b")
				return r
			}},
			{"GET mutation", func() *http.Request {
				return httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(mutation), nil)
			}},
			{"GET query without the header", func() *http.Request {
				return httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(`{ viewer { id } }`), nil)
			}},
			{"GET with an empty header", func() *http.Request {
				r := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(`{ viewer { id } }`), nil)
				r.Header.Set("GraphQL-Require-Preflight", "  ")
				return r
			}},
			{"cross-site JSON POST with the header, from an origin not allowed", func() *http.Request {
				r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":`+quote(mutation)+`}`))
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("GraphQL-Require-Preflight", "1")
				r.Header.Set("Origin", "https://evil.example")
				r.Header.Set("Sec-Fetch-Site", "cross-site")
				return r
			}},
			{"GET mutation with the header", func() *http.Request {
				r := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(mutation), nil)
				r.Header.Set("GraphQL-Require-Preflight", "1")
				return r
			}},
		}
		for _, c := range refused {
			req := c.req()
			req.AddCookie(cookie)
			rec := e.Serve(req)
			if rec.Code < 400 {
				t.Fatalf("%s: %d %s", c.name, rec.Code, rec.Body)
			}
			if n := orgCount(t, alice); n != 0 {
				t.Fatalf("%s created an organization", c.name)
			}
			// orgCount itself authenticates by bearer: reset the last use it wrote.
			e.DB.Client.Session.Update().Where(session.TokenHash(token.Hash(alice.Token))).SetLastUsedAt(stale).ExecX(ctx)
		}
		// Without orgCount in between: refused before authentication, they
		// wrote nothing at all (the GET mutation with the header is refused
		// later, by the transport, after its caller's use is recorded).
		for _, c := range refused[:len(refused)-1] {
			req := c.req()
			req.AddCookie(cookie)
			e.Serve(req)
		}
		if got := lastUse(); !got.Equal(stale) {
			t.Fatalf("refused requests wrote the session's last use: %v, was %v", got, stale)
		}

		// With the header: a GET query by cookie works.
		get := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(`{ viewer { user { login } } }`), nil)
		get.Header.Set("GraphQL-Require-Preflight", "1")
		get.AddCookie(cookie)
		if rec := e.Serve(get); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), alice.Login) {
			t.Fatalf("GET with the header: %d %s", rec.Code, rec.Body)
		}
		// A JSON mutation by cookie from the allowed origin, and from the same origin, works.
		for _, site := range []struct{ origin, fetchSite string }{{allowedOrigin, "cross-site"}, {"http://example.com", "same-origin"}} {
			r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":`+quote(`mutation { createOrganization(input: {name: "`+testkit.Unique("Allowed")+`"}) { id } }`)+`}`))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("GraphQL-Require-Preflight", "1")
			r.Header.Set("Origin", site.origin)
			r.Header.Set("Sec-Fetch-Site", site.fetchSite)
			r.AddCookie(cookie)
			if rec := e.Serve(r); rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "errors") {
				t.Fatalf("from %s: %d %s", site.origin, rec.Code, rec.Body)
			}
		}
		if n := orgCount(t, alice); n != 2 {
			t.Fatalf("%d organizations, want 2", n)
		}

		// Bearer callers need no header, even over GET.
		bearer := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(`{ viewer { id } }`), nil)
		alice.Send(t, bearer).OK(t, nil)

		// A cross-site logout form is refused too, and the session stands.
		logout := httptest.NewRequest(http.MethodPost, "/auth/logout", nil)
		logout.Header.Set("Origin", "https://evil.example")
		logout.Header.Set("Sec-Fetch-Site", "cross-site")
		logout.AddCookie(cookie)
		if rec := e.Serve(logout); rec.Code != http.StatusForbidden {
			t.Fatalf("cross-site logout: %d", rec.Code)
		}
		alice.Do(t, `{ viewer { id } }`, nil).OK(t, nil)
	})
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
