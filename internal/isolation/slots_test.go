package isolation_test

import (
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// slot is one place of an operation where an ID goes: an argument of a root
// field, or a field inside an input-object argument (at any depth).
type slot struct {
	Operation string               // "query", "mutation" or "subscription"
	Field     *ast.FieldDefinition // the root field
	// Path is the argument name, then the input fields down to the ID.
	Path []string
	// Types are the GraphQL types along Path, to show lists in String.
	Types []*ast.Type
}

// String names the slot as the report shows it, e.g.
// "mutation createCustomRole(input.clusterPermissions[].clusterID)".
func (s slot) String() string {
	parts := make([]string, len(s.Path))
	for i, name := range s.Path {
		parts[i] = name
		if i < len(s.Path)-1 && s.Types[i].Elem != nil {
			parts[i] += "[]"
		}
	}
	return s.Operation + " " + s.Field.Name + "(" + strings.Join(parts, ".") + ")"
}

// Leaf is the name of the argument or input field that holds the ID.
func (s slot) Leaf() string { return s.Path[len(s.Path)-1] }

// idSlots walks every root field of schema and returns every slot of type ID
// (ID, ID!, [ID!]!...), sorted by name.
func idSlots(schema *ast.Schema) []slot {
	var out []slot
	roots := []struct {
		op  string
		def *ast.Definition
	}{{"query", schema.Query}, {"mutation", schema.Mutation}, {"subscription", schema.Subscription}}
	for _, root := range roots {
		if root.def == nil {
			continue
		}
		for _, f := range root.def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			for _, arg := range f.Arguments {
				walkIDs(schema, arg.Name, arg.Type, nil, nil, map[string]bool{}, func(path []string, types []*ast.Type) {
					out = append(out, slot{Operation: root.op, Field: f, Path: path, Types: types})
				})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// walkIDs calls found for every ID position under the value named name of
// type t. onPath holds the input types already entered, so recursive inputs
// (where-inputs with and/or/not) end.
func walkIDs(schema *ast.Schema, name string, t *ast.Type, path []string, types []*ast.Type, onPath map[string]bool, found func([]string, []*ast.Type)) {
	path = append(append([]string(nil), path...), name)
	types = append(append([]*ast.Type(nil), types...), t)
	named := t.Name()
	if named == "ID" {
		found(path, types)
		return
	}
	def := schema.Types[named]
	if def == nil || def.Kind != ast.InputObject || onPath[named] {
		return
	}
	onPath[named] = true
	defer delete(onPath, named)
	for _, f := range def.Fields {
		walkIDs(schema, f.Name, f.Type, path, types, onPath, found)
	}
}
