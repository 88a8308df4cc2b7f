package server_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/testkit"
	"github.com/orgql/orgql/internal/trusted"
)

const (
	trustedPlans = `query Plans { plans { code } }`
	trustedMe    = `query Me { viewer { user { id } } }`
)

// writeManifests writes an Apollo persisted-query manifest listing
// trustedPlans under id, and a graphql-codegen persisted-documents file
// listing trustedMe, into a new directory.
func writeManifests(t testing.TB, id string) string {
	t.Helper()
	dir := t.TempDir()
	apollo := `{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"` + id + `","name":"Plans","type":"query","body":"` + trustedPlans + `"}]}`
	codegen := `{"` + trusted.Hash(trustedMe) + `":"` + trustedMe + `"}`
	for name, body := range map[string]string{"persisted-query-manifest.json": apollo, "persisted-documents.json": codegen} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func userID(t *testing.T, c *testkit.Client) string {
	t.Helper()
	var out struct {
		Viewer struct{ User struct{ ID string } }
	}
	c.Do(t, trustedMe, nil).OK(t, &out)
	return out.Viewer.User.ID
}

// With trusted documents on, the listed documents run (by text, or by the
// manifest's hash alone); any other is refused before it is parsed (one
// that does not even parse gets the same refusal), also when it comes
// through APQ; an exempt operator runs anything.
func TestTrustedDocuments(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice, operator := e.SignIn(t, "alice"), e.SignIn(t, "operator")
		opID := userID(t, operator)
		e.Config.TrustedDocuments = writeManifests(t, trusted.Hash(trustedPlans))
		e.Config.TrustedDocumentsExempt = []string{opID}
		e.Reconfigure(t, nil)
		anon := e.Anonymous()

		anon.Do(t, trustedPlans, nil).OK(t, nil)
		if got := userID(t, alice); !strings.HasPrefix(got, "usr_") {
			t.Fatalf("a codegen-listed document: %q", got)
		}
		byHash := post(t, map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": trusted.Hash(trustedPlans)}}})
		anon.Send(t, byHash).OK(t, nil)
		// graphql-codegen's documentId, in a POST body or a GET query string.
		anon.Send(t, post(t, map[string]any{"documentId": trusted.Hash(trustedPlans)})).OK(t, nil)
		var me struct {
			Viewer struct{ User struct{ ID string } }
		}
		alice.Send(t, post(t, map[string]any{"documentId": trusted.Hash(trustedMe), "variables": map[string]any{}})).OK(t, &me)
		if !strings.HasPrefix(me.Viewer.User.ID, "usr_") {
			t.Fatalf("a codegen document by documentId: %+v", me)
		}
		get := getRequest(map[string]any{"documentId": trusted.Hash(trustedPlans)})
		get.Header.Set("GraphQL-Require-Preflight", "1")
		anon.Send(t, get).OK(t, nil)
		alice.Send(t, post(t, map[string]any{"documentId": trusted.Hash("query Unlisted { plans { code } }")})).Err(t, server.CodeNotTrusted)
		alice.Send(t, post(t, map[string]any{"documentId": 7})).Err(t, server.CodeBadRequest)

		for _, doc := range []string{`query Plans { plans { code name } }`, `{ plans {`, trustedPlans + " "} {
			alice.Do(t, doc, nil).Err(t, server.CodeNotTrusted)
		}
		// The operator runs another document, and registers it with APQ; its
		// hash alone does not make it trusted for anyone else.
		other := `query Other { plans { name } }`
		apq := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": trusted.Hash(other)}}
		operator.Send(t, post(t, map[string]any{"query": other, "extensions": apq})).OK(t, nil)
		alice.Send(t, post(t, map[string]any{"extensions": apq})).Err(t, server.CodeNotTrusted)
		operator.Send(t, post(t, map[string]any{"extensions": apq})).OK(t, nil)

		m := scrape(t, e.Server)
		if m[`orgql_untrusted_documents_refused_total`] != 5 {
			t.Errorf("refusals: %v", pick(m, "orgql_untrusted"))
		}
		// Operation names come from the manifests only.
		if m[`orgql_graphql_operations_total{operation="(other)",outcome="OK",type="query"}`] != 2 ||
			m[`orgql_graphql_operations_total{operation="Plans",outcome="OK",type="query"}`] != 4 {
			t.Errorf("operation labels: %v", pick(m, "orgql_graphql_operations_total"))
		}
	})
}

// A manifest that is neither format, or lists nothing, stops the server from starting.
func TestTrustedDocumentsRefuseABadManifest(t *testing.T) {
	e := testkit.New(t, testkit.SQLite, nil)
	for name, body := range map[string]string{
		"not-json":     `[`,
		"empty":        `{}`,
		"wrong-format": `{"format":"something-else","operations":[]}`,
		"not-a-doc":    `{"abc": 3}`,
		"bad-graphql":  `{"abc": "query {"}`,
	} {
		path := filepath.Join(t.TempDir(), name+".json")
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := e.Config
		cfg.TrustedDocuments = path
		if _, err := server.New(cfg, e.DB, server.Options{Keys: e.Keys}); err == nil {
			t.Errorf("%s: the server started", name)
		}
	}
}

// bigDocument is a document of about n fields that no manifest lists; i
// makes it new to every cache.
func bigDocument(n, i int) string {
	var sb strings.Builder
	sb.WriteString("query Big" + itoa(i) + " { plans { ")
	for j := range n {
		sb.WriteString("f" + itoa(j) + ": code ")
	}
	sb.WriteString("} }")
	return sb.String()
}

// The refusal of an unknown document costs a hash of its text; without
// trusted documents the same document is parsed and its shape measured
// (and refused there, for its size). Compare:
//
//	go test ./internal/server -run '^$' -bench 'UnknownDocument' -benchmem
func BenchmarkUnknownDocumentRefusedByHash(b *testing.B) {
	benchUnknownDocument(b, true)
}

func BenchmarkUnknownDocumentParsed(b *testing.B) {
	benchUnknownDocument(b, false)
}

func benchUnknownDocument(b *testing.B, trustedOn bool) {
	e := testkit.New(b, testkit.SQLite, nil)
	if trustedOn {
		e.Config.TrustedDocuments = writeManifests(b, trusted.Hash(trustedPlans))
		e.Reconfigure(b, nil)
	}
	want := server.CodeNotTrusted
	if !trustedOn {
		want = "GRAPHQL_VALIDATION_FAILED"
	}
	anon := e.Anonymous()
	docs := make([]string, b.N)
	for i := range docs {
		docs[i] = bigDocument(4000, i)
	}
	b.SetBytes(int64(len(docs[0])))
	b.ResetTimer()
	for i := range b.N {
		r := anon.Send(b, post(b, map[string]any{"query": docs[i]}))
		if len(r.Errors) == 0 || r.Errors[0].Code() != want || r.Status == http.StatusInternalServerError {
			b.Fatalf("%d: %s", r.Status, r.Body)
		}
	}
}

// Without trusted documents, a documentId names nothing: a clear refusal
// naming the field, not "no operation".
func TestDocumentIDWithoutTrustedDocuments(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		r := e.Anonymous().Send(t, post(t, map[string]any{"documentId": trusted.Hash(trustedPlans)}))
		r.Err(t, server.CodeBadRequest)
		if r.Status != http.StatusBadRequest || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, `"documentId"`) {
			t.Fatalf("%d %+v", r.Status, r.Errors)
		}
		// With a query, documentId is ignored.
		e.Anonymous().Send(t, post(t, map[string]any{"query": trustedPlans, "documentId": "anything"})).OK(t, nil)
	})
}
