// Package sdl prints the GraphQL schema as clients see it: every type,
// field and directive a client may use, with their descriptions, and none
// of the directives that only steer gqlgen's code generation (@goModel,
// @goField...). `orgql schema` prints it, and docs/schema.graphql holds it,
// so codegen tools need neither introspection nor the repository's layout.
package sdl

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
)

// Print returns schema's SDL.
func Print(schema *ast.Schema) string {
	clean := *schema
	clean.Directives = map[string]*ast.DirectiveDefinition{}
	for name, d := range schema.Directives {
		if !internal(name) {
			clean.Directives[name] = d
		}
	}
	clean.Types = make(map[string]*ast.Definition, len(schema.Types))
	for name, def := range schema.Types {
		clean.Types[name] = cleanDefinition(def)
	}
	var b strings.Builder
	formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatSchema(&clean)
	return b.String()
}

// internal tells the directives that exist for gqlgen's code generation only.
func internal(name string) bool { return strings.HasPrefix(name, "go") }

func cleanDirectives(list ast.DirectiveList) ast.DirectiveList {
	var out ast.DirectiveList
	for _, d := range list {
		if !internal(d.Name) {
			out = append(out, d)
		}
	}
	return out
}

func cleanDefinition(def *ast.Definition) *ast.Definition {
	d := *def
	d.Directives = cleanDirectives(def.Directives)
	d.Fields = make(ast.FieldList, len(def.Fields))
	for i, f := range def.Fields {
		cf := *f
		cf.Directives = cleanDirectives(f.Directives)
		cf.Arguments = make(ast.ArgumentDefinitionList, len(f.Arguments))
		for j, a := range f.Arguments {
			ca := *a
			ca.Directives = cleanDirectives(a.Directives)
			cf.Arguments[j] = &ca
		}
		d.Fields[i] = &cf
	}
	d.EnumValues = make(ast.EnumValueList, len(def.EnumValues))
	for i, v := range def.EnumValues {
		cv := *v
		cv.Directives = cleanDirectives(v.Directives)
		d.EnumValues[i] = &cv
	}
	return &d
}
