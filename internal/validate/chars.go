package validate

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/orgql/orgql/internal/apperr"
)

// Characters refused in input.
//
//   - NUL and bytes that are not UTF-8 are refused in every string of
//     every argument, before anything runs (Storable, used by the server's
//     input guard): PostgreSQL can store neither, and no field needs them.
//     JSON decoding replaces invalid UTF-8, but a GET's query parameters
//     reach the parser as raw bytes.
//   - Single-line fields (names, e-mails, URLs, regions) refuse every control
//     character (C0, DEL, C1), the line and paragraph separators, the bidi
//     embedding, override and isolate controls, and the invisible zero-width
//     space, word joiner and byte order mark, which only serve to make a
//     text look other than it is.
//   - Multi-line free text (descriptions) keeps tab, line feed and carriage
//     return, and refuses the other control characters. Bidi controls stay
//     allowed there: right-to-left prose needs them, and a description is
//     never compared or used as a name.

// NoNUL refuses s if it holds a NUL character.
func NoNUL(field, s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return apperr.BadInput(field, "%s must not contain NUL characters", field)
	}
	return nil
}

// Storable refuses s if it holds a NUL character or is not valid UTF-8.
func Storable(field, s string) error {
	if err := NoNUL(field, s); err != nil {
		return err
	}
	if !utf8.ValidString(s) {
		return apperr.BadInput(field, "%s must be valid UTF-8 text", field)
	}
	return nil
}

// lineRule refuses a character a single-line field must not hold.
func lineRule(s string) error {
	if strings.IndexFunc(s, refusedInLine) >= 0 {
		return errors.New("must not contain control or invisible formatting characters")
	}
	return nil
}

// textRule refuses a control character other than tab, line feed and
// carriage return.
func textRule(s string) error {
	if strings.IndexFunc(s, refusedInText) >= 0 {
		return errors.New("must not contain control characters other than tab and line breaks")
	}
	return nil
}

func refusedInText(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
}

func refusedInLine(r rune) bool {
	switch {
	case unicode.IsControl(r), r == '\u2028', r == '\u2029':
		return true
	case unicode.Is(unicode.Bidi_Control, r):
		return true
	case r == '\u200B', r == '\u2060', r == '\uFEFF':
		return true
	}
	return false
}
