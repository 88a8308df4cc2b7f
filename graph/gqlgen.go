//go:build ignore

// gqlgen.go runs gqlgen (from the root generate.go) with one plugin of
// ours, loadedEdges; otherwise it is `gqlgen generate --config gqlgen.yml`.
package main

import (
	"bytes"
	"fmt"
	"go/types"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
)

func main() {
	log.SetOutput(io.Discard) // as gqlgen's command does: its log is chatter
	cfg, err := config.LoadConfig("gqlgen.yml")
	if err == nil {
		err = api.Generate(cfg, api.AddPlugin(loadedEdges{}))
	}
	if err == nil {
		err = deferOnlyWhenDeferred(cfg.Exec.Dir())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(1)
	}
}

// entPackage is where ent's types, and their edge accessors, are.
const entPackage = "github.com/orgql/orgql/ent"

// loadedEdges makes gqlgen call the edge accessors of ent's types in line
// rather than in a goroutine each. gqlgen resolves every field bound to a
// method that takes a context concurrently; ent's edge accessors take one
// (to query an edge that was not loaded), but the resolvers load every edge
// a document selects first (entgql's field collection), so the goroutines
// bought nothing: there were thousands per list of organizations and their
// members (docs/architecture.md, "A request"). Fields with resolvers of
// their own stay concurrent.
//
// gqlgen decides per object (Object.DisableConcurrency, set for the mutation
// type); the plugin gives each such field a copy of its object with
// concurrency off, which is the one thing the generated code reads of it.
type loadedEdges struct{}

func (loadedEdges) Name() string { return "loadededges" }

func (loadedEdges) GenerateCode(data *codegen.Data) error {
	for _, o := range data.Objects {
		if o.Root || !inPackage(o.Type, entPackage) {
			continue
		}
		var inline *codegen.Object
		for _, f := range o.Fields {
			if f.IsResolver || !f.IsMethod() || !f.MethodHasContext {
				continue
			}
			if inline == nil {
				copied := *o
				copied.DisableConcurrency = true
				inline = &copied
			}
			f.Object = inline
		}
	}
	return nil
}

// newDeferredGroup is what gqlgen's object template writes for every
// object it marshals: it computes the object's path and allocates a field
// set and a map, about a quarter of what a list of organizations and their
// members allocates, for documents that never @defer. deferOnlyWhenDeferred
// makes each such line call deferredGroup (graph/generated/deferred.go),
// which does that only when one of the object's fields is deferred. gqlgen
// has no way to change its template; when a version does this itself, the
// count below finds no line and the generation fails, to remove this.
const newDeferredGroup = "deferred := graphql.NewDeferredGroup(ctx)"

func deferOnlyWhenDeferred(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.generated.go"))
	if err != nil {
		return err
	}
	n := 0
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		k := bytes.Count(src, []byte(newDeferredGroup))
		if k == 0 {
			continue
		}
		n += k
		src = bytes.ReplaceAll(src, []byte(newDeferredGroup), []byte("deferred := deferredGroup(ctx, fields)"))
		if err := os.WriteFile(name, src, 0o644); err != nil {
			return err
		}
	}
	if n == 0 {
		return fmt.Errorf("no %q in %s: gqlgen's template changed; see deferOnlyWhenDeferred", newDeferredGroup, dir)
	}
	return nil
}

func inPackage(t types.Type, path string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && strings.TrimSuffix(n.Obj().Pkg().Path(), "/") == path
}
