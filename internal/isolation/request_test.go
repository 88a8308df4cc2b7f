package isolation_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/orgql/orgql/internal/testkit"
)

// slotMarker stands for the ID under test in built variables.
const slotMarker = "\x00slot\x00"

// request is a document built for one slot, to be sent with any ID in it.
type request struct {
	Slot  slot
	Query string
	// SlotType is the GraphQL type the slot's name or operation says it
	// takes, "" when they do not tell (node, nodes).
	SlotType string
	// Others says which IDs fill the slots not under test, when one could
	// not be told from the schema (see builder.fallback).
	Others string
	vars   string // JSON, with slotMarker for the slot
}

// Vars returns the variables with id in the slot.
func (r request) Vars(id string) map[string]any {
	quoted, _ := json.Marshal(id)
	marker, _ := json.Marshal(slotMarker)
	var out map[string]any
	if err := json.Unmarshal([]byte(strings.ReplaceAll(r.vars, string(marker), string(quoted))), &out); err != nil {
		panic(err) // built from JSON just above: cannot happen
	}
	return out
}

// builder makes, from the schema alone, a valid request for a slot: required
// arguments and input fields get generated values, ID positions other than
// the slot get the attacker's own ID of the type their name says, so the only
// thing wrong in the request is the slot under test.
type builder struct {
	schema *ast.Schema
	own    map[string]string // the attacker's IDs by GraphQL type
	// confirmName is the value of a confirmName argument: the victim
	// organization's name, so that a deleteOrganization that skipped the
	// tenant check would actually delete (and the check after the walk see it).
	confirmName string

	field        *ast.FieldDefinition // the operation being built
	fallback     string               // ID for a position of unknown type
	usedFallback bool
}

// build returns the requests for s: one, or when an ID position other than
// the slot has a type the schema does not tell, one per attacker ID.
func (b *builder) build(s slot) ([]request, error) {
	b.fallback, b.usedFallback = "", false
	r, err := b.buildWith(s)
	if err != nil || !b.usedFallback {
		return []request{r}, err
	}
	var out []request
	for _, typ := range sortedKeys(b.own) {
		b.fallback = b.own[typ]
		r, err := b.buildWith(s)
		if err != nil {
			return nil, err
		}
		r.Others = typ
		out = append(out, r)
	}
	return out, nil
}

func (b *builder) buildWith(s slot) (request, error) {
	b.field = s.Field
	var defs, args []string
	vars := map[string]any{}
	for _, arg := range s.Field.Arguments {
		onSlot := arg.Name == s.Path[0]
		if !onSlot && !required(arg.Type, arg.DefaultValue) {
			continue
		}
		var rest []string
		if onSlot {
			rest = s.Path[1:]
		}
		v, err := b.value(arg.Name, arg.Type, rest, onSlot, 0)
		if err != nil {
			return request{}, fmt.Errorf("%s: argument %s: %w", s, arg.Name, err)
		}
		vars[arg.Name] = v
		defs = append(defs, "$"+arg.Name+": "+arg.Type.String())
		args = append(args, arg.Name+": $"+arg.Name)
	}
	sel, err := b.selection(s.Field.Type)
	if err != nil {
		return request{}, fmt.Errorf("%s: %w", s, err)
	}
	query := fmt.Sprintf("%s Isolation(%s) { %s(%s)%s }",
		s.Operation, strings.Join(defs, ", "), s.Field.Name, strings.Join(args, ", "), sel)
	encoded, err := json.Marshal(vars)
	if err != nil {
		return request{}, err
	}
	return request{Slot: s, Query: query, SlotType: idType(b.schema, s.Field, s.Leaf()), vars: string(encoded)}, nil
}

func required(t *ast.Type, def *ast.Value) bool { return t.NonNull && def == nil }

func hasRequired(def *ast.Definition) bool {
	for _, f := range def.Fields {
		if required(f.Type, f.DefaultValue) {
			return true
		}
	}
	return false
}

// isPlain reports whether t is a scalar other than ID, an enum, or a list of them.
func (b *builder) isPlain(t *ast.Type) bool {
	def := b.schema.Types[t.Name()]
	return def != nil && t.Name() != "ID" && (def.Kind == ast.Scalar || def.Kind == ast.Enum)
}

// value builds a value of type t for the position name. rest is the path
// still to follow to the slot, when onSlot.
func (b *builder) value(name string, t *ast.Type, rest []string, onSlot bool, depth int) (any, error) {
	if depth > 20 {
		return nil, fmt.Errorf("%s: input nested too deep", name)
	}
	if t.Elem != nil {
		v, err := b.value(name, t.Elem, rest, onSlot, depth+1)
		return []any{v}, err
	}
	def := b.schema.Types[t.NamedType]
	if def == nil {
		return nil, fmt.Errorf("%s: unknown type %s", name, t.NamedType)
	}
	switch def.Kind {
	case ast.Scalar:
		if onSlot {
			if len(rest) > 0 || def.Name != "ID" {
				return nil, fmt.Errorf("%s: the slot path ends in %s", name, def.Name)
			}
			return slotMarker, nil
		}
		return b.scalar(name, def.Name)
	case ast.Enum:
		if len(def.EnumValues) == 0 {
			return nil, fmt.Errorf("%s: enum %s has no values", name, def.Name)
		}
		return def.EnumValues[0].Name, nil
	case ast.InputObject:
		obj := map[string]any{}
		// An input with no required field (UpdateProjectInput...) gets all its
		// plain fields: an empty update might be answered without the write.
		fillAll := !hasRequired(def)
		for _, f := range def.Fields {
			switch {
			case onSlot && len(rest) > 0 && rest[0] == f.Name:
				v, err := b.value(f.Name, f.Type, rest[1:], true, depth+1)
				if err != nil {
					return nil, err
				}
				obj[f.Name] = v
			case required(f.Type, f.DefaultValue) || fillAll && b.isPlain(f.Type):
				v, err := b.value(f.Name, f.Type, nil, false, depth+1)
				if err != nil {
					return nil, err
				}
				obj[f.Name] = v
			}
		}
		return obj, nil
	}
	return nil, fmt.Errorf("%s: cannot build a value of kind %s", name, def.Kind)
}

// scalar returns a valid value of the scalar type for the position name.
// Validated strings (e-mail, URL, region, label keys and values) get a value of their format, so
// validation cannot answer before the tenant check does.
func (b *builder) scalar(name, typ string) (any, error) {
	lower := strings.ToLower(name)
	switch typ {
	case "ID":
		return b.ownID(name), nil
	case "String":
		switch {
		case lower == "confirmname":
			return b.confirmName, nil
		case strings.Contains(lower, "email"):
			return "isolation-" + randomHex() + "@example.com", nil
		case strings.Contains(lower, "url"):
			return "https://example.com/" + randomHex(), nil
		case strings.Contains(lower, "region"):
			return "eu-west-3", nil
		case lower == "key", lower == "value": // a Kubernetes label's or annotation's
			return "isolation-" + randomHex(), nil
		}
		return testkit.Unique("Isolation"), nil
	case "Int":
		return 1, nil
	case "Float":
		return 1.5, nil
	case "Boolean":
		return false, nil
	case "Time":
		return time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339), nil
	case "Map":
		return map[string]any{}, nil
	}
	return nil, fmt.Errorf("%s: no value generator for scalar %s: teach the builder", name, typ)
}

// ownID returns the attacker's ID for the ID position name, or the fallback.
func (b *builder) ownID(name string) string {
	if id, ok := b.own[idType(b.schema, b.field, name)]; ok {
		return id
	}
	b.usedFallback = true
	return b.fallback
}

// selection returns a minimal selection set for t: __typename, and id where
// the type has one (an object of the victim would show it).
func (b *builder) selection(t *ast.Type) (string, error) {
	def := b.schema.Types[t.Name()]
	if def == nil {
		return "", fmt.Errorf("unknown return type %s", t.Name())
	}
	switch def.Kind {
	case ast.Scalar, ast.Enum:
		return "", nil
	case ast.Object, ast.Interface:
		if f := def.Fields.ForName("id"); f != nil && len(f.Arguments) == 0 {
			return " { __typename id }", nil
		}
		return " { __typename }", nil
	case ast.Union:
		return " { __typename }", nil
	}
	return "", fmt.Errorf("cannot select on %s of kind %s", def.Name, def.Kind)
}

// idType tells the GraphQL type an ID position of field holds, or "" when
// the schema does not tell: organizationID → Organization, roleID → Role;
// id → the type the operation is named after (updateProject → Project,
// deleteCustomRole → Role), else the type it returns.
func idType(schema *ast.Schema, field *ast.FieldDefinition, name string) string {
	nodes := nodeTypes(schema)
	lower := strings.ToLower(name)
	if lower != "id" && lower != "ids" {
		base := strings.TrimSuffix(strings.TrimSuffix(lower, "s"), "id")
		for _, n := range nodes {
			if strings.ToLower(n) == base {
				return n
			}
		}
		return ""
	}
	best := ""
	for _, n := range nodes {
		if strings.HasSuffix(strings.ToLower(field.Name), strings.ToLower(n)) && len(n) > len(best) {
			best = n
		}
	}
	if best != "" {
		return best
	}
	for _, n := range nodes {
		if n == field.Type.Name() {
			return n
		}
	}
	return ""
}

// nodeTypes lists the object types that implement Node.
func nodeTypes(schema *ast.Schema) []string {
	var out []string
	if node := schema.Types["Node"]; node != nil {
		for _, d := range schema.GetPossibleTypes(node) {
			out = append(out, d.Name)
		}
	}
	sort.Strings(out)
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
