package trusted

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Both manifest formats load, from a file or a directory; documents are
// known by the SHA-256 of their exact text and by the manifest's id.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	a := `query A { plans { code } }`
	b := "query B($x: ID!) {\n  node(id: $x) { id }\n}"
	write(t, dir, "apollo.json", `{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"apollo-id-1","name":"A","type":"query","body":"`+a+`"}]}`)
	write(t, dir, "codegen.json", `{"codegen-hash":"query B($x: ID!) {\n  node(id: $x) { id }\n}"}`)
	write(t, dir, "notes.txt", `not a manifest`)
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 2 || !d.Allowed(a) || !d.Allowed(b) || d.Allowed(a+" ") || d.Allowed(strings.ToUpper(a)) {
		t.Fatalf("len %d, allowed a %v b %v", d.Len(), d.Allowed(a), d.Allowed(b))
	}
	for id, want := range map[string]string{"apollo-id-1": a, "codegen-hash": b, Hash(a): a, strings.ToUpper(Hash(b)): b} {
		if got, ok := d.ByID(id); !ok || got != want {
			t.Errorf("ByID(%s) = %q, %v", id, got, ok)
		}
	}
	if _, ok := d.ByID("unknown"); ok {
		t.Error("an unknown id is known")
	}
	if names := d.OperationNames(); strings.Join(names, ",") != "A,B" {
		t.Errorf("names %v", names)
	}
	one, err := Load(filepath.Join(dir, "codegen.json"))
	if err != nil || one.Len() != 1 {
		t.Fatalf("one file: %v %v", one, err)
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil {
		t.Fatal("a missing file loaded")
	}
}

func bigDocument() string {
	var sb strings.Builder
	sb.WriteString("query Big { plans { ")
	for i := range 4000 {
		sb.WriteString("f")
		sb.WriteString(strings.Repeat("x", i%7))
		sb.WriteString(": code ")
	}
	sb.WriteString("} }")
	return sb.String()
}

// What refusing an unknown document costs (a SHA-256 of its text), against
// what parsing it would (go test ./internal/trusted -bench .).
func BenchmarkRefuseUnknown(b *testing.B) {
	d := &Documents{bySHA: map[string]string{Hash("query A { a }"): "query A { a }"}}
	doc := bigDocument()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if d.Allowed(doc) {
			b.Fatal("allowed")
		}
	}
}

func BenchmarkParseUnknown(b *testing.B) {
	doc := bigDocument()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := parser.ParseQuery(&ast.Source{Input: doc}); err != nil {
			b.Fatal(err)
		}
	}
}
