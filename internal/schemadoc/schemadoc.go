// Package schemadoc describes, for the users of the API, what entgql
// generates into the GraphQL schema without a description: entity types
// (from their ent schema's Comment annotation), the fields every type has
// (id, timestamps, organization), where-input predicates, order fields and
// enum values (from the EnumDoc annotation of their ent field). It runs as an
// entgql schema hook in ent/entc.go, and fails the generation when it cannot
// describe something, so the schema is described completely (a test in
// graph/ checks the whole schema too).
package schemadoc

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"entgo.io/ent/entc/gen"
	entschema "entgo.io/ent/schema"
	"github.com/vektah/gqlparser/v2/ast"
)

// EnumDocName is the ent annotation name holding an enum field's value descriptions.
const EnumDocName = "EnumDoc"

// Hook is the entgql schema hook.
func Hook(g *gen.Graph, s *ast.Schema) error {
	nodes := map[string]*gen.Type{}
	for _, n := range g.Nodes {
		nodes[n.Name] = n
	}
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// schema.graphqls declares these scalars; entgql adds its own copies
	// when it cannot load the other schema files (as when they extend a type
	// this very run is about to generate), so they are dropped here to make
	// one run of the generator always enough.
	for _, name := range []string{"Time", "Map"} {
		if t := s.Types[name]; t != nil && t.Kind == ast.Scalar && strings.HasPrefix(t.Description, "The builtin ") {
			delete(s.Types, name)
		}
	}
	if q := s.Types["Query"]; q != nil && q.Description == "" {
		q.Description = "The entry points for reading: start from `viewer`, or from an object's ID with `node`."
	}
	for name, def := range s.Types {
		switch {
		case def.Kind == ast.Enum:
			describeEnum(g, nodes, def, fail)
		case strings.HasSuffix(name, "WhereInput") && nodes[strings.TrimSuffix(name, "WhereInput")] != nil:
			describeWhere(nodes[strings.TrimSuffix(name, "WhereInput")], def, fail)
		case nodes[name] != nil && def.Kind == ast.Object:
			describeEntity(nodes[name], def, fail)
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("schemadoc: %d schema members have no description:\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return nil
}

// noun is how descriptions name a row of type t: "organization event",
// "API token" (acronyms keep their case).
func noun(t *gen.Type) string {
	words := strings.Fields(wordBreaks.ReplaceAllString(acronymBreaks.ReplaceAllString(t.Name, "$1 $2"), "$1 $2"))
	for i, w := range words {
		if strings.ToUpper(w) != w || len(w) == 1 {
			words[i] = strings.ToLower(w)
		}
	}
	return strings.Join(words, " ")
}

var (
	acronymBreaks = regexp.MustCompile(`([A-Z]+)([A-Z][a-z])`)
	wordBreaks    = regexp.MustCompile(`([a-z0-9])([A-Z])`)
)

func describeEntity(t *gen.Type, def *ast.Definition, fail func(string, ...any)) {
	n := noun(t)
	if def.Description == "" {
		if c, ok := t.Annotations[(&entschema.CommentAnnotation{}).Name()].(map[string]any); ok {
			def.Description, _ = c["Text"].(string)
		}
	}
	if def.Description == "" {
		fail("%s: the ent schema has no schema.Comment annotation", def.Name)
	}
	edgeComments := map[string]string{}
	for _, e := range t.Edges {
		edgeComments[camel(e.Name)] = e.Comment()
	}
	for _, f := range def.Fields {
		if f.Description != "" {
			continue
		}
		if c := edgeComments[f.Name]; c != "" {
			// entgql leaves the comments of connection edges out.
			f.Description = c
			continue
		}
		switch f.Name {
		case "id":
			f.Description = fmt.Sprintf("The %s's ID, unique across all types.", n)
		case "createdAt":
			f.Description = fmt.Sprintf("When the %s was created.", n)
		case "updatedAt":
			f.Description = fmt.Sprintf("When the %s was last changed.", n)
		case "organizationID":
			f.Description = fmt.Sprintf("The ID of the organization the %s belongs to.", n)
		case "organization":
			f.Description = fmt.Sprintf("The organization the %s belongs to.", n)
		default:
			fail("%s.%s: the ent field or edge has no Comment", def.Name, f.Name)
		}
	}
}

// predicates maps a where-input field's suffix to what it matches, longest suffixes first.
var predicates = []struct{ suffix, phrase string }{
	{"ContainsFold", "contains the value, ignoring case"},
	{"EqualFold", "equals the value, ignoring case"},
	{"HasPrefix", "starts with the value"},
	{"HasSuffix", "ends with the value"},
	{"Contains", "contains the value"},
	{"NotNil", "is set"},
	{"IsNil", "is not set"},
	{"NotIn", "is none of the values"},
	{"NEQ", "differs from the value"},
	{"GTE", "is greater than or equal to (for times, at or after) the value"},
	{"LTE", "is less than or equal to (for times, at or before) the value"},
	{"GT", "is greater than (for times, after) the value"},
	{"LT", "is less than (for times, before) the value"},
	{"In", "is one of the values"},
	{"", "equals the value"},
}

func describeWhere(t *gen.Type, def *ast.Definition, fail func(string, ...any)) {
	n := noun(t)
	def.Description = fmt.Sprintf("Filters %s objects: an object matches when it matches every field given.", n)
	fields := map[string]bool{"id": true}
	for _, f := range t.Fields {
		fields[camel(f.Name)] = true
	}
	edges := map[string]string{}
	for _, e := range t.Edges {
		edges[pascal(e.Name)] = e.Name
	}
	for _, f := range def.Fields {
		switch f.Name {
		case "not":
			f.Description = fmt.Sprintf("Matches the %s objects the given filter does not match.", n)
			continue
		case "and":
			f.Description = fmt.Sprintf("Matches the %s objects every given filter matches.", n)
			continue
		case "or":
			f.Description = fmt.Sprintf("Matches the %s objects at least one given filter matches.", n)
			continue
		}
		if rest, ok := strings.CutPrefix(f.Name, "has"); ok {
			with := strings.HasSuffix(rest, "With")
			if edge, ok := edges[strings.TrimSuffix(rest, "With")]; ok && with {
				f.Description = fmt.Sprintf("Matches when at least one of the %s's `%s` matches every given filter.", n, camel(edge))
				continue
			} else if edge, ok := edges[rest]; ok {
				f.Description = fmt.Sprintf("Matches when the %s has `%s`.", n, camel(edge))
				continue
			}
		}
		described := false
		for _, p := range predicates {
			base, ok := strings.CutSuffix(f.Name, p.suffix)
			if ok && fields[base] {
				f.Description = fmt.Sprintf("Matches when the %s's `%s` %s.", n, base, p.phrase)
				described = true
				break
			}
		}
		if !described {
			fail("%s.%s: not a predicate schemadoc knows", def.Name, f.Name)
		}
	}
}

func describeEnum(g *gen.Graph, nodes map[string]*gen.Type, def *ast.Definition, fail func(string, ...any)) {
	if node, ok := nodes[strings.TrimSuffix(def.Name, "OrderField")]; ok && strings.HasSuffix(def.Name, "OrderField") {
		for _, v := range def.EnumValues {
			if v.Description == "" {
				v.Description = fmt.Sprintf("Orders %s objects by `%s`.", noun(node), camel(strings.ToLower(v.Name)))
			}
		}
		return
	}
	docs, field := enumDocs(g, def.Name)
	if def.Description == "" || strings.Contains(def.Description, "is enum for the field") {
		if field != nil && field.Comment() != "" {
			def.Description = field.Comment()
		} else if def.Description == "" {
			fail("%s: no description", def.Name)
		}
	}
	for _, v := range def.EnumValues {
		if v.Description != "" {
			continue
		}
		if d := docs[v.Name]; d != "" {
			v.Description = d
			continue
		}
		fail("%s.%s: the ent field's EnumDoc annotation does not describe it", def.Name, v.Name)
	}
}

// enumDocs returns the value descriptions of the ent enum field whose
// GraphQL type is enum, from its EnumDoc annotation, and the field.
func enumDocs(g *gen.Graph, enum string) (map[string]string, *gen.Field) {
	for _, n := range g.Nodes {
		for _, f := range n.Fields {
			if !f.IsEnum() {
				continue
			}
			ant, _ := f.Annotations["EntGQL"].(map[string]any)
			if name, _ := ant["Type"].(string); name != enum {
				continue
			}
			raw, _ := f.Annotations[EnumDocName].(map[string]any)
			values, _ := raw["Values"].(map[string]any)
			docs := map[string]string{}
			for k, v := range values {
				docs[k], _ = v.(string)
			}
			return docs, f
		}
	}
	return nil, nil
}

// camel and pascal name things the way entgql does: ent's own template functions.
func camel(s string) string  { return gen.Funcs["camel"].(func(string) string)(s) }
func pascal(s string) string { return gen.Funcs["pascal"].(func(string) string)(s) }
