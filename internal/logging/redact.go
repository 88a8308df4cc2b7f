// Package logging writes orgql's structured logs (log/slog): one line per
// request, and internal errors with their whole chain, both keyed by the
// request id the client saw. Variables and headers are redacted by name and
// by the schema's secret marks before they reach a line (docs/security.md S14).
package logging

import (
	"net/http"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Redacted replaces a value that must not be logged.
const Redacted = "[REDACTED]"

// maxString is the longest string value a log line keeps.
const maxString = 200

// sensitiveWords are the parts of a name that make its value a secret,
// whatever the schema says.
var sensitiveWords = []string{"password", "passwd", "secret", "token", "authorization", "cookie", "apikey", "api_key", "private_key", "privatekey"}

// tokenPrefixes start orgql's own tokens (docs/security.md S10): a value
// that looks like one is redacted wherever it is.
var tokenPrefixes = []string{"oqs_", "oqt_", "oqi_"}

// SensitiveName reports whether a value named name is redacted by its name alone.
func SensitiveName(name string) bool {
	l := strings.ToLower(name)
	for _, w := range sensitiveWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// Redactor redacts an operation's variables: by name; by the input fields
// marked secret (marked: input field names, such as the settings
// containerRegistryKinds lists as secret); by the input fields of ent fields
// marked Sensitive(); and wherever the document passes a variable to an
// argument or input field that is sensitive.
type Redactor struct {
	schema   *ast.Schema
	marked   map[string]bool
	markedIn map[string]bool // "InputType.field"
}

// SensitiveField is an ent field marked Sensitive(): its ent type and its
// GraphQL name (ent.Fields). The input fields of the types named after the
// ent type (CreateProjectInput, ProjectWhereInput) that carry it, or filter
// on it (descriptionContains), are redacted.
type SensitiveField struct{ Type, Field string }

// NewRedactor redacts against schema, with marked input field names and
// sensitive ent fields.
func NewRedactor(schema *ast.Schema, marked []string, fields []SensitiveField) *Redactor {
	r := &Redactor{schema: schema, marked: map[string]bool{}, markedIn: map[string]bool{}}
	for _, m := range marked {
		r.marked[m] = true
	}
	if schema == nil {
		return r
	}
	for _, def := range schema.Types {
		if def.Kind != ast.InputObject {
			continue
		}
		for _, sf := range fields {
			if !strings.Contains(def.Name, sf.Type) {
				continue
			}
			for _, f := range def.Fields {
				rest, ok := strings.CutPrefix(f.Name, sf.Field)
				if ok && (rest == "" || rest[0] >= 'A' && rest[0] <= 'Z') {
					r.markedIn[def.Name+"."+f.Name] = true
				}
			}
		}
	}
	return r
}

func (r *Redactor) sensitive(name string) bool { return r.marked[name] || SensitiveName(name) }

// sensitiveIn reports whether field of the input type typ (may be "") is sensitive.
func (r *Redactor) sensitiveIn(typ, field string) bool {
	return r.sensitive(field) || r.markedIn[typ+"."+field]
}

// Variables returns vars with every sensitive value replaced; doc and op may
// be nil (a document that did not parse): then names alone decide.
func (r *Redactor) Variables(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) map[string]any {
	if len(vars) == 0 {
		return nil
	}
	atSensitive := map[string]bool{}
	types := map[string]*ast.Type{}
	if op != nil {
		for _, v := range op.VariableDefinitions {
			types[v.Variable] = v.Type
		}
		w := usageWalker{r: r, doc: doc, out: atSensitive, seen: map[string]bool{}}
		w.selections(op.SelectionSet)
	}
	out := make(map[string]any, len(vars))
	for name, v := range vars {
		if r.sensitive(name) || atSensitive[name] {
			out[name] = Redacted
			continue
		}
		out[name] = r.value(v, types[name])
	}
	return out
}

// value redacts v, of type typ when known.
func (r *Redactor) value(v any, typ *ast.Type) any {
	switch x := v.(type) {
	case map[string]any:
		var def *ast.Definition
		if typ != nil && r.schema != nil {
			def = r.schema.Types[typ.Name()]
		}
		typeName := ""
		if def != nil {
			typeName = def.Name
		}
		out := make(map[string]any, len(x))
		for k, fv := range x {
			if r.sensitiveIn(typeName, k) {
				out[k] = Redacted
				continue
			}
			var ft *ast.Type
			if def != nil {
				if f := def.Fields.ForName(k); f != nil {
					ft = f.Type
				}
			}
			out[k] = r.value(fv, ft)
		}
		return out
	case []any:
		var elem *ast.Type
		if typ != nil {
			elem = typ.Elem
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = r.value(e, elem)
		}
		return out
	case string:
		return redactString(x)
	}
	return v
}

func redactString(s string) any {
	for _, p := range tokenPrefixes {
		if strings.Contains(s, p) {
			return Redacted
		}
	}
	if len(s) > maxString {
		return s[:maxString] + "..."
	}
	return s
}

// usageWalker finds the variables a document passes to sensitive arguments
// and input fields (createGitToken(input: {token: $t}) makes $t sensitive).
type usageWalker struct {
	r    *Redactor
	doc  *ast.QueryDocument
	out  map[string]bool
	seen map[string]bool
}

func (w *usageWalker) selections(set ast.SelectionSet) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			for _, a := range s.Arguments {
				w.value("", a.Name, a.Value)
			}
			w.selections(s.SelectionSet)
		case *ast.InlineFragment:
			w.selections(s.SelectionSet)
		case *ast.FragmentSpread:
			if w.doc != nil && !w.seen[s.Name] {
				w.seen[s.Name] = true
				if def := w.doc.Fragments.ForName(s.Name); def != nil {
					w.selections(def.SelectionSet)
				}
			}
		}
	}
}

// value walks v, passed to the field name of the input type parent ("" for an argument).
func (w *usageWalker) value(parent, name string, v *ast.Value) {
	if v == nil {
		return
	}
	switch v.Kind {
	case ast.Variable:
		if w.r.sensitiveIn(parent, name) {
			w.out[v.Raw] = true
		}
	case ast.ObjectValue:
		typ := ""
		if v.Definition != nil {
			typ = v.Definition.Name
		}
		for _, c := range v.Children {
			w.value(typ, c.Name, c.Value)
		}
	case ast.ListValue: // an item is passed where the list is
		for _, c := range v.Children {
			w.value(parent, name, c.Value)
		}
	}
}

// Headers returns the headers worth logging, redacting sensitive ones by name.
func Headers(h http.Header) map[string]string {
	out := map[string]string{}
	for name, values := range h {
		v := strings.Join(values, ", ")
		if SensitiveName(name) || strings.EqualFold(name, "Proxy-Authorization") || strings.EqualFold(name, "X-Api-Key") {
			v = Redacted
		} else if s, ok := redactString(v).(string); ok {
			v = s
		} else {
			v = Redacted
		}
		out[strings.ToLower(name)] = v
	}
	return out
}
