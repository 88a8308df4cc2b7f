package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/testkit"
)

func getRequest(params map[string]any) *http.Request {
	v := url.Values{}
	for k, p := range params {
		if s, ok := p.(string); ok {
			v.Set(k, s)
			continue
		}
		b, _ := json.Marshal(p)
		v.Set(k, string(b))
	}
	return httptest.NewRequest(http.MethodGet, "/graphql?"+v.Encode(), nil)
}

func TestGetServesQueriesOnly(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		var out struct{ Plans []struct{ Code string } }
		alice.Send(t, getRequest(map[string]any{"query": "{ plans { code } }"})).OK(t, &out)
		if len(out.Plans) == 0 {
			t.Fatal("no plans over GET")
		}
		r := alice.Send(t, getRequest(map[string]any{"query": `mutation { createOrganization(input: {name: "` + testkit.Unique("Get") + `"}) { id } }`}))
		if r.Status == http.StatusOK || len(r.Errors) == 0 {
			t.Fatalf("a mutation over GET was not refused: %d %s", r.Status, r.Body)
		}
		if n := orgCount(t, alice); n != 0 {
			t.Fatalf("a mutation over GET created %d organizations", n)
		}
	})
}

func TestPostNeedsJSON(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "text/plain")
		if rec := e.Serve(req); rec.Code == http.StatusOK {
			t.Fatalf("a text/plain POST was served: %s", rec.Body)
		}
	})
}

// GraphQL-over-HTTP: application/graphql-response+json when the client asks
// for it (then a request error is 400), application/json otherwise (422).
func TestResponseMediaTypeFollowsAccept(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		anon := e.Anonymous()
		for _, c := range []struct {
			accept, contentType string
			invalidStatus       int
		}{
			{"", "application/json", http.StatusUnprocessableEntity},
			{"application/json", "application/json", http.StatusUnprocessableEntity},
			{"application/graphql-response+json", "application/graphql-response+json", http.StatusBadRequest},
			{"application/graphql-response+json, application/json;q=0.9", "application/graphql-response+json", http.StatusBadRequest},
			{"application/json, multipart/mixed", "application/json", http.StatusUnprocessableEntity}, // GraphiQL
		} {
			for query, status := range map[string]int{"{ __typename }": http.StatusOK, "{ nope }": c.invalidStatus} {
				req := post(t, map[string]any{"query": query})
				if c.accept != "" {
					req.Header.Set("Accept", c.accept)
				}
				r := anon.Send(t, req)
				if got := r.Header.Get("Content-Type"); got != c.contentType || r.Status != status {
					t.Errorf("Accept %q, %s: %d %s, want %d %s", c.accept, query, r.Status, got, status, c.contentType)
				}
			}
		}
	})
}

func TestAutomaticPersistedQueries(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		for _, method := range []string{http.MethodPost, http.MethodGet} {
			query := `{ plans { code } } # ` + method + testkit.Unique("")
			sum := sha256.Sum256([]byte(query))
			ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
			send := func(withQuery bool) *testkit.Response {
				params := map[string]any{"extensions": ext}
				if withQuery {
					params["query"] = query
				}
				if method == http.MethodGet {
					return alice.Send(t, getRequest(params))
				}
				return alice.Send(t, post(t, params))
			}
			if err := send(false).Err(t, "PERSISTED_QUERY_NOT_FOUND"); err.Message != "PersistedQueryNotFound" {
				t.Fatalf("%s: message %q", method, err.Message)
			}
			var out struct{ Plans []struct{ Code string } }
			send(true).OK(t, &out)
			out.Plans = nil
			send(false).OK(t, &out)
			if len(out.Plans) == 0 {
				t.Fatalf("%s: the persisted query answered no plans", method)
			}
		}
	})
}

func TestEveryResponseHasARequestID(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		for _, path := range []string{"/healthz", "/", "/graphql?query={__typename}"} {
			if id := e.Serve(httptest.NewRequest(http.MethodGet, path, nil)).Header().Get("X-Request-ID"); id == "" {
				t.Errorf("%s: no X-Request-ID", path)
			}
		}
	})
}
