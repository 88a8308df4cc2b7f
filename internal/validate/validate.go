// Package validate checks user input. Each check names the input field it
// guards by its dotted path (input.websiteURL), reported in extensions.field.
package validate

import (
	"net/mail"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/orgql/orgql/internal/apperr"
)

// Name checks a required display name: not blank, at most max characters, no
// leading or trailing space, no control or invisible formatting character
// (see SingleLine). It returns the name.
func Name(field, s string, max int) (string, error) {
	if err := SingleLine(field, s); err != nil {
		return "", err
	}
	switch {
	case strings.TrimSpace(s) == "":
		return "", apperr.BadInput(field, "%s must not be empty", field)
	case s != strings.TrimSpace(s):
		return "", apperr.BadInput(field, "%s must not start or end with spaces", field)
	case utf8.RuneCountInString(s) > max:
		return "", apperr.BadInput(field, "%s must be at most %d characters", field, max)
	}
	return s, nil
}

// Text checks an optional free text of at most max characters (see MultiLine).
func Text(field, s string, max int) (string, error) {
	if err := MultiLine(field, s); err != nil {
		return "", err
	}
	if utf8.RuneCountInString(s) > max {
		return "", apperr.BadInput(field, "%s must be at most %d characters", field, max)
	}
	return s, nil
}

// HTTPURL checks an optional http:// or https:// URL; "" is allowed (it clears the field).
func HTTPURL(field, s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || SingleLine(field, s) != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > 2048 {
		return "", apperr.BadInput(field, "%s must be an http:// or https:// URL", field)
	}
	return s, nil
}

// Email checks one e-mail address and returns it lower-cased.
func Email(field, s string) (string, error) {
	a, err := mail.ParseAddress(s)
	if err != nil || SingleLine(field, s) != nil || a.Address != strings.TrimSpace(s) || len(s) > 254 || !strings.Contains(a.Address[strings.LastIndexByte(a.Address, '@'):], ".") {
		return "", apperr.BadInput(field, "%s must be an e-mail address", field)
	}
	return strings.ToLower(a.Address), nil
}

// Emails checks a list of e-mail addresses (field.0, field.1, ... on error),
// dropping duplicates.
func Emails(field string, list []string) ([]string, error) {
	out := make([]string, 0, len(list))
	seen := map[string]bool{}
	for i, s := range list {
		e, err := Email(field+"."+itoa(i), strings.TrimSpace(s))
		if err != nil {
			return nil, err
		}
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out, nil
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
