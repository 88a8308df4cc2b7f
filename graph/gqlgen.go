//go:build ignore

// gqlgen.go runs gqlgen (from the root generate.go) with one plugin of
// ours, loadedEdges; otherwise it is `gqlgen generate --config gqlgen.yml`.
package main

import (
	"fmt"
	"go/types"
	"io"
	"log"
	"os"
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

func inPackage(t types.Type, path string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && strings.TrimSuffix(n.Obj().Pkg().Path(), "/") == path
}
