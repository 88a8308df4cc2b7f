package validate

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mtibben/confusables"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// NameKey is the form unique and reserved names are compared in: two names
// that look alike get the same key, so one of them is refused. It is the
// key of the unique name_key columns, and the reserved role names are
// compared in it too.
//
//   - Invisible characters (zero-width space and joiners, soft hyphen,
//     variation selectors, bidi marks: Unicode's default-ignorable code
//     points) are dropped: Name refuses the ones no name needs, and those it
//     lets through (the joiners some scripts and emoji need) cannot make a
//     look-alike distinct.
//   - Runs of white space count as one space, and the ends are trimmed.
//   - NFKC folds compatibility forms (fullwidth letters, ligatures, circled
//     and styled letters) into their plain form; case folding makes the key
//     case-insensitive (Straße = STRASSE).
//   - Each character is then replaced by its prototype in the confusables
//     table of Unicode's security mechanisms (UTS #39, the "skeleton"):
//     Cyrillic and Greek homoglyphs become Latin letters, "0" becomes "o",
//     "m" becomes "rn", until nothing changes. The table is case
//     sensitive and some look-alikes hold in one case only: Cyrillic "Н"
//     looks like "H", but its folded "н" like a small capital. A folded
//     letter takes its own prototype when that is ASCII, else its capital's
//     when that is ASCII ("н" becomes "h"). So every case variant of a name
//     has one key, at the price of the look-alikes of one case that the
//     other case contradicts (Greek "ν" is "v", so its capital "Ν" is not
//     taken for "N"; "i" stays "i", so "I" is not taken for "l").
//
// The key is for comparing only: order names by their folded form (FoldName),
// never by the key.
func NameKey(name string) string {
	s := norm.NFKC.String(strings.Map(dropIgnorable, name))
	s = cases.Fold().String(strings.Join(strings.Fields(s), " "))
	// Prototypes can lead back to where they came from (Cherokee's small
	// and capital letters fold and map onto each other): a cycle's key is
	// its least member, whichever member a name enters it by.
	seen := []string{s}
	for range 8 {
		var b strings.Builder
		for _, r := range norm.NFD.String(s) {
			b.WriteString(prototype(r))
		}
		next := norm.NFKC.String(b.String())
		if next == s {
			break
		}
		if i := slices.Index(seen, next); i >= 0 {
			return slices.Min(seen[i:])
		}
		seen = append(seen, next)
		s = next
	}
	return s
}

// prototype is the folded look-alike prototype of r (see NameKey).
func prototype(r rune) string {
	fold := cases.Fold()
	own := fold.String(confusables.Skeleton(string(r)))
	if isASCII(own) {
		return own
	}
	if capital := fold.String(confusables.Skeleton(string(unicode.ToUpper(r)))); isASCII(capital) {
		return capital
	}
	return own
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// FoldName is the case-insensitive form names are sorted by.
func FoldName(name string) string {
	return cases.Fold().String(norm.NFKC.String(strings.TrimSpace(name)))
}

func dropIgnorable(r rune) rune {
	if isIgnorable(r) {
		return -1
	}
	return r
}

// isIgnorable reports whether r is a default-ignorable code point: one that
// renders as nothing when not supported.
func isIgnorable(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r) ||
		unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r)
}
