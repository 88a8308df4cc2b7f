package testkit

import (
	"strings"
	"unicode"
)

// Homoglyphs of Latin letters, by script. Greek capitals Beta, Nu and
// Upsilon are left out: their folded forms are look-alikes of other letters
// (β of ß, ν of v, υ of u), and names are compared case-insensitively.
var (
	cyrillic = map[rune]rune{'a': 'а', 'c': 'с', 'e': 'е', 'i': 'і', 'o': 'о', 'p': 'р', 'x': 'х', 'y': 'у',
		'A': 'А', 'B': 'В', 'C': 'С', 'E': 'Е', 'H': 'Н', 'K': 'К', 'M': 'М', 'O': 'О', 'P': 'Р', 'T': 'Т', 'X': 'Х'}
	greek = map[rune]rune{'o': 'ο', 'v': 'ν', 'A': 'Α', 'E': 'Ε', 'H': 'Η', 'I': 'Ι', 'K': 'Κ', 'M': 'Μ',
		'O': 'Ο', 'P': 'Ρ', 'T': 'Τ', 'X': 'Χ', 'Z': 'Ζ'}
	// "I" and "1" are not taken for one another: "1" looks like "l", and
	// "I" folds to "i".
	digits = map[rune]rune{'o': '0', 'O': '0', 'l': '1'}
)

// LookAlikes returns names that look like name but are other strings, by
// how each is made: other case, Cyrillic or Greek homoglyphs, fullwidth
// forms, digits for letters, a zero-width joiner, a doubled space. Names
// that look alike must collide where names are unique or reserved. A kind
// that does not apply to name (no letter with a homoglyph) is left out.
func LookAlikes(name string) map[string]string {
	out := map[string]string{
		"upper case":        strings.ToUpper(name),
		"lower case":        strings.ToLower(name),
		"alternating case":  alternateCase(name),
		"Cyrillic letters":  replaceEvery(name, cyrillic),
		"Greek letters":     replaceEvery(name, greek),
		"one Cyrillic":      replaceFirst(name, cyrillic),
		"fullwidth forms":   fullwidth(name),
		"digits":            replaceEvery(name, digits),
		"zero-width joiner": insertAfterFirst(name, "\u200d"),
		"soft hyphen":       insertAfterFirst(name, "\u00ad"),
	}
	if strings.Contains(name, " ") {
		out["doubled space"] = strings.Replace(name, " ", "  ", 1)
		out["no-break space"] = strings.Replace(name, " ", "\u00a0", 1)
	}
	for k, v := range out {
		if v == name {
			delete(out, k)
		}
	}
	return out
}

func alternateCase(s string) string {
	rs := []rune(s)
	for i, r := range rs {
		if i%2 == 0 {
			rs[i] = unicode.ToUpper(r)
		} else {
			rs[i] = unicode.ToLower(r)
		}
	}
	return string(rs)
}

func replaceEvery(s string, m map[rune]rune) string {
	return strings.Map(func(r rune) rune {
		if g, ok := m[r]; ok {
			return g
		}
		return r
	}, s)
}

func replaceFirst(s string, m map[rune]rune) string {
	for i, r := range s {
		if g, ok := m[r]; ok {
			return s[:i] + string(g) + s[i+len(string(r)):]
		}
	}
	return s
}

func fullwidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r > ' ' && r <= '~' {
			return r - '!' + '！'
		}
		return r
	}, s)
}

func insertAfterFirst(s, insert string) string {
	for i, r := range s {
		n := i + len(string(r))
		return s[:n] + insert + s[n:]
	}
	return s
}
