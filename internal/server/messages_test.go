package server_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/orgql/orgql/graph/generated"
	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/testkit"
)

// schemaNames is every name of the schema a message could give away: types,
// fields, arguments, enum values, input fields, directives and their arguments.
func schemaNames() map[string]bool {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	names := map[string]bool{}
	for _, t := range schema.Types {
		names[t.Name] = true
		for _, f := range t.Fields {
			names[f.Name] = true
			for _, a := range f.Arguments {
				names[a.Name] = true
			}
		}
		for _, v := range t.EnumValues {
			names[v.Name] = true
		}
	}
	for _, d := range schema.Directives {
		names[d.Name] = true
		for _, a := range d.Arguments {
			names[a.Name] = true
		}
	}
	return names
}

var (
	identifier = regexp.MustCompile(`[_A-Za-z][_0-9A-Za-z]*`)
	quotedText = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
)

// messageWords are the words of the messages themselves, some of which are
// also names in the schema ("type", "field", "and"...): outside quotes, the
// test looks for names that are not the message's own words. Quoted names
// and the path are all checked.
var messageWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`Cannot query field on type Unknown argument directive must not have a
selection of subfields Expected value another found integer string true or false floating point an enum is
not valid A required input was provided Exactly one be given here The null defined Field missing Variable
cannot used non nullable to Fragment spread as objects can never Fields conflict because they are different
fields return conflicting types have differing arguments Use aliases the fetch both if this was intentional
and subfields variable has wrong object document bit too many errors more were left out`) {
		messageWords[w] = true
	}
}

// leakedNames are the schema names in r's error messages and paths that the
// caller did not write in written.
func leakedNames(t *testing.T, r *testkit.Response, written string, names map[string]bool) []string {
	t.Helper()
	wrote := map[string]bool{}
	for _, w := range identifier.FindAllString(written, -1) {
		wrote[w] = true
	}
	var leaked []string
	check := func(text string, exempt map[string]bool) {
		for _, w := range identifier.FindAllString(text, -1) {
			if names[w] && !wrote[w] && !exempt[w] {
				leaked = append(leaked, w)
			}
		}
	}
	for _, e := range r.Errors {
		check(quotedText.ReplaceAllString(e.Message, " "), messageWords)
		check(strings.Join(quotedText.FindAllString(e.Message, -1), " "), nil)
		for _, p := range e.Path {
			if s, ok := p.(string); ok {
				check(s, nil)
			}
		}
	}
	return leaked
}

type messageCase struct {
	name  string
	query string
	vars  map[string]any
}

// messageCases hold, each, a mistake whose gqlparser message names a schema
// member the document does not: the parent type of an unknown field, a
// suggested field, argument, type, enum value or input field, a required
// argument or input field not given, the expected type of a value or a
// variable, the types of conflicting fields.
var messageCases = []messageCase{
	{"unknown field", `{ viewer { usr { id } } }`, nil},
	{"unknown field of an interface", `{ node(id: "x") { login } }`, nil},
	{"unknown argument", `{ organization(idd: "x") { name } }`, nil},
	{"unknown argument of a directive", `{ __typename @skip(iff: true) }`, nil},
	{"missing argument", `{ organization { name } }`, nil},
	{"unknown enum value", `mutation { changePlan(organizationID: "x", plan: FRE) { name } }`, nil},
	{"string for an enum", `mutation { changePlan(organizationID: "x", plan: "FREE") { name } }`, nil},
	{"enum for an ID", `{ organization(id: FREE) { name } }`, nil},
	{"number for a string", `{ invitation(token: 1) { email } }`, nil},
	{"string for a boolean", `{ __typename @skip(if: "yes") }`, nil},
	{"float for an integer", `{ viewer { organizations(first: 1.5) { totalCount } } }`, nil},
	{"null for a non-null", `{ organization(id: null) { name } }`, nil},
	{"unknown input field", `mutation { createOrganization(input: {nam: "x"}) { id } }`, nil},
	{"missing input field", `mutation { createOrganization(input: {description: "x"}) { id } }`, nil},
	{"selection on a scalar", `{ plans { code { x } } }`, nil},
	{"no selection on an object", `{ viewer }`, nil},
	{"variable in the wrong place", `query($t: Int) { invitation(token: $t) { email } }`, map[string]any{"t": 1}},
	{"conflicting types", `{ node(id: "x") { ... on User { f: login } ... on Organization { f: createdAt } } }`, nil},
	{"impossible inline fragment", `{ viewer { ... on Plan { code } } }`, nil},
	{"impossible fragment", `{ viewer { ...P } } fragment P on Plan { code }`, nil},
	{"unknown type condition", `{ ...F } fragment F on Quer { __typename }`, nil},
	{"variable value for an enum", `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`,
		map[string]any{"i": map[string]any{"name": "x", "plan": "FRE"}}},
	{"variable value of the wrong type", `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`,
		map[string]any{"i": map[string]any{"name": true}}},
	{"variable value not an object", `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`,
		map[string]any{"i": map[string]any{"name": "x", "firstProject": "p"}}},
	{"variable value without a required field", `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }`,
		map[string]any{"i": map[string]any{"description": "x"}}},
}

func written(c messageCase) string {
	b, _ := json.Marshal(c.vars)
	return c.query + " " + string(b)
}

// Without introspection, no validation message names a schema member the
// caller did not write; each case's message does in development, so each
// case tests a message that can.
func TestProductionMessagesNameOnlyWhatTheCallerWrote(t *testing.T) {
	names := schemaNames()
	testkit.RunWith(t, production, func(t *testing.T, e *testkit.Env) {
		anon := e.Anonymous()
		for _, c := range messageCases {
			r := anon.Do(t, c.query, c.vars)
			if len(r.Errors) == 0 || r.Errors[0].Code() != "GRAPHQL_VALIDATION_FAILED" {
				t.Errorf("%s: want a validation error, got HTTP %d: %s", c.name, r.Status, r.Body)
				continue
			}
			if leaked := leakedNames(t, r, written(c), names); len(leaked) > 0 {
				t.Errorf("%s: the answer names %v, which the caller did not write: %s", c.name, leaked, r.Body)
			}
			if strings.Contains(string(r.Body), "Did you mean") {
				t.Errorf("%s: production suggests: %s", c.name, r.Body)
			}
		}
	})
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		anon := e.Anonymous()
		for _, c := range messageCases {
			if r := anon.Do(t, c.query, c.vars); len(leakedNames(t, r, written(c), names)) == 0 {
				t.Errorf("%s: development names nothing the caller did not write, so this case tests nothing: %s", c.name, r.Body)
			}
		}
	})
}

// Production messages stay useful: they name what the caller wrote.
func TestProductionMessagesNameTheCallersMistake(t *testing.T) {
	testkit.RunWith(t, production, func(t *testing.T, e *testkit.Env) {
		anon := e.Anonymous()
		for query, want := range map[string]string{
			`{ viewer { usr { id } } }`:                                        `Cannot query field "usr".`,
			`{ organization(idd: "x") { name } }`:                              `Unknown argument "idd" on field "organization".`,
			`{ organization { name } }`:                                        `Field "organization" is missing a required argument.`,
			`mutation { changePlan(organizationID: "x", plan: FRE) { name } }`: `Value "FRE" is not a valid enum value.`,
			`mutation { createOrganization(input: {nam: "x"}) { id } }`:        `Unknown input field "nam".`,
			`{ invitation(token: 1) { email } }`:                               `Expected a string, found 1.`,
		} {
			r := anon.Do(t, query, nil)
			found := false
			for _, err := range r.Errors {
				found = found || err.Message == want
			}
			if !found {
				t.Errorf("%s: no error %q in %s", query, want, r.Body)
			}
		}
	})
}

// Development keeps gqlparser's messages and suggestions.
func TestDevelopmentSuggests(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { c.Dev, c.Introspection = true, true }, func(t *testing.T, e *testkit.Env) {
		anon := e.Anonymous()
		for query, want := range map[string]string{
			`{ organization(idd: "x") { name } }`:                              `Did you mean "id"?`,
			`mutation { changePlan(organizationID: "x", plan: FRE) { name } }`: `Did you mean the enum value "FREE"?`,
			`mutation { createOrganization(input: {nam: "x"}) { id } }`:        `Did you mean "name"?`,
			`{ viewer { usr { id } } }`:                                        `Cannot query field "usr" on type "Viewer". Did you mean "user"?`,
		} {
			r := anon.Do(t, query, nil)
			found := false
			for _, err := range r.Errors {
				found = found || strings.Contains(err.Message, want)
			}
			if !found {
				t.Errorf("%s: %q not in %s", query, want, r.Body)
			}
		}
	})
}
