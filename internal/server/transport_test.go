package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/config"
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

const secretPassword = "s3cr3t-Pa55w0rd-7f1c2e"

// internals are what an answer must never carry: Go's type names and
// decoding errors, SQL, the request's own text.
var internals = regexp.MustCompile(`graphql\.|RawParams|map\[|\[\]interface|interface ?\{\}|\*ast|json: |cannot unmarshal|Go (struct|value)|float64|reflect|(?i:select |insert |sqlite|pq: )`)

func rawRequest(method, target, contentType, body string) *http.Request {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}

// A request the endpoint cannot read gets a short fixed message with
// BAD_REQUEST: nothing of the body, no Go type names.
func TestBadRequestsGetAFixedMessage(t *testing.T) {
	vars := `"variables": {"password": "` + secretPassword + `"}`
	huge := strings.Repeat("x", 1<<20-100)
	type badRequest struct {
		name   string
		req    *http.Request
		status int
		says   string
	}
	cases := func() []badRequest {
		return []badRequest{
			{"truncated JSON", rawRequest("POST", "/graphql", "application/json", `{"query": "{ __typename }", `+vars), 400, "not a valid JSON"},
			{"query a number", rawRequest("POST", "/graphql", "application/json", `{"query": 1, `+vars+`}`), 400, `"query" must be a string`},
			{"query an object", rawRequest("POST", "/graphql", "application/json", `{"query": {"q": 1}, `+vars+`}`), 400, `"query" must be a string`},
			{"query a list", rawRequest("POST", "/graphql", "application/json", `{"query": ["{ __typename }"], `+vars+`}`), 400, `"query" must be a string`},
			{"operationName a number", rawRequest("POST", "/graphql", "application/json", `{"query": "{ __typename }", "operationName": 7, `+vars+`}`), 400, `"operationName" must be a string`},
			{"variables a string", rawRequest("POST", "/graphql", "application/json", `{"query": "{ __typename }", "variables": "`+secretPassword+`"}`), 400, `"variables" must be a JSON object`},
			{"variables a list", rawRequest("POST", "/graphql", "application/json", `{"query": "{ __typename }", "variables": ["`+secretPassword+`"]}`), 400, `"variables" must be a JSON object`},
			{"variables a number", rawRequest("POST", "/graphql", "application/json", `{"query": "{ __typename }", "variables": 1}`), 400, `"variables" must be a JSON object`},
			{"extensions a string", rawRequest("POST", "/graphql", "application/json", `{"query": "{ __typename }", "extensions": "x", `+vars+`}`), 400, `"extensions" must be a JSON object`},
			{"a batch", rawRequest("POST", "/graphql", "application/json", `[{"query": "{ __typename }", `+vars+`}, {"query": "{ __typename }"}]`), 400, "batch"},
			{"a string", rawRequest("POST", "/graphql", "application/json", `"`+secretPassword+`"`), 400, "must be a JSON object"},
			{"null", rawRequest("POST", "/graphql", "application/json", `null`), 400, "must be a JSON object"},
			{"invalid UTF-8", rawRequest("POST", "/graphql", "application/json", "{\"query\": \"{ __typename }\", \"variables\": {\"password\": \""+secretPassword+"\xff\xfe\"}}"), 400, "UTF-8"},
			{"trailing data", rawRequest("POST", "/graphql", "application/json", `{"query": "{ __typename }", `+vars+`} {"query": "`+secretPassword+`"}`), 400, "not a valid JSON"},
			{"empty", rawRequest("POST", "/graphql", "application/json", ``), 400, "empty"},
			{"blank", rawRequest("POST", "/graphql", "application/json", " \n\t "), 400, "empty"},
			{"huge and malformed", rawRequest("POST", "/graphql", "application/json", `{"query": "{ __typename }", `+vars+`, "pad": "`+huge), 400, "not a valid JSON"},
			{"text/plain", rawRequest("POST", "/graphql", "text/plain", `{"query": "{ __typename }", `+vars+`}`), 415, "application/json"},
			{"application/graphql", rawRequest("POST", "/graphql", "application/graphql", `{ __typename }`), 415, "application/json"},
			{"a form", rawRequest("POST", "/graphql", "application/x-www-form-urlencoded", `query=%7B__typename%7D&password=`+secretPassword), 415, "application/json"},
			{"multipart", rawRequest("POST", "/graphql", "multipart/form-data; boundary=x", "--x\r\n\r\n"+secretPassword+"\r\n--x--"), 415, "application/json"},
			{"no content type", rawRequest("POST", "/graphql", "", `{"query": "{ __typename }", `+vars+`}`), 415, "application/json"},
			{"a bad content type", rawRequest("POST", "/graphql", "application/json; charset", `{"query": "{ __typename }", `+vars+`}`), 415, "application/json"},
			{"GET with malformed variables", getRequest(map[string]any{"query": "{ __typename }", "variables": `{"password": "` + secretPassword}), 400, `"variables" is not a valid JSON object`},
			{"GET with variables a list", getRequest(map[string]any{"query": "{ __typename }", "variables": `["` + secretPassword + `"]`}), 400, `"variables" must be a JSON object`},
			{"GET with malformed extensions", getRequest(map[string]any{"query": "{ __typename }", "extensions": `{"persistedQuery": `, "variables": `{"password": "` + secretPassword + `"}`}), 400, `"extensions" is not a valid JSON object`},
			{"GET with a malformed query string", httptest.NewRequest("GET", "/graphql?query=%7B__typename%7D&variables=%zz"+secretPassword, nil), 400, "query string"},
			{"PUT", rawRequest("PUT", "/graphql", "application/json", `{"query": "{ __typename }", `+vars+`}`), 405, "method"},
			{"DELETE", rawRequest("DELETE", "/graphql", "", ``), 405, "method"},
		}
	}
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		for _, c := range cases() {
			r := alice.Send(t, c.req)
			if r.Status != c.status || len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_REQUEST" {
				t.Errorf("%s: want HTTP %d with one BAD_REQUEST error, got HTTP %d: %.300s", c.name, c.status, r.Status, r.Body)
				continue
			}
			msg := r.Errors[0].Message
			if !strings.Contains(msg, c.says) || len(msg) > 120 {
				t.Errorf("%s: message %q, want a short one saying %q", c.name, msg, c.says)
			}
			if strings.Contains(string(r.Body), secretPassword) || internals.MatchString(string(r.Body)) || len(r.Body) > 300 {
				t.Errorf("%s: the answer carries internals or the request: %.300s", c.name, r.Body)
			}
			if c.status == http.StatusMethodNotAllowed && r.Header.Get("Allow") == "" {
				t.Errorf("%s: 405 without Allow", c.name)
			}
		}
	})
}

// Nothing of a request's variables comes back, whatever is wrong with them.
func TestVariablesNeverComeBack(t *testing.T) {
	const create = `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		for _, c := range []struct {
			query string
			vars  map[string]any
		}{
			{`mutation($p: PlanCode!) { changePlan(organizationID: "x", plan: $p) { name } }`, map[string]any{"p": secretPassword}},
			{create, map[string]any{"i": map[string]any{"name": "x", "plan": secretPassword}}},
			{`query($n: Int) { viewer { organizations(first: $n) { totalCount } } }`, map[string]any{"n": secretPassword}},
			{`query($n: Int) { viewer { organizations(first: $n) { totalCount } } }`, map[string]any{"n": map[string]any{"password": secretPassword}}},
			{`query($b: Boolean!) { __typename @skip(if: $b) }`, map[string]any{"b": secretPassword}},
			{create, map[string]any{"i": secretPassword}},
			{create, map[string]any{"i": []any{secretPassword}}},
			{create, map[string]any{"i": map[string]any{"name": "x", secretPassword: 1}}},
			{create, map[string]any{"i": map[string]any{"name": "x", "firstProject": map[string]any{"name": "p", secretPassword: 1}}}},
			{create, map[string]any{"i": map[string]any{"name": "x", "adminContactEmails": []any{"a@b.example", map[string]any{"password": secretPassword}}}}},
			{`query($s: String!) { invitation(token: $s) { email } }`, map[string]any{"password": secretPassword}},
		} {
			for _, dev := range []bool{true, false} {
				e := testkit.New(t, e.Backend, func(cfg *config.Config) { cfg.Dev, cfg.Introspection = dev, dev })
				r := e.Anonymous().Do(t, c.query, c.vars)
				if len(r.Errors) != 1 || r.Errors[0].Code() != "GRAPHQL_VALIDATION_FAILED" || len(r.Errors[0].Path) == 0 || r.Errors[0].Path[0] != "variable" {
					t.Errorf("dev %v, %s %v: want one error of a variable, got %s", dev, c.query, c.vars, r.Body)
				}
				if strings.Contains(string(r.Body), secretPassword) || internals.MatchString(string(r.Body)) {
					t.Errorf("dev %v, %s: %s", dev, c.query, r.Body)
				}
			}
		}
	})
}

// A mutation over GET is 405 with Allow: POST, and changes nothing, also
// when its document is already cached; so is a subscription over plain POST
// or GET, with a message saying where subscriptions are served.
func TestOperationKindsByMethod(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		create := `mutation C { createOrganization(input: {name: "` + testkit.Unique("Get") + `"}) { id } }`
		for _, accept := range []string{"", "application/graphql-response+json"} {
			for _, doc := range []string{create, `mutation M { __typename } query Q { __typename } ` + create} {
				if doc != create {
					// Served by POST, the document is valid and cached.
					alice.Send(t, post(t, map[string]any{"query": doc, "operationName": "M"})).OK(t, nil)
				}
				req := getRequest(map[string]any{"query": doc, "operationName": "C"})
				if accept != "" {
					req.Header.Set("Accept", accept)
				}
				r := alice.Send(t, req)
				if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "POST" {
					t.Errorf("GET mutation (Accept %q): HTTP %d, Allow %q: %s", accept, r.Status, r.Header.Get("Allow"), r.Body)
				} else if err := r.Err(t, "BAD_REQUEST"); !strings.Contains(err.Message, "POST") {
					t.Errorf("GET mutation: message %q", err.Message)
				}
			}
		}
		if n := orgCount(t, alice); n != 0 {
			t.Fatalf("a mutation over GET created %d organizations", n)
		}
		// A query in a document holding a mutation is served over GET.
		alice.Send(t, getRequest(map[string]any{"query": `mutation M { __typename } query Q { __typename } ` + create, "operationName": "Q"})).OK(t, nil)

		subscription := `subscription { currentOrganizationChanged { id } }`
		for _, req := range []*http.Request{post(t, map[string]any{"query": subscription}), getRequest(map[string]any{"query": subscription})} {
			r := alice.Send(t, req)
			if r.Status != http.StatusBadRequest {
				t.Errorf("%s subscription: HTTP %d: %s", req.Method, r.Status, r.Body)
			} else if err := r.Err(t, "BAD_REQUEST"); !strings.Contains(err.Message, "WebSocket") || !strings.Contains(err.Message, "text/event-stream") {
				t.Errorf("%s subscription: message %q", req.Method, err.Message)
			}
		}
	})
}

// Requests that are fine still work: null members, GET with variables.
func TestWellFormedRequestsAreServed(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		alice.Send(t, rawRequest("POST", "/graphql", "application/json; charset=utf-8", `{"query": "{ __typename }", "variables": null, "extensions": null, "operationName": null}`)).OK(t, nil)
		alice.Send(t, rawRequest("POST", "/graphql", "application/json", ` {"query": "query($s: Boolean!) { __typename @skip(if: $s) }", "variables": {"s": false}, "unknown": [1]} `)).OK(t, nil)
		alice.Send(t, getRequest(map[string]any{"query": "query($s: Boolean!) { __typename @skip(if: $s) }", "variables": map[string]any{"s": false}})).OK(t, nil)
	})
}
