package testkit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Client sends GraphQL documents to an Env as one caller.
type Client struct {
	env   *Env
	Token string
	Login string
	// Header is added to every request.
	Header http.Header
	stmts  *Statements
}

// WithStatements returns a copy of c whose requests record their SQL statements in s.
func (c *Client) WithStatements(s *Statements) *Client {
	cp := *c
	cp.stmts = s
	return &cp
}

// Response is a GraphQL response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	Data   json.RawMessage `json:"data"`
	Errors []Error         `json:"errors"`
}

// Error is one GraphQL error.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code is the error's extensions.code.
func (e Error) Code() string { s, _ := e.Extensions["code"].(string); return s }

// Field is the error's extensions.field.
func (e Error) Field() string { s, _ := e.Extensions["field"].(string); return s }

// Do POSTs query with variables to /graphql and decodes the response.
func (c *Client) Do(t testing.TB, query string, vars map[string]any) *Response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return c.Send(t, req)
}

// Send sends req with c's credentials and decodes a GraphQL response.
func (c *Client) Send(t testing.TB, req *http.Request) *Response {
	t.Helper()
	if c.Token != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	if c.stmts != nil {
		req = req.WithContext(Recording(req.Context(), c.stmts))
	}
	rec := c.env.Serve(req)
	r := &Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if strings.Contains(rec.Header().Get("Content-Type"), "json") {
		if err := json.Unmarshal(r.Body, r); err != nil {
			t.Fatalf("decode response %q: %v", r.Body, err)
		}
	}
	for _, e := range r.Errors {
		if leak := internalText.FindString(e.Message); leak != "" {
			t.Fatalf("error message shows internals (%q): %s", leak, r.Body)
		}
	}
	return r
}

// internalText matches what a client must never read in an error message:
// the text of ent, the SQL drivers, Go's runtime or a Go type name
// (docs/errors.md).
var internalText = regexp.MustCompile(`\bent: |validator failed|sql: |pq: |SQL logic|constraint failed|violates|goroutine |runtime error|panic|\*?\b[a-z]+\.[A-Z][A-Za-z]+\b|\.go:\d`)

// OK fails t unless the response has data and no errors, then decodes data into v (if not nil).
func (r *Response) OK(t testing.TB, v any) *Response {
	t.Helper()
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		t.Fatalf("want success, got HTTP %d: %s", r.Status, r.Body)
	}
	if v != nil {
		if err := json.Unmarshal(r.Data, v); err != nil {
			t.Fatalf("decode data %s: %v", r.Data, err)
		}
	}
	return r
}

// Err fails t unless the response has exactly one error with code, and returns it.
func (r *Response) Err(t testing.TB, code string) Error {
	t.Helper()
	if len(r.Errors) != 1 || r.Errors[0].Code() != code {
		t.Fatalf("want one %s error, got HTTP %d: %s", code, r.Status, r.Body)
	}
	return r.Errors[0]
}

// Unique returns prefix with a random suffix: names are global, and tests share a database.
func Unique(prefix string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return prefix + " " + hex.EncodeToString(b)
}

// APIToken returns a client authenticating with the API token value tok.
func (e *Env) APIToken(tok string) *Client {
	return &Client{env: e, Login: "token", Header: http.Header{"Authorization": {"Token " + tok}}}
}

// CreateAPIToken creates an API token in org with role roleID through
// createAPIToken, as c, and returns a client using it and its ID.
func (c *Client) CreateAPIToken(t testing.TB, org Org, roleID string) (*Client, string) {
	t.Helper()
	var out struct {
		CreateAPIToken struct {
			APIToken struct{ ID string }
			Token    string
		}
	}
	c.Do(t, `mutation($org: ID!, $name: String!, $role: ID!) {
		createAPIToken(organizationID: $org, input: {name: $name, roleID: $role}) { apiToken { id } token }
	}`, map[string]any{"org": org.ID, "name": Unique("token"), "role": roleID}).OK(t, &out)
	return c.env.APIToken(out.CreateAPIToken.Token), out.CreateAPIToken.APIToken.ID
}

// Authorization is the Authorization header value c sends ("" when anonymous).
func (c *Client) Authorization() string {
	if v := c.Header.Get("Authorization"); v != "" {
		return v
	}
	if c.Token != "" {
		return "Bearer " + c.Token
	}
	return ""
}

// On returns c sending its requests to e instead (another instance on the same database).
func (c *Client) On(e *Env) *Client {
	cp := *c
	cp.env = e
	return &cp
}

// Subscribe sends subscription query by Server-Sent Events and decodes its
// first result: for a subscription refused at its start, the whole answer.
// The stream is cut after a few seconds, so one that runs shows its first
// event instead of hanging the test.
func (c *Client) Subscribe(t testing.TB, query string, vars map[string]any) *Response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	r := c.Send(t, req)
	for block := range strings.SplitSeq(string(r.Body), "\n\n") {
		if !strings.HasPrefix(block, "event: next\n") {
			continue
		}
		data := strings.TrimPrefix(strings.TrimPrefix(block, "event: next\n"), "data: ")
		r.Body = []byte(data)
		if err := json.Unmarshal(r.Body, r); err != nil {
			t.Fatalf("decode event %q: %v", data, err)
		}
		break
	}
	for _, e := range r.Errors {
		if leak := internalText.FindString(e.Message); leak != "" {
			t.Fatalf("error message shows internals (%q): %s", leak, r.Body)
		}
	}
	return r
}
