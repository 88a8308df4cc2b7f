// Package credentials runs the changes of the organization's credentials to
// third-party services: container registries, Git tokens and Helm
// repositories. Each kind's settings are in one catalog (kinds.go); secrets
// are sealed (internal/secret) before they are stored, bound to their row,
// and never returned; checks call the service with the stored credential.
package credentials

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/secret"
	"github.com/orgql/orgql/internal/validate"
)

// Settings limits: a JSON key file is the longest setting there is.
const (
	maxSetting          = 4096
	maxMultilineSetting = 64 << 10
)

// stored is what a row keeps of its settings.
type stored struct {
	Config  map[string]any
	Secrets map[string]string
}

// applyInput checks settings in (the config input, by GraphQL name) and
// clear (secrets to remove) against kind k, on top of what the row stores
// (nothing for a new row), and returns what the row stores next: the
// non-secret settings exactly as given (an update replaces them), and the
// secrets stored before that k still takes and clear does not remove, with
// those given sealed for the row (bind). Errors name the input field under path.
func applyInput(keys *secret.Keyring, k Kind, in map[string]any, clear []string, before stored, bind secret.Binding, path string) (stored, bool, error) {
	next := stored{Config: map[string]any{}, Secrets: map[string]string{}}
	for name, env := range before.Secrets {
		if s, ok := k.Setting(name); ok && s.Secret {
			next.Secrets[name] = env
		}
	}
	for i, name := range clear {
		s, ok := k.Setting(name)
		if !ok || !s.Secret {
			return next, false, apperr.BadInput(fmt.Sprintf("%s.clearSecrets.%d", path, i), "%s is not a secret of %s", name, k.Kind)
		}
		if v, given := in[name]; given && !isNull(v) {
			return next, false, apperr.BadInput(fmt.Sprintf("%s.clearSecrets.%d", path, i), "%s is both given and cleared", name)
		}
		delete(next.Secrets, name)
	}
	names := slices.Sorted(maps.Keys(in))
	for _, name := range names {
		v := in[name]
		if isNull(v) {
			continue // an explicit null is a setting not given
		}
		field := path + ".config." + name
		s, ok := k.Setting(name)
		if !ok {
			return next, false, apperr.BadInput(field, "%s is not a setting of %s", field, k.Kind)
		}
		value, err := settingValue(s, v, field)
		if err != nil {
			return next, false, err
		}
		if !s.Secret {
			next.Config[name] = value
			continue
		}
		b := bind
		b.Field = name
		env, err := keys.Seal(value.(string), b)
		if err != nil {
			return next, false, fmt.Errorf("seal %s: %w", name, err)
		}
		next.Secrets[name] = env
	}
	if err := checkComplete(k, next, path); err != nil {
		return next, false, err
	}
	return next, !maps.Equal(before.Secrets, next.Secrets), nil
}

// settingValue checks one given setting and returns what is stored of it.
// Values come as the GraphQL layer coerced them: *string or *int.
func settingValue(s Setting, v any, field string) (any, error) {
	if s.Integer {
		n, ok := v.(*int)
		if !ok || n == nil || *n < 60 || *n > 43200 {
			return nil, apperr.BadInput(field, "%s must be a whole number of seconds from 60 to 43200", field)
		}
		return *n, nil
	}
	p, ok := v.(*string)
	if !ok || p == nil {
		return nil, apperr.BadInput(field, "%s must be a string", field)
	}
	str := *p
	rule := validate.NameRule(maxSetting)
	if s.Multiline {
		rule = func(v string) error {
			if strings.TrimSpace(v) == "" {
				return fmt.Errorf("must not be empty")
			}
			return validate.TextRule(maxMultilineSetting)(v)
		}
	}
	if err := rule(str); err != nil {
		return nil, apperr.BadInput(field, "%s %s", field, err)
	}
	if s.Name == "gcpCredentialsType" && str != "WORKLOAD_IDENTITY_FEDERATION" {
		return nil, apperr.BadInput(field, "%s must be WORKLOAD_IDENTITY_FEDERATION (or omitted, for a JSON key)", field)
	}
	return str, nil
}

// isNull reports whether a coerced input value is null.
func isNull(v any) bool {
	switch p := v.(type) {
	case nil:
		return true
	case *string:
		return p == nil
	case *int:
		return p == nil
	}
	return false
}

// checkComplete refuses settings that lack a required one, or complete none
// of the kind's alternatives.
func checkComplete(k Kind, st stored, path string) error {
	has := func(name string) bool {
		_, inConfig := st.Config[name]
		_, inSecrets := st.Secrets[name]
		return inConfig || inSecrets
	}
	for _, s := range k.Fields {
		if s.Required && !has(s.Name) {
			return apperr.BadInput(path+".config."+s.Name, "%s.config.%s is required for %s", path, s.Name, k.Kind)
		}
	}
	if len(k.Alternatives) == 0 {
		return nil
	}
	var groups []string
	for _, group := range k.Alternatives {
		complete := true
		for _, name := range group {
			complete = complete && has(name)
		}
		if complete {
			return nil
		}
		groups = append(groups, strings.Join(group, " and "))
	}
	return apperr.BadInput(path+".config", "%s needs %s", k.Kind, strings.Join(groups, ", or "))
}

// secretNames lists the names of the secrets st stores.
func secretNames(secrets map[string]string) []string {
	names := make([]string, 0, len(secrets))
	for name := range secrets {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// checkURL checks the URL of kind k given under field (nil: not given) and
// returns the one to store: the kind's default when none is given.
func checkURL(k Kind, given *string, field string) (string, error) {
	if given == nil || *given == "" {
		if k.DefaultURL == "" {
			return "", apperr.BadInput(field, "%s is required for %s: %s", field, k.Kind, k.URLHint)
		}
		return k.DefaultURL, nil
	}
	s := *given
	if k.FixedURL && strings.TrimRight(s, "/") != k.DefaultURL {
		return "", apperr.BadInput(field, "%s must be %s for %s", field, k.DefaultURL, k.Kind)
	}
	u, err := url.Parse(s)
	switch {
	case err != nil, len(s) > validate.MaxURL, validate.NameRule(validate.MaxURL)(s) != nil:
		return "", apperr.BadInput(field, "%s must be a %s:// URL", field, k.URLScheme)
	case u.Scheme != k.URLScheme:
		return "", apperr.BadInput(field, "%s must start with %s:// for %s", field, k.URLScheme, k.Kind)
	case u.Host == "" || u.Hostname() == "":
		return "", apperr.BadInput(field, "%s must name a host", field)
	case u.User != nil:
		// Credentials in a URL would be stored, and shown, unsealed.
		return "", apperr.BadInput(field, "%s must not hold credentials: give them in config", field)
	case u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return "", apperr.BadInput(field, "%s must have no query or fragment", field)
	}
	return strings.TrimRight(s, "/"), nil
}
