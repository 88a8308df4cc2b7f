//go:build ignore

// entc generates ent's code and the entgql part of the GraphQL schema. It
// runs from the module root, as the first step of `go generate ./...`.
package main

import (
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/orgql/orgql/internal/schemadoc"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithTemplates(relayTemplates()...),
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("graph/ent.graphqls"),
		entgql.WithConfigPath("gqlgen.yml"),
		entgql.WithWhereInputs(true),
		entgql.WithNodeDescriptor(false),
		entgql.WithSchemaHook(schemadoc.Hook, nonNullListEdges),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	err = entc.Generate("./ent/schema", &gen.Config{
		Target:  "./ent",
		Package: "github.com/orgql/orgql/ent",
		Features: []gen.Feature{
			gen.FeaturePrivacy,
			gen.FeatureEntQL,
			gen.FeatureIntercept,
			gen.FeatureLock,
			gen.FeatureExecQuery,
			gen.FeatureModifier,
			gen.FeatureUpsert,
			gen.FeatureVersionedMigration,
		},
		Templates: []*gen.Template{
			gen.MustParse(gen.NewTemplate("orgql").Funcs(entgql.TemplateFuncs).ParseFiles("./ent/template/fields.tmpl", "./ent/template/dialect.tmpl")),
		},
	}, entc.Extensions(ex))
	if err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}

// nonNullListEdges makes the field of every edge that is a plain list (not
// a connection, not unique) non-null, [T!]!: entgql makes it nullable unless
// the edge is required, but a cluster without labels groups has an empty
// list of them, never null.
func nonNullListEdges(g *gen.Graph, s *ast.Schema) error {
	for _, n := range g.Nodes {
		def := s.Types[n.Name]
		if def == nil {
			continue
		}
		for _, e := range n.Edges {
			if f := def.Fields.ForName(gen.Funcs["camel"].(func(string) string)(e.Name)); f != nil && !e.Unique && f.Type.Elem != nil {
				f.Type.NonNull = true
			}
		}
	}
	return nil
}

// relayTemplates are entgql's templates with its pagination and field
// collection patched to follow the Relay cursor-connections algorithm:
// entgql v0.7.0 reverses the order when `last` is given and then compares
// both cursors the same way, so `first` with `before`, `last` with `after`,
// and `after` with `before` return the wrong rows; it also sets pageInfo
// from the cursors alone and skips the query for `first: 0`. Each patch
// replaces one exact piece of entgql's template by a call to
// internal/relay, so the fix stays a few lines over entgql's own templates
// (no fork to keep in step); generation fails loudly when an entgql upgrade
// changes a piece, and the patches must then be checked against it.
func relayTemplates() []*gen.Template {
	dir := moduleDir("entgo.io/contrib")
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, "entgql", "template", name))
		if err != nil {
			log.Fatalf("reading entgql's %s: %v", name, err)
		}
		return string(b)
	}
	pagination := patch("pagination.tmpl", read("pagination.tmpl"), []replacement{
		{ // the helpers' package
			old: "\t\"entgo.io/contrib/entgql\"\n",
			new: "\t\"entgo.io/contrib/entgql\"\n\t\"github.com/orgql/orgql/internal/relay\"\n",
		},
		{ // pageInfo and the edges kept, from first/last and the rows the cursors let through
			old: `	c.PageInfo.HasNextPage = before != nil
	c.PageInfo.HasPreviousPage = after != nil
	if first != nil && *first+1 == len(nodes) {
		c.PageInfo.HasNextPage = true
		nodes = nodes[:len(nodes)-1]
	} else if last != nil && *last+1 == len(nodes) {
		c.PageInfo.HasPreviousPage = true
		nodes = nodes[:len(nodes)-1]
	}
`,
			new: `	var n int
	n, c.PageInfo.HasNextPage, c.PageInfo.HasPreviousPage = relay.Page(len(nodes), after != nil, first, before != nil, last)
	nodes = nodes[:n]
`,
		},
		{ // after: strictly after in the order's own direction; before: strictly before; checked cursors
			old: `		direction := p.order.Direction
		if p.reverse {
			direction = direction.Reverse()
		}
		for _, predicate := range entgql.CursorsPredicate(after, before, {{ $defaultOrder }}.Field.column, p.order.Field.column, direction) {
			query = query.Where(predicate)
		}
`,
			new: `		zero, _ := p.order.Field.Value(&{{ $name }}{})
		predicates, err := relay.CursorPredicates(after, before, {{ $defaultOrder }}.Field.column, p.order.Field.column, p.order.Direction, zero)
		if err != nil {
			return nil, err
		}
		for _, predicate := range predicates {
			query = query.Where(predicate)
		}
`,
		},
		{ // NULL sorts last ascending on every store, as the cursors take it
			old: `		query = query.Order(p.order.Field.toTerm(direction.OrderTermOption()))
		{{- /* We need to ensure the ID field`,
			new: `		zero, _ := p.order.Field.Value(&{{ $name }}{})
		query = query.Order(p.order.Field.toTerm(relay.OrderOptions(direction, zero)...))
		{{- /* We need to ensure the ID field`,
		},
		{ // the same in the per-parent window of nested connections
			old: `		return sql.ExprFunc(func(b *sql.Builder) {
			b.Ident(p.order.Field.column).Pad().WriteString(string(direction))
`,
			new: `		zero, _ := p.order.Field.Value(&{{ $name }}{})
		return sql.ExprFunc(func(b *sql.Builder) {
			b.Ident(p.order.Field.column).Pad().WriteString(relay.OrderSQL(direction, zero))
`,
		},
		{ // first: 0, last: 0 and a pageInfo without edges still query the rows pageInfo needs
			old: "\tif ignoredEdges || (first != nil && *first == 0) || (last != nil && *last == 0) {\n",
			new: "\tif ignoredEdges && !hasCollectedField(ctx, pageInfoField) {\n",
		},
		{ // totalCount counted only when the rows do not tell it (relay.TotalCount), and not for
			// pageInfo, which build takes from the rows
			old: `	if hasCollectedField(ctx, totalCountField) || hasCollectedField(ctx, pageInfoField) {
		hasPagination := after != nil || first != nil || before != nil || last != nil
		if hasPagination || ignoredEdges {
			c := {{ $r }}.Clone()
			{{- /* Clear the selection fields before counting to avoid generating invalid queries. */}}
			c.ctx.Fields = nil
			if conn.TotalCount, err = c.Count(ctx); err != nil {
				return nil, err
			}
			conn.PageInfo.HasNextPage = first != nil && conn.TotalCount > 0
			conn.PageInfo.HasPreviousPage = last != nil && conn.TotalCount > 0
		}
		{{- /* TotalCount will be settled by conn.build() */}}
	}
`,
			new: `	var counter relay.Counter // counts after the rows, when they do not tell
	if hasCollectedField(ctx, totalCountField) {
		c := {{ $r }}.Clone()
		c.ctx.Fields = nil
		switch {
		case ignoredEdges:
			if conn.TotalCount, err = c.Count(ctx); err != nil {
				return nil, err
			}
		case after != nil || first != nil || before != nil || last != nil:
			counter = c
		}
	}
`,
		},
		{
			old: `	nodes, err := {{ $r }}.All(ctx)
	if err != nil {
		return nil, err
	}
	conn.build(nodes, pager, after, first, before, last)
`,
			new: `	nodes, err := {{ $r }}.All(ctx)
	if err != nil {
		return nil, err
	}
	if counter != nil {
		if conn.TotalCount, err = relay.TotalCount(ctx, counter, len(nodes), after != nil || before != nil, limit); err != nil {
			return nil, err
		}
	}
	conn.build(nodes, pager, after, first, before, last)
`,
		},
	})
	collection := patch("collection.tmpl", read("collection.tmpl"), []replacement{
		{ // the same for connections loaded with their parent
			old: "if ignoredEdges || (args.first != nil && *args.first == 0) || (args.last != nil && *args.last == 0) {\n",
			new: "if ignoredEdges && !hasCollectedField(ctx, append(path, pageInfoField)...) {\n",
		},
	})
	parse := func(name, text string) *gen.Template {
		return gen.MustParse(gen.NewTemplate(name).Funcs(entgql.TemplateFuncs).Parse(text))
	}
	var out []*gen.Template
	for _, t := range entgql.AllTemplates {
		switch t {
		case entgql.PaginationTemplate:
			t = parse("pagination.tmpl", pagination)
		case entgql.CollectionTemplate:
			t = parse("collection.tmpl", collection)
		}
		out = append(out, t)
	}
	return out
}

type replacement struct{ old, new string }

// patch applies each replacement to text, whose name is for errors; each
// old piece must occur exactly once.
func patch(name, text string, rs []replacement) string {
	for _, r := range rs {
		if n := strings.Count(text, r.old); n != 1 {
			log.Fatalf("patching entgql's %s: the piece %q occurs %d times, want once: check the patch against this entgql version", name, r.old, n)
		}
		text = strings.Replace(text, r.old, r.new, 1)
	}
	return text
}

// moduleDir is the directory of module path in the module cache.
func moduleDir(path string) string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", path).Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		log.Fatalf("locating module %s: %v", path, err)
	}
	return strings.TrimSpace(string(out))
}
