// Package validation benchmarks what orgql's GraphQL endpoint spends on
// hostile documents under the parser's token limit: parsing, the limits run
// before validation, validation itself and the answer.
package validation

import (
	"fmt"
	"strings"
)

// Document is one benchmark document.
type Document struct {
	Name  string
	Query string
	// Variables are sent with Query, when set.
	Variables map[string]any
}

// repeat joins n copies of s, each with %d replaced by its index.
func repeat(s string, n int, sep string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = strings.ReplaceAll(s, "%d", fmt.Sprint(i))
	}
	return strings.Join(parts, sep)
}

// tree is a binary tree of depth levels along the schema cycle
// Organization.members.edges.node.organization: every field is selected twice.
func tree(depth int) string {
	cycle := []string{"members", "edges", "node", "organization"}
	var sel func(level int) string
	sel = func(level int) string {
		name := cycle[level%len(cycle)]
		if level == depth {
			return "id"
		}
		inner := sel(level + 1)
		return name + " { " + inner + " } " + name + " { " + inner + " }"
	}
	return "{ viewer { currentOrganization { " + sel(0) + " } } }"
}

// Documents are the worst documents found under the 15,000-token limit, one
// per shape: repeated identical fields, many distinct fields, aliases,
// fragments spread many times and nested, root fields, directives,
// variables, arguments and errors of every kind.
func Documents() []Document {
	return []Document{
		{"RepeatedField", "{ viewer { user { " + strings.Repeat("id ", 7000) + "} } }", nil},
		{"RepeatedRootTypename", "{ " + strings.Repeat("__typename ", 14000) + "}", nil},
		{"RepeatedRootField", "{ " + strings.Repeat("plans { code } ", 3700) + "}", nil},
		{"DistinctAliases", "{ viewer { " + repeat("a%d: __typename", 4900, " ") + " } }", nil},
		{"SameAlias", "{ viewer { user { " + strings.Repeat("a: id ", 4900) + "} } }", nil},
		{"ConflictingAliases", "{ viewer { user { " + strings.Repeat("a: id a: login ", 2400) + "} } }", nil},
		{"FragmentSpreadRepeated", "{ viewer { " + strings.Repeat("...F ", 7000) + "} } fragment F on Viewer { user { id } }", nil},
		{"DistinctFragmentsSpread", "{ viewer { " + repeat("...F%d", 1500, " ") + " } } " + repeat("fragment F%d on Viewer { __typename }", 1500, " "), nil},
		{"DistinctAliasedFragments", "{ viewer { " + repeat("...F%d", 1250, " ") + " } } " + repeat("fragment F%d on Viewer { a%d: __typename }", 1250, " "), nil},
		{"FragmentChain", "{ viewer { ...F0 } } " + chain(1870), nil},
		{"SelfSpreadingFragments", "{ viewer { ...F0 } } " + repeat("fragment F%d on Viewer { __typename ...F%d }", 1650, " "), nil},
		{"FragmentDoubling", "{ viewer { ...F0 } } " + doubling(40), nil},
		{"NestedDuplicateTree", tree(11), nil},
		{"InlineFragmentsRepeated", "{ viewer { " + strings.Repeat("... on Viewer { user { id } } ", 1600) + "} }", nil},
		{"UnknownDirectives", "{ __typename " + repeat("@d%d", 7000, " ") + " }", nil},
		{"RepeatedDirective", "{ __typename " + strings.Repeat("@skip(if: false) ", 2100) + "}", nil},
		{"UnknownFields", "{ viewer { " + repeat("f%d", 14000, " ") + " } }", nil},
		{"UnknownArguments", "{ plans(" + repeat("a%d: 1", 4900, " ") + ") { code } }", nil},
		{"ManyArgumentsTwice", "{ " + strings.Repeat("plans("+repeat("a%d: 1", 2400, " ")+") { code } ", 2) + "}", nil},
		{"ManyVariables", "query(" + repeat("$v%d: Boolean", 1200, " ") + ") { __typename " + repeat("@include(if: $v%d)", 1250, " ") + " }", nil},
		{"LongList", `{ nodes(ids: [` + strings.Repeat(`"x" `, 14000) + `]) { id } }`, nil},
		{"LongName", "{ " + strings.Repeat("x", 900000) + " }", nil},
		{"ManyOperations", repeat("query Q%d { __typename }", 2990, " "), nil},
		{"MergedFieldsAtTheLimits", mergedAtTheLimits(), nil},
		{"IntrospectionQuery", introspectionQuery, nil},
		{"ValidConsoleQuery", consoleQuery, nil},
	}
}

// organization selects every field of an Organization, and through its
// members the members' organizations, levels deep.
func organization(levels int) string {
	limits := "" // the innermost level is as deep as the depth limit allows
	if levels > 0 {
		limits = "limits { members projects clusters auditLogRetentionDays }"
	}
	s := `id name description websiteURL adminContactEmails logoURL createdAt updatedAt viewerCapabilities
owner { id login name email avatarURL createdAt updatedAt provider }
plan { code name currency pricePerMonthCents ` + limits + ` }
usage { members projects clusters } viewerRole { id name description builtIn } roles { id name description builtIn }`
	if levels > 0 {
		s += ` members(first: 2) { totalCount edges { cursor node { id createdAt lastActivityAt user { id login name } role { id name }
organization { ` + organization(levels-1) + ` } } } }`
	}
	return s
}

// mergedAtTheLimits is the worst document the default limits let through to
// validation: 20 copies of a selection of 96 fields, so that every one of
// them merges 20 times (max-merged-fields 20) and the document has 1,922
// selections (max-selections 2,000).
func mergedAtTheLimits() string {
	return "{ viewer { " + strings.Repeat("currentOrganization { "+organization(1)+" } ", 20) + "} }"
}

// chain is fragments F0..Fn on Viewer, each spreading the next.
func chain(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "fragment F%d on Viewer { ...F%d } ", i, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Viewer { __typename }", n)
	return b.String()
}

// doubling is fragments F0..Fn-1, each spreading the next twice.
func doubling(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "fragment F%d on Viewer { ...F%d ...F%d } ", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Viewer { __typename }", n)
	return b.String()
}

// consoleQuery is what a console page asks for: the baseline.
const consoleQuery = `query Console {
  viewer {
    user { id login name email avatarURL }
    currentOrganization { ...Org }
    organizations(first: 20) { totalCount edges { cursor node { ...Org } } pageInfo { hasNextPage endCursor } }
  }
  plans { code name pricePerMonthCents currency limits { members projects clusters auditLogRetentionDays } }
}
fragment Org on Organization {
  id name description websiteURL adminContactEmails logoURL createdAt updatedAt
  plan { code name }
  owner { id login name }
  viewerRole { id name builtIn }
  viewerCapabilities
  usage { members projects clusters }
  members(first: 10) { totalCount edges { node { id createdAt lastActivityAt user { id login name avatarURL } role { id name } } } }
  roles { id name description builtIn }
}`

// introspectionQuery is GraphiQL's.
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
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
}`
