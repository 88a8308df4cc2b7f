// Package validate checks user input. Each check names the input field it
// guards by its dotted path (input.websiteURL), reported in extensions.field.
package validate

import (
	"net/mail"
	"strings"

	"github.com/orgql/orgql/internal/apperr"
)

// Name checks a required display name under field: see NameRule. It returns the name.
func Name(field, s string, max int) (string, error) {
	return s, at(field, NameRule(max)(s))
}

// Text checks an optional free text of at most max characters under field: see TextRule.
func Text(field, s string, max int) (string, error) {
	return s, at(field, TextRule(max)(s))
}

// HTTPURL checks an optional http:// or https:// URL under field; "" is
// allowed (it clears the field). See HTTPURLRule.
func HTTPURL(field, s string) (string, error) {
	return s, at(field, HTTPURLRule(s))
}

// at is the BAD_USER_INPUT of a rule's error for the input at path field.
func at(field string, err error) error {
	if err == nil {
		return nil
	}
	return apperr.BadInput(field, "%s %s", field, err)
}

// Email checks one e-mail address and returns it lower-cased.
func Email(field, s string) (string, error) {
	a, err := mail.ParseAddress(s)
	if err != nil || lineRule(s) != nil || a.Address != strings.TrimSpace(s) || len(s) > 254 || !strings.Contains(a.Address[strings.LastIndexByte(a.Address, '@'):], ".") {
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
