package generated

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// field is one field of an object and its value, built by value with the
// object writer under test.
type field struct {
	name  string
	value func(object func(...field) graphql.Marshaler) graphql.Marshaler
}

func leaf(m graphql.Marshaler) func(func(...field) graphql.Marshaler) graphql.Marshaler {
	return func(func(...field) graphql.Marshaler) graphql.Marshaler { return m }
}

// objectValue writes what gqlgen's FieldSet writes, for every kind of value
// a field holds: scalars, strings to escape, null, lists, nested objects, no
// fields at all, a response name twice.
func TestObjectValueWritesWhatFieldSetWrites(t *testing.T) {
	fieldSet := func(withObjectValue bool) func(...field) graphql.Marshaler {
		var object func(...field) graphql.Marshaler
		object = func(fs ...field) graphql.Marshaler {
			collected := make([]graphql.CollectedField, len(fs))
			for i, f := range fs {
				collected[i] = graphql.CollectedField{Field: &ast.Field{Alias: f.name, Name: f.name}}
			}
			out := graphql.NewFieldSet(collected)
			for i, f := range fs {
				out.Values[i] = f.value(object)
			}
			if withObjectValue {
				return objectValue(out, collected, graphql.DeferredGroup{})
			}
			return out
		}
		return object
	}
	user := func(object func(...field) graphql.Marshaler) graphql.Marshaler {
		return object(field{"login", leaf(graphql.MarshalString("a \"quoted\" \\ name\n<&>"))}, field{"n", leaf(graphql.MarshalInt(3))})
	}
	for _, fields := range [][]field{
		nil,
		{{"__typename", leaf(graphql.MarshalString("Organization"))}},
		{{"id", leaf(graphql.MarshalID("org_1"))}, {"description", leaf(graphql.Null)}, {"ok", leaf(graphql.MarshalBoolean(true))}},
		// one response name twice (selected through two interfaces): written once
		{{"id", leaf(graphql.MarshalID("a"))}, {"name", leaf(graphql.MarshalString("n"))}, {"id", leaf(graphql.MarshalID("b"))}},
		{{"a", leaf(graphql.MarshalFloat(1.5))}, {"user", user}, {"list", func(object func(...field) graphql.Marshaler) graphql.Marshaler {
			return graphql.Array{graphql.MarshalString("x"), graphql.Null, user(object), object()}
		}}},
	} {
		var want, got bytes.Buffer
		fieldSet(false)(fields...).MarshalGQL(&want)
		fieldSet(true)(fields...).MarshalGQL(&got)
		if got.String() != want.String() {
			t.Errorf("wrote %s, gqlgen writes %s", got.String(), want.String())
		}
		if !json.Valid(got.Bytes()) {
			t.Errorf("%s is not JSON", got.String())
		}
	}
}
