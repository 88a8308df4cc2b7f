package validate

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The rules below check one value. Each is used twice: as the validator of
// an ent schema field (field.String(...).Validate(rule)), so that a field's
// limits are written once, next to the field they guard, and every path that
// saves it is checked; and by the field-path functions of validate.go for
// inputs that are not saved as one field. An error's text completes a
// sentence that starts with the field ("must be at most 255 characters");
// the change skeleton and the field-path functions prefix the field's path.

// NameRule checks a required single-line name of at most max characters,
// with no leading or trailing space.
func NameRule(max int) func(string) error {
	return func(s string) error {
		if err := lineRule(s); err != nil {
			return err
		}
		switch {
		case strings.TrimSpace(s) == "":
			return errors.New("must not be empty")
		case s != strings.TrimSpace(s):
			return errors.New("must not start or end with spaces")
		case utf8.RuneCountInString(s) > max:
			return fmt.Errorf("must be at most %d characters", max)
		}
		return nil
	}
}

// TextRule checks an optional free text of at most max characters.
func TextRule(max int) func(string) error {
	return func(s string) error {
		if err := textRule(s); err != nil {
			return err
		}
		if utf8.RuneCountInString(s) > max {
			return fmt.Errorf("must be at most %d characters", max)
		}
		return nil
	}
}

// MaxURL is the longest URL accepted.
const MaxURL = 2048

// HTTPURLRule checks an optional http:// or https:// URL; "" clears the field.
func HTTPURLRule(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || lineRule(s) != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > MaxURL {
		return errors.New("must be an http:// or https:// URL")
	}
	return nil
}
