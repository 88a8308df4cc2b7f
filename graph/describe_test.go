package graph_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/orgql/orgql/graph/generated"
)

// Every type, field, argument, enum value and input field a client sees has
// a description: the schema is the API's documentation, in the playground
// and in every codegen tool.
func TestEverySchemaMemberHasADescription(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	var missing []string
	counted := 0
	check := func(where, description string) {
		counted++
		if strings.TrimSpace(description) == "" {
			missing = append(missing, where)
		}
	}
	for name, def := range schema.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		check(name, def.Description)
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") { // introspection's own fields
				continue
			}
			check(name+"."+f.Name, f.Description)
			for _, a := range f.Arguments {
				check(name+"."+f.Name+"("+a.Name+")", a.Description)
			}
		}
		for _, v := range def.EnumValues {
			check(name+"."+v.Name, v.Description)
		}
	}
	for name, d := range schema.Directives {
		if isInternalDirective(d) {
			continue
		}
		check("@"+name, d.Description)
		for _, a := range d.Arguments {
			check("@"+name+"("+a.Name+")", a.Description)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("%d of %d schema members have no description:\n  %s", len(missing), counted, strings.Join(missing, "\n  "))
	}
	if counted < 500 {
		t.Fatalf("counted only %d schema members: the walk lost some", counted)
	}
	t.Logf("%d schema members, all described", counted)
}

// isInternalDirective reports directives clients never see: gqlgen's
// code-generation directives and the built-in ones.
func isInternalDirective(d *ast.DirectiveDefinition) bool {
	return d.Position == nil || d.Position.Src == nil || d.Position.Src.BuiltIn || strings.HasPrefix(d.Name, "go")
}
