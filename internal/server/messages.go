package server

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// What a client reads of a parse or validation error. Without introspection
// no message may name a schema member (type, field, argument, enum value,
// input field) the caller did not write: gqlparser's messages name the parent
// type of an unknown field, the required argument not given, the expected
// type of a value and so on, and suggest names. And a message quotes at most
// a few dozen characters of the document, so a long name cannot make a long
// answer.

const (
	maxQuoted  = 64  // characters kept of a quoted name or value
	maxMessage = 400 // bytes kept of a message
)

// rulesWithoutSuggestions is gqlparser's rule set with the variants that
// suggest nothing (gqlgen swaps only two of them): suggesting costs an edit
// distance to every candidate name, and names schema members.
func rulesWithoutSuggestions() *rules.Rules {
	r := rules.NewDefaultRules()
	for _, rule := range []struct {
		name    string
		without core.Rule
	}{
		{"FieldsOnCorrectType", rules.FieldsOnCorrectTypeRuleWithoutSuggestions},
		{"KnownArgumentNames", rules.KnownArgumentNamesRuleWithoutSuggestions},
		{"KnownTypeNames", rules.KnownTypeNamesRuleWithoutSuggestions},
		{"ScalarLeafs", rules.ScalarLeafsRuleWithoutSuggestions},
		{"ValuesOfCorrectType", rules.ValuesOfCorrectTypeRuleWithoutSuggestions},
	} {
		r.RemoveRule(rule.name)
		r.AddRule(rule.without.Name, rule.without.RuleFunc)
	}
	return r
}

// forClient is err as the client gets it; hideSchema removes schema names.
func forClient(err *gqlerror.Error, hideSchema bool) *gqlerror.Error {
	out := *err
	// Quoted parts are cut first, then the message, so the rewrites below
	// match a short message whatever the document.
	out.Message = cut(shortenQuoted(err.Message), 4*maxMessage)
	switch {
	case err.Rule == "" && len(err.Path) > 0 && err.Path[0] == ast.PathName("variable"):
		out.Message, out.Path = variableMessage(err.Message, err.Path, hideSchema)
	case hideSchema:
		out.Message, out.Path = withoutSchemaNames(err.Rule, out.Message, err.Path)
	}
	out.Message = cut(out.Message, maxMessage)
	if len(out.Path) > 0 {
		out.Path = append(ast.Path(nil), out.Path...)
		for i, p := range out.Path {
			if name, ok := p.(ast.PathName); ok {
				out.Path[i] = ast.PathName(shortenName(string(name)))
			}
		}
	}
	return &out
}

type rewrite struct {
	re *regexp.Regexp
	to string
}

func rw(re, to string) rewrite { return rewrite{regexp.MustCompile(`(?s)` + re), to} }

// Rules whose messages name only what the caller wrote: a fragment, variable,
// operation, directive or type condition of the document.
var callerNamesOnly = map[string]bool{
	"FragmentsOnCompositeTypes": true, "KnownDirectives": true, "KnownFragmentNames": true,
	"KnownRootType": true, "LoneAnonymousOperation": true, "MaxIntrospectionDepth": true,
	"NoFragmentCycles": true, "NoUndefinedVariables": true, "NoUnusedFragments": true,
	"NoUnusedVariables": true, "SingleFieldSubscriptions": true, "UniqueArgumentNames": true,
	"UniqueDirectivesPerLocation": true, "UniqueFragmentNames": true, "UniqueInputFieldNames": true,
	"UniqueOperationNames": true, "UniqueVariableNames": true, "VariablesAreInputTypes": true,
}

// Messages of the other rules (gqlparser v2.5.64's wording), each rewritten
// to what the caller wrote; a message matching none becomes fallbackMessage.
var schemaFreeMessages = func() map[string][]rewrite {
	fields := []rewrite{rw(`^Cannot query field "([^"]*)" on type "[^"]*"\..*$`, `Cannot query field "$1".`)}
	arguments := []rewrite{
		rw(`^Unknown argument "([^"]*)" on field "[^".]*\.([^"]*)"\..*$`, `Unknown argument "$1" on field "$2".`),
		rw(`^Unknown argument "([^"]*)" on directive "@([^"]*)"\..*$`, `Unknown argument "$1" on directive "@$2".`),
	}
	types := []rewrite{rw(`^Unknown type "([^"]*)"\..*$`, `Unknown type "$1".`)}
	leafs := []rewrite{
		rw(`^Field "([^"]*)" must not have a selection since type "[^"]*" has no subfields\.$`, `Field "$1" must not have a selection.`),
		rw(`^Field "([^"]*)" of type "[^"]*" must have a selection of subfields\..*$`, `Field "$1" must have a selection of subfields.`),
	}
	values := []rewrite{
		rw(`^Expected value of type "[^"]*", found (.*)\.$`, `Expected a value of another type, found $1.`),
		rw(`^Int cannot represent non 32-bit signed integer value: (.*)$`, `Expected a 32-bit integer, found $1.`),
		rw(`^Int cannot represent non-integer value: (.*)$`, `Expected an integer, found $1.`),
		rw(`^String cannot represent a non string value: (.*)$`, `Expected a string, found $1.`),
		rw(`^Boolean cannot represent a non boolean value: (.*)$`, `Expected true or false, found $1.`),
		rw(`^Float cannot represent non numeric value: (.*)$`, `Expected a floating-point value, found $1.`),
		rw(`^ID cannot represent a non-string and non-integer value: (.*)$`, `Expected a string or an integer, found $1.`),
		rw(`^Enum "[^"]*" cannot represent non-enum value: (.*)\.$`, `Expected an enum value, found $1.`),
		rw(`^Value "(.*)" does not exist in "[^"]*" enum\.$`, `Value "$1" is not a valid enum value.`),
		rw(`^Field "[^"]*" of required type "[^"]*" was not provided\.$`, `A required input field was not provided.`),
		rw(`^OneOf Input Object "[^"]*" must specify exactly one key\.$`, `Exactly one input field must be given here.`),
		rw(`^Field "[^"]*" must be non-null\.$`, `The input field given here must not be null.`),
		rw(`^Field "([^"]*)" is not defined by type "[^"]*"\..*$`, `Unknown input field "$1".`),
	}
	return map[string][]rewrite{
		"FieldsOnCorrectType": fields, "FieldsOnCorrectTypeWithoutSuggestions": fields,
		"KnownArgumentNames": arguments, "KnownArgumentNamesWithoutSuggestions": arguments,
		"KnownTypeNames": types, "KnownTypeNamesWithoutSuggestions": types,
		"ScalarLeafs": leafs, "ScalarLeafsWithoutSuggestions": leafs,
		"ValuesOfCorrectType": values, "ValuesOfCorrectTypeWithoutSuggestions": values,
		"ProvidedRequiredArguments": {
			rw(`^Field "([^"]*)" argument "[^"]*" of type "[^"]*" is required, but it was not provided\.$`, `Field "$1" is missing a required argument.`),
			rw(`^Directive "@([^"]*)" argument "[^"]*" of type "[^"]*" is required, but it was not provided\.$`, `Directive "@$1" is missing a required argument.`),
		},
		"VariablesInAllowedPosition": {
			rw(`^Variable "(\$[^"]*)" of type "([^"]*)" used in position expecting type "[^"]*"\.$`, `Variable "$1" of type "$2" cannot be used here.`),
			rw(`^Variable "(\$[^"]*)" is of type "([^"]*)" but must be non-nullable to be used for OneOf Input Object "[^"]*"\.$`, `Variable "$1" of type "$2" must be non-nullable to be used here.`),
		},
		"PossibleFragmentSpreads": {
			rw(`^Fragment cannot be spread here as objects of type "[^"]*" can never be of type "([^"]*)"\.$`, `Fragment cannot be spread here as objects here can never be of type "$1".`),
			rw(`^Fragment "([^"]*)" cannot be spread here as objects of type "[^"]*" can never be of type "([^"]*)"\.$`, `Fragment "$1" cannot be spread here as objects here can never be of type "$2".`),
		},
	}
}()

// conflictingTypes is the part of an OverlappingFieldsCanBeMerged message
// naming types; the rest names the caller's fields and aliases.
var conflictingTypes = regexp.MustCompile(`they return conflicting types "[^"]*" and "[^"]*"`)

// variableMessage is the message of an error of gqlparser's coercion of
// variables (validator.VariableValues), whose messages quote the variable's
// value, which never goes back to the client, and name the expected type.
// The path names the document's variable and then input fields, or the
// caller's own key when it is unknown.
func variableMessage(msg string, path ast.Path, hideSchema bool) (string, ast.Path) {
	expected := func(typ string) string {
		if hideSchema || !isName(typ) {
			return "has the wrong type"
		}
		return "is not a valid " + typ
	}
	switch i := strings.LastIndex(msg, " is not a valid "); {
	case i >= 0: // "<value> is not a valid <enum>"
		if hideSchema {
			return "is not a valid enum value", path
		}
		return expected(msg[i+len(" is not a valid "):]), path
	case strings.HasPrefix(msg, "cannot use value "): // "cannot use value <n> as <scalar>"
		return expected(msg[strings.LastIndex(msg, " as ")+len(" as "):]), path
	case strings.HasPrefix(msg, "cannot use ") && hideSchema: // "cannot use <kind> as <scalar>"
		return "has the wrong type", path
	case strings.HasPrefix(msg, "must be a ") && hideSchema: // "must be a <input>, not a <kind>"
		return "must be an object", path
	case msg == "unknown field" && len(path) > 2:
		// The last name is the caller's key, which never goes back either.
		return "has an unknown field", path[:len(path)-1]
	case msg == "must be defined" && len(path) > 2 && hideSchema:
		// The last name is the required input field not given.
		return "is missing a required field", path[:len(path)-1]
	}
	return msg, path
}

var name = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]*$`)

func isName(s string) bool { return len(s) <= maxQuoted && name.MatchString(s) }

const fallbackMessage = "The document is not valid here."

func withoutSchemaNames(rule, msg string, path ast.Path) (string, ast.Path) {
	switch {
	case rule == "" || callerNamesOnly[rule]:
		return msg, path // not validation's, or safe
	case rule == "OverlappingFieldsCanBeMerged":
		return conflictingTypes.ReplaceAllString(msg, "they return conflicting types"), path
	}
	for _, r := range schemaFreeMessages[rule] {
		if r.re.MatchString(msg) {
			return r.re.ReplaceAllString(msg, r.to), path
		}
	}
	return fallbackMessage, path
}

// shortenQuoted cuts every double-quoted part of msg (with backslash
// escapes) to maxQuoted characters.
func shortenQuoted(msg string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(msg, '"')
		if open < 0 {
			b.WriteString(msg)
			return b.String()
		}
		end := open + 1
		for end < len(msg) && msg[end] != '"' {
			if msg[end] == '\\' {
				end++
			}
			end++
		}
		end = min(end, len(msg))
		b.WriteString(msg[:open+1])
		b.WriteString(shortenName(msg[open+1 : end]))
		if end == len(msg) {
			return b.String()
		}
		b.WriteByte('"')
		msg = msg[end+1:]
	}
}

// shortenName cuts s to maxQuoted characters, never in the middle of a
// backslash escape.
func shortenName(s string) string {
	end := 0
	for n := 0; n < maxQuoted && end < len(s); n++ {
		_, size := utf8.DecodeRuneInString(s[end:])
		end += size
	}
	if end == len(s) {
		return s
	}
	kept := s[:end]
	if trailing := len(kept) - len(strings.TrimRight(kept, `\`)); trailing%2 == 1 {
		kept = kept[:len(kept)-1]
	}
	return kept + "…"
}

// cut keeps at most n bytes of s, on a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
