package validation

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func production(c *config.Config) { c.Dev, c.Introspection = false, false }

// tokens counts d's tokens as the parser does (comments are not tokens).
func tokens(t testing.TB, query string) int {
	t.Helper()
	lex := lexer.New(&ast.Source{Input: query})
	n := 0
	for {
		tok, err := lex.ReadToken()
		if err != nil {
			t.Fatal(err)
		}
		if tok.Kind == lexer.EOF {
			return n
		}
		if tok.Kind != lexer.Comment {
			n++
		}
	}
}

// TestDocumentsFitTheLimits keeps every benchmark document a legal request:
// under the token limit and the body limit, so the benchmark measures what
// happens after parsing starts.
func TestDocumentsFitTheLimits(t *testing.T) {
	cfg := config.Defaults()
	for _, d := range Documents() {
		if n := tokens(t, d.Query); n >= cfg.ParserTokenLimit {
			t.Errorf("%s: %d tokens, limit %d", d.Name, n, cfg.ParserTokenLimit)
		}
		if n := len(body(t, d, 0)); int64(n) > cfg.MaxBodyBytes {
			t.Errorf("%s: body of %d bytes, limit %d", d.Name, n, cfg.MaxBodyBytes)
		}
	}
}

// body is d's request body; i makes each iteration's document new to the
// query cache (a comment is not a token).
func body(t testing.TB, d Document, i int) []byte {
	b, err := json.Marshal(map[string]any{"query": d.Query + "\n#" + strconv.Itoa(i), "variables": d.Variables})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkValidation sends each document through the real handler, in the
// production configuration, as an anonymous caller: a document that passes
// validation is then refused at its first root field, so the time is the
// parsing, limits and validation of the document and writing the answer.
// B/response and errors/response say how large the answer was.
func BenchmarkValidation(b *testing.B) {
	e := testkit.New(b, testkit.SQLite, production)
	for _, d := range Documents() {
		b.Run(d.Name, func(b *testing.B) {
			var rec *httptest.ResponseRecorder
			i := 0
			for b.Loop() {
				b.StopTimer()
				i++
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body(b, d, i)))
				req.Header.Set("Content-Type", "application/json")
				b.StartTimer()
				rec = e.Serve(req)
			}
			var resp struct{ Errors []json.RawMessage }
			_ = json.Unmarshal(rec.Body.Bytes(), &resp)
			b.ReportMetric(float64(rec.Body.Len()), "B/response")
			b.ReportMetric(float64(len(resp.Errors)), "errors/response")
		})
	}
}

// BenchmarkParse is the parser alone on each document: the floor under
// anything the endpoint does with it.
func BenchmarkParse(b *testing.B) {
	limit := config.Defaults().ParserTokenLimit
	for _, d := range Documents() {
		b.Run(d.Name, func(b *testing.B) {
			for b.Loop() {
				_, _ = parser.ParseQueryWithTokenLimit(&ast.Source{Input: d.Query}, limit)
			}
		})
	}
}
