// Package trusted holds the trusted documents: the only GraphQL documents a
// server runs when an operator lists them, as first-party consoles build
// them (Apollo's persisted-query manifest, graphql-codegen's persisted
// documents). A document is known by the SHA-256 of its text, so an unknown
// one is refused before it is parsed.
package trusted

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Documents is a set of trusted documents.
type Documents struct {
	bySHA map[string]string // sha256 hex of the text -> text
	byID  map[string]string // the manifest's id (a hash it chose) -> text
	names []string
}

// Hash is the key of a document: the SHA-256 of its text, in hex.
func Hash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// Allowed reports whether text is one of the documents.
func (d *Documents) Allowed(text string) bool {
	_, ok := d.bySHA[Hash(text)]
	return ok
}

// ByID returns the document a client names by hash alone (Apollo's
// extensions.persistedQuery.sha256Hash), and whether there is one.
func (d *Documents) ByID(id string) (string, bool) {
	if text, ok := d.bySHA[strings.ToLower(id)]; ok {
		return text, true
	}
	text, ok := d.byID[id]
	return text, ok
}

// Len is how many documents there are.
func (d *Documents) Len() int { return len(d.bySHA) }

// OperationNames are the names of the documents' operations, sorted.
func (d *Documents) OperationNames() []string { return d.names }

// Load reads path: one manifest, or a directory whose *.json files are manifests.
func Load(path string) (*Documents, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("trusted documents: %w", err)
	}
	files := []string{path}
	if info.IsDir() {
		if files, err = filepath.Glob(filepath.Join(path, "*.json")); err != nil {
			return nil, fmt.Errorf("trusted documents: %w", err)
		}
		sort.Strings(files)
	}
	d := &Documents{bySHA: map[string]string{}, byID: map[string]string{}}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("trusted documents: %w", err)
		}
		if err := d.add(raw); err != nil {
			return nil, fmt.Errorf("trusted documents: %s: %w", f, err)
		}
	}
	if d.Len() == 0 {
		return nil, fmt.Errorf("trusted documents: %s lists no document", path)
	}
	names := map[string]bool{}
	for _, text := range d.bySHA {
		doc, err := parser.ParseQuery(&ast.Source{Input: text})
		if err != nil {
			return nil, fmt.Errorf("trusted documents: a document does not parse: %w", err)
		}
		for _, op := range doc.Operations {
			if op.Name != "" {
				names[op.Name] = true
			}
		}
	}
	for n := range names {
		d.names = append(d.names, n)
	}
	slices.Sort(d.names)
	return d, nil
}

// apolloManifest is what Apollo's generate-persisted-query-manifest writes.
type apolloManifest struct {
	Format     string `json:"format"`
	Version    int    `json:"version"`
	Operations []struct {
		ID   string `json:"id"`
		Body string `json:"body"`
		Name string `json:"name"`
	} `json:"operations"`
}

const apolloFormat = "apollo-persisted-query-manifest"

// add reads one manifest: Apollo's, or graphql-codegen's {hash: document}.
func (d *Documents) add(raw []byte) error {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(raw, &probe); err != nil {
		return errors.New("not a JSON object")
	}
	if _, ok := probe["operations"]; ok {
		var m apolloManifest
		if err := json.Unmarshal(raw, &m); err != nil || m.Format != apolloFormat {
			return fmt.Errorf("an operations list, but not an %s", apolloFormat)
		}
		for _, op := range m.Operations {
			if op.Body == "" {
				return fmt.Errorf("operation %q has no body", op.ID)
			}
			d.put(op.ID, op.Body)
		}
		return nil
	}
	for id, v := range probe {
		var text string
		if err := json.Unmarshal(v, &text); err != nil || text == "" {
			return fmt.Errorf("entry %q is not a document: want {\"hash\": \"document\", ...}", id)
		}
		d.put(id, text)
	}
	return nil
}

func (d *Documents) put(id, text string) {
	d.bySHA[Hash(text)] = text
	if id != "" {
		d.byID[id] = text
	}
}
