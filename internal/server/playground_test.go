package server_test

import (
	"crypto/sha256"
	"encoding/base64"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/testkit"
)

var (
	absoluteURL = regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}`)
	assetRef    = regexp.MustCompile(`(?s)<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"[^>]*?integrity="([^"]+)"`)
)

// The playground page loads nothing from outside the server, and every asset
// it names is served, matching the integrity hash the browser will check.
func TestPlaygroundLoadsOnlyEmbeddedAssets(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		rec := e.Serve(httptest.NewRequest(http.MethodGet, "/", nil))
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Fatalf("GET /: %d %s", rec.Code, rec.Header().Get("Content-Type"))
		}
		page := rec.Body.String()
		if u := absoluteURL.FindString(page); u != "" {
			t.Fatalf("the page references %q", u)
		}
		refs := assetRef.FindAllStringSubmatch(page, -1)
		if len(refs) != 4 {
			t.Fatalf("want 4 assets (React, ReactDOM, GraphiQL JS and CSS), found %d: %q", len(refs), refs)
		}
		for _, ref := range refs {
			path, integrity := html.UnescapeString(ref[1]), html.UnescapeString(ref[2])
			rec := e.Serve(httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: %d", path, rec.Code)
			}
			sum := sha256.Sum256(rec.Body.Bytes())
			if got := "sha256-" + base64.StdEncoding.EncodeToString(sum[:]); got != integrity {
				t.Errorf("%s hashes to %s, the page says %s", path, got, integrity)
			}
		}
		for _, license := range []string{"LICENSE.graphiql", "LICENSE.react", "LICENSE.react-dom"} {
			if rec := e.Serve(httptest.NewRequest(http.MethodGet, "/playground/"+license, nil)); rec.Code != http.StatusOK {
				t.Errorf("%s: %d", license, rec.Code)
			}
		}
	})
}

func TestOnlyTheRootServesThePlayground(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		if rec := e.Serve(httptest.NewRequest(http.MethodGet, "/no-such-page", nil)); rec.Code != http.StatusNotFound {
			t.Fatalf("GET /no-such-page: %d, want 404", rec.Code)
		}
	})
}
