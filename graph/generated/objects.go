package generated

import (
	"io"

	"github.com/99designs/gqlgen/graphql"
)

// objectValue is what graph/gqlgen.go puts where gqlgen's generated code
// returns an object's field set: the same JSON object, written by object.
// gqlgen's FieldSet.MarshalGQL allocates a map of the names it wrote, an
// iterator and a copy of each field for every object of every answer; a
// tenth of the big list's allocations (docs/architecture.md "A request").
// A response name written once is skipped after, as gqlgen does (its field
// collection can leave one name twice, selected through two interfaces);
// that check looks back over the names written, so an object of more fields
// than maxObjectFields keeps gqlgen's field set, as does an object with
// deferred fields, whose deferred payloads read it.
func objectValue(out *graphql.FieldSet, fields []graphql.CollectedField, deferred graphql.DeferredGroup) graphql.Marshaler {
	if len(deferred.Defers) > 0 || len(fields) > maxObjectFields {
		return out
	}
	return &object{fields: fields, values: out.Values}
}

// maxObjectFields bounds objectValue's look back: 32 fields, at most 496
// comparisons of names.
const maxObjectFields = 32

type object struct {
	fields []graphql.CollectedField
	values []graphql.Marshaler
}

// MarshalGQL writes the object. A response name is a GraphQL name
// ([_A-Za-z][_0-9A-Za-z]*), which JSON takes as it is.
func (o *object) MarshalGQL(w io.Writer) {
	io.WriteString(w, "{")
	for i := range o.fields {
		name := o.fields[i].Alias
		if written(o.fields[:i], name) {
			continue
		}
		if i > 0 {
			io.WriteString(w, `,"`)
		} else {
			io.WriteString(w, `"`)
		}
		io.WriteString(w, name)
		io.WriteString(w, `":`)
		if v := o.values[i]; v != nil {
			v.MarshalGQL(w)
		} else {
			io.WriteString(w, "null")
		}
	}
	io.WriteString(w, "}")
}

// written reports whether one of fields has the response name name.
func written(fields []graphql.CollectedField, name string) bool {
	for i := range fields {
		if fields[i].Alias == name {
			return true
		}
	}
	return false
}
