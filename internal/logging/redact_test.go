package logging

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

var schema = gqlparser.MustLoadSchema(&ast.Source{Input: `
type Query { a(in: In, token: String, name: String): Int, p(in: CreateProjectInput, w: ProjectWhereInput): Int }
input In { name: String, jsonKey: String, inner: [In!], userPassword: String }
input CreateProjectInput { name: String, description: String }
input ProjectWhereInput { descriptionContains: String, descriptions: String, nameContains: String }
`})

// docs/security.md S14: by name, by the schema's marks, by where the
// document passes a variable, and for values shaped like orgql tokens.
func TestVariablesRedacted(t *testing.T) {
	r := NewRedactor(schema, []string{"jsonKey"}, nil)
	doc, err := gqlparser.LoadQuery(schema, `query($in: In, $t: String, $n: String, $apiKey: String) { a(in: $in, token: $t, name: $n) x: a(in: {jsonKey: $apiKey}) }`)
	if err != nil {
		t.Fatal(err)
	}
	got := r.Variables(doc, doc.Operations[0], map[string]any{
		"in": map[string]any{"name": "visible", "jsonKey": "k1", "userPassword": "p1",
			"inner": []any{map[string]any{"jsonKey": "k2", "name": "oqs_abcdef"}}},
		"t": "t1", "n": strings.Repeat("x", 500), "apiKey": "k3",
	})
	s := fmt.Sprint(got)
	for _, secret := range []string{"k1", "k2", "k3", "p1", "t1", "oqs_"} {
		if strings.Contains(s, secret) {
			t.Errorf("%q in %s", secret, s)
		}
	}
	if !strings.Contains(s, "visible") || len(got["n"].(string)) > maxString+3 {
		t.Errorf("redacted too much, or kept too long a string: %s", s)
	}
	// Without a document, names decide.
	if v := r.Variables(nil, nil, map[string]any{"password": "p", "x": map[string]any{"jsonKey": "k"}}); fmt.Sprint(v) != "map[password:[REDACTED] x:map[jsonKey:[REDACTED]]]" {
		t.Errorf("no document: %v", v)
	}
}

// Inputs of an ent field marked Sensitive() are redacted, whether given
// in a variable of the input type or passed to the field under any name.
func TestSensitiveEntFieldsRedacted(t *testing.T) {
	r := NewRedactor(schema, nil, []SensitiveField{{Type: "Project", Field: "description"}})
	doc, err := gqlparser.LoadQuery(schema, `query($in: CreateProjectInput, $d: String, $c: String, $n: String) { p(in: $in) x: p(in: {description: $d}, w: {descriptionContains: $c, nameContains: $n}) }`)
	if err != nil {
		t.Fatal(err)
	}
	got := r.Variables(doc, doc.Operations[0], map[string]any{
		"in": map[string]any{"name": "web", "description": "d1"}, "d": "d2", "c": "d3", "n": "visible",
	})
	if s := fmt.Sprint(got); strings.Contains(s, "d1") || strings.Contains(s, "d2") || strings.Contains(s, "d3") || !strings.Contains(s, "visible") || !strings.Contains(s, "web") {
		t.Fatalf("%s", s)
	}
	if r.markedIn["ProjectWhereInput.descriptions"] {
		t.Fatal("a field that only starts like the sensitive one")
	}
}

func TestHeadersRedacted(t *testing.T) {
	h := http.Header{"Authorization": {"Bearer oqs_x"}, "Cookie": {"orgql_session=oqs_y"}, "X-Api-Key": {"z"}, "User-Agent": {"curl"}}
	got := Headers(h)
	if got["authorization"] != Redacted || got["cookie"] != Redacted || got["x-api-key"] != Redacted || got["user-agent"] != "curl" {
		t.Fatalf("%v", got)
	}
}

func TestErrorChain(t *testing.T) {
	err := fmt.Errorf("outer: %w", errors.Join(errors.New("a"), fmt.Errorf("b: %w", errors.New("c"))))
	chain := ErrorChain(err)
	if len(chain) != 5 || !strings.Contains(chain[4], "c") {
		t.Fatalf("%q", chain)
	}
}
