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
// Its fields come from graphql.CollectFields, which merges the fields of one
// response name into one, so no name repeats. An object with deferred fields
// keeps gqlgen's field set, which its deferred payloads read.
func objectValue(out *graphql.FieldSet, fields []graphql.CollectedField, deferred graphql.DeferredGroup) graphql.Marshaler {
	if len(deferred.Defers) > 0 {
		return out
	}
	return &object{fields: fields, values: out.Values}
}

type object struct {
	fields []graphql.CollectedField
	values []graphql.Marshaler
}

// MarshalGQL writes the object. A response name is a GraphQL name
// ([_A-Za-z][_0-9A-Za-z]*), which JSON takes as it is.
func (o *object) MarshalGQL(w io.Writer) {
	io.WriteString(w, "{")
	for i := range o.fields {
		if i > 0 {
			io.WriteString(w, `,"`)
		} else {
			io.WriteString(w, `"`)
		}
		io.WriteString(w, o.fields[i].Alias)
		io.WriteString(w, `":`)
		if v := o.values[i]; v != nil {
			v.MarshalGQL(w)
		} else {
			io.WriteString(w, "null")
		}
	}
	io.WriteString(w, "}")
}
