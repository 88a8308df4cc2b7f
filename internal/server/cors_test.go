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
