package id

import (
	"strings"
	"testing"

	"github.com/oklog/ulid/v2"
)

func TestNewIDsHaveTheirPrefix(t *testing.T) {
	for _, p := range []string{User, Organization, AnnotationsGroup} {
		s := New(p)
		if Prefix(s) != p {
			t.Fatalf("Prefix(%q) = %q, want %q", s, Prefix(s), p)
		}
	}
}

// Only the form New makes is an ID: the ULID parser's other spellings of
// the same 128 bits (upper or mixed case, an overflowing first character
// that wraps around) would give one object several IDs.
func TestPrefixRefusesEveryOtherSpelling(t *testing.T) {
	good := New(Organization)
	rest := good[len("org_"):]
	for name, s := range map[string]string{
		"upper case":               "org_" + strings.ToUpper(rest),
		"one upper-case character": "org_" + rest[:25] + "Z", // a letter: a digit has no upper case
		"overflowing first char":   "org_8" + rest[1:],
		"first char z":             "org_z" + rest[1:],
		"letter outside Crockford": "org_" + rest[:25] + "u",
		"i for 1":                  "org_" + rest[:25] + "i",
		"o for 0":                  "org_o" + rest[1:],
		"upper-case prefix":        "ORG_" + rest,
		"digit in prefix":          "or9_" + rest,
		"empty prefix":             "_" + rest,
		"long prefix":              "abcdefghi_" + rest,
		"no underscore":            "org" + rest,
		"short":                    "org_" + rest[1:],
		"long":                     "org_" + rest + "0",
		"two underscores":          "org__" + rest[1:],
		"multi-byte":               "org_" + rest[:24] + "é",
	} {
		if p := Prefix(s); p != "" {
			t.Errorf("%s: Prefix(%q) = %q, want no ID", name, s, p)
		}
	}
}

// Whatever Prefix accepts is exactly one ULID's canonical spelling: the
// ULID parser reads it, and writing that ULID back gives the same text.
func FuzzPrefix(f *testing.F) {
	f.Add(New(Organization))
	f.Add("org_7zzzzzzzzzzzzzzzzzzzzzzzzz")
	f.Add("org_8zzzzzzzzzzzzzzzzzzzzzzzzz")
	f.Add("org_01J9Z3X5Y6W7V8T9S0R1Q2P3N4")
	f.Fuzz(func(t *testing.T, s string) {
		p := Prefix(s)
		if p == "" {
			return
		}
		rest, ok := strings.CutPrefix(s, p+"_")
		if !ok {
			t.Fatalf("Prefix(%q) = %q, which does not start it", s, p)
		}
		u, err := ulid.ParseStrict(rest)
		if err != nil {
			t.Fatalf("Prefix accepted %q, the ULID parser refuses it: %v", s, err)
		}
		if again := p + "_" + strings.ToLower(u.String()); again != s {
			t.Fatalf("Prefix accepted %q, whose canonical spelling is %q", s, again)
		}
	})
}
