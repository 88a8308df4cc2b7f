package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/testkit"
)

func preflight(e *testkit.Env, origin string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodOptions, "/graphql", nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", http.MethodPost)
	req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
	return e.Serve(req)
}

func TestCORSAllowsOnlyConfiguredOrigins(t *testing.T) {
	const allowed, refused = "https://console.example.com", "https://evil.example.net"
	testkit.RunWith(t, func(c *config.Config) {
		c.CORSOrigins = []string{allowed}
		c.CORSAllowCredentials = true
	}, func(t *testing.T, e *testkit.Env) {
		rec := preflight(e, allowed)
		if rec.Code/100 != 2 || rec.Header().Get("Access-Control-Allow-Origin") != allowed {
			t.Fatalf("preflight from %s: %d, Access-Control-Allow-Origin %q", allowed, rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
		}
		if h := strings.ToLower(rec.Header().Get("Access-Control-Allow-Headers")); !strings.Contains(h, "authorization") {
			t.Fatalf("Authorization not allowed: %q", h)
		}
		if rec.Header().Get("Access-Control-Allow-Credentials") != "true" {
			t.Fatal("credentials not allowed for the configured origin")
		}

		rec = preflight(e, refused)
		if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
			t.Fatalf("preflight from %s got Access-Control-Allow-Origin %q", refused, got)
		}

		for origin, want := range map[string]string{allowed: allowed, refused: ""} {
			req := post(t, map[string]any{"query": "{ __typename }"})
			req.Header.Set("Origin", origin)
			if got := e.Serve(req).Header().Get("Access-Control-Allow-Origin"); got != want {
				t.Errorf("POST from %s: Access-Control-Allow-Origin %q, want %q", origin, got, want)
			}
		}
	})
}

// No origin configured allows no cross-origin access at all: rs/cors reads an
// empty list as every origin.
func TestCORSWithoutOriginsAllowsNone(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { c.CORSOrigins = nil }, func(t *testing.T, e *testkit.Env) {
		for _, origin := range []string{"https://evil.example.net", "http://localhost:8080", "http://localhost:3000", "null", "https://console.example.com"} {
			rec := preflight(e, origin)
			for _, h := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Allow-Credentials"} {
				if got := rec.Header().Get(h); got != "" {
					t.Errorf("preflight from %s: %s %q", origin, h, got)
				}
			}
			req := post(t, map[string]any{"query": "{ __typename }"})
			req.Header.Set("Origin", origin)
			if got := e.Serve(req).Header().Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("POST from %s: Access-Control-Allow-Origin %q", origin, got)
			}
		}
	})
}

// Configured origins may be exact or hold a *, as rs/cors matches them.
func TestCORSWildcardOrigins(t *testing.T) {
	cases := []struct {
		origins []string
		allowed map[string]string // origin: Access-Control-Allow-Origin
	}{
		{[]string{"https://*.example.com"}, map[string]string{
			"https://console.example.com":  "https://console.example.com",
			"https://a.b.example.com":      "https://a.b.example.com",
			"https://example.com":          "",
			"http://console.example.com":   "",
			"https://example.com.evil.net": "",
			"https://evil.net":             "",
		}},
		{[]string{"*"}, map[string]string{"https://anything.example.org": "*"}},
		{[]string{"https://a.example", "https://b.example"}, map[string]string{
			"https://a.example": "https://a.example", "https://b.example": "https://b.example", "https://c.example": "",
		}},
	}
	for _, c := range cases {
		testkit.RunWith(t, func(cfg *config.Config) { cfg.CORSOrigins = c.origins }, func(t *testing.T, e *testkit.Env) {
			for origin, want := range c.allowed {
				if got := preflight(e, origin).Header().Get("Access-Control-Allow-Origin"); got != want {
					t.Errorf("origins %v, preflight from %s: Access-Control-Allow-Origin %q, want %q", c.origins, origin, got, want)
				}
				req := post(t, map[string]any{"query": "{ __typename }"})
				req.Header.Set("Origin", origin)
				if got := e.Serve(req).Header().Get("Access-Control-Allow-Origin"); got != want {
					t.Errorf("origins %v, POST from %s: Access-Control-Allow-Origin %q, want %q", c.origins, origin, got, want)
				}
			}
		})
	}
}
