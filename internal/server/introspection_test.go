package server_test

import (
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/testkit"
)

func production(c *config.Config) { c.Dev, c.Introspection = false, false }

func TestProductionRefusesIntrospectionAndSuggestions(t *testing.T) {
	testkit.RunWith(t, production, func(t *testing.T, e *testkit.Env) {
		anon := e.Anonymous()
		for _, q := range []string{
			`{ __schema { types { name } } }`,
			`{ __type(name: "Organization") { fields { name } } }`,
			`{ ...Q } fragment Q on Query { __schema { queryType { name } } }`,
		} {
			err := anon.Do(t, q, nil).Err(t, "GRAPHQL_VALIDATION_FAILED")
			if !strings.Contains(err.Message, "introspection") {
				t.Errorf("%s: %q does not say introspection is off", q, err.Message)
			}
		}
		anon.Do(t, `{ __typename }`, nil).OK(t, nil)

		err := anon.Do(t, `{ plans { cod } }`, nil).Err(t, "GRAPHQL_VALIDATION_FAILED")
		if strings.Contains(err.Message, "Did you mean") {
			t.Fatalf("production suggests fields: %q", err.Message)
		}
	})
}

func TestDevelopmentAllowsIntrospectionAndSuggestions(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { c.Dev, c.Introspection = true, true }, func(t *testing.T, e *testkit.Env) {
		anon := e.Anonymous()
		var out struct {
			Schema struct{ Types []struct{ Name string } } `json:"__schema"`
		}
		anon.Do(t, `{ __schema { types { name } } }`, nil).OK(t, &out)
		if len(out.Schema.Types) == 0 {
			t.Fatal("no types")
		}
		err := anon.Do(t, `{ plans { cod } }`, nil).Err(t, "GRAPHQL_VALIDATION_FAILED")
		if !strings.Contains(err.Message, "Did you mean") {
			t.Fatalf("development does not suggest: %q", err.Message)
		}
	})
}

// The introspection query GraphiQL sends is deeper than the depth limit;
// the limits leave introspection fields out.
func TestGraphiQLIntrospectionPassesTheLimits(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		e.Anonymous().Do(t, `{ __schema { types { ...T } } }
fragment T on __Type { name fields { name type { ...R } } }
fragment R on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }`, nil).OK(t, nil)
	})
}

// GraphiQL's whole introspection query passes the limits checked before
// validation too.
func TestGraphiQLsWholeIntrospectionQueryIsServed(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		var out struct {
			Schema struct{ Types []struct{ Name string } } `json:"__schema"`
		}
		e.Anonymous().Do(t, `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`, nil).OK(t, &out)
		if len(out.Schema.Types) == 0 {
			t.Fatal("no types")
		}
	})
}
