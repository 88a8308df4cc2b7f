package kubemeta

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/orgql/orgql/internal/apperr"
)

// The syntax below is exactly what Kubernetes accepts (k8s.io/apimachinery's
// IsQualifiedName for keys, IsValidLabelValue for label values), written out
// rather than importing apimachinery and its logging for three expressions.
// Every character they allow is ASCII, so lengths count bytes.
const (
	maxKeyName    = 63
	maxKeyPrefix  = 253
	maxLabelValue = 63
	// MaxAnnotationsBytes is what Kubernetes lets all the annotations of one
	// object total, keys and values: a group may hold no more.
	MaxAnnotationsBytes = 256 << 10
)

var (
	// A key's name, and a non-empty label value: letters, digits, '-', '_'
	// and '.', starting and ending with a letter or digit.
	nameSyntax = regexp.MustCompile(`^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`)
	// A key's prefix: a DNS subdomain, lower-case RFC 1123 labels separated by dots.
	prefixSyntax = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
)

const nameChars = "only letters, digits, '-', '_' and '.', starting and ending with a letter or digit"

// keyRule checks a label or annotation key: an optional prefix and "/",
// then a name. Its error completes a sentence that starts with the field.
func keyRule(key string) error {
	prefix, name, hasPrefix := strings.Cut(key, "/")
	if !hasPrefix {
		prefix, name = "", key
	}
	switch {
	case key == "":
		return errors.New("must not be empty")
	case hasPrefix && prefix == "":
		return errors.New(`must not start with "/": give a prefix before it, or no "/"`)
	case hasPrefix && len(prefix) > maxKeyPrefix:
		return fmt.Errorf(`must have a prefix (before "/") of at most %d characters`, maxKeyPrefix)
	case hasPrefix && !prefixSyntax.MatchString(prefix):
		return errors.New(`must have a prefix (before "/") that is a DNS subdomain: lower-case letters, digits, '-' and '.', each part starting and ending with a letter or digit (example.com)`)
	case name == "":
		return errors.New(`must have a name after the "/"`)
	case strings.Contains(name, "/"):
		return errors.New(`must hold at most one "/"`)
	case len(name) > maxKeyName:
		return fmt.Errorf("must have a name of at most %d characters", maxKeyName)
	case !nameSyntax.MatchString(name):
		return errors.New("must have a name of " + nameChars)
	}
	return nil
}

// labelValueRule checks a label value: empty, or a name's syntax.
func labelValueRule(v string) error {
	switch {
	case v == "":
		return nil
	case len(v) > maxLabelValue:
		return fmt.Errorf("must be at most %d characters", maxLabelValue)
	case !nameSyntax.MatchString(v):
		return errors.New("must be empty or hold " + nameChars)
	}
	return nil
}

// reservation is a class of keys no group may set, because Kubernetes,
// Helm, a cloud provider or the platform sets such keys itself. Keys are
// compared ignoring case: a cloud provider that folds case (Azure's tags)
// would take a key that differs only in case for the reserved one.
type reservation struct {
	match reservedMatch
	value string // lower-case
	owner string // who sets such keys
}

type reservedMatch int

const (
	// prefixDomain: a prefix that is the domain or a subdomain of it (node.k8s.io/).
	prefixDomain reservedMatch = iota
	// prefixEnding: a prefix that ends with the value (qovery.com/, app.qovery.com/, myqovery.com/).
	prefixEnding
	// keyStart: a key that starts with the value (aws-region, AWSTag).
	keyStart
	// wholeKey: the key itself.
	wholeKey
)

func (r reservation) matches(key string) bool {
	key = strings.ToLower(key)
	prefix, _, hasPrefix := strings.Cut(key, "/")
	switch r.match {
	case prefixDomain:
		return hasPrefix && (prefix == r.value || strings.HasSuffix(prefix, "."+r.value))
	case prefixEnding:
		return hasPrefix && strings.HasSuffix(prefix, r.value)
	case keyStart:
		return strings.HasPrefix(key, r.value)
	}
	return key == r.value
}

func (r reservation) error() error {
	switch r.match {
	case prefixDomain:
		return fmt.Errorf("must not use the prefix %q or a subdomain of it: %s reserves them", r.value+"/", r.owner)
	case prefixEnding:
		return fmt.Errorf("must not use a prefix ending in %q: %s reserves them", r.value, r.owner)
	case keyStart:
		return fmt.Errorf("must not start with %q, in any case: %s reserves such keys", r.value, r.owner)
	}
	return fmt.Errorf("must not be %q, in any case: %s sets it", r.value, r.owner)
}

// The reserved keys of labels (which may become cloud provider tags) and of annotations.
var (
	labelReservations = []reservation{
		{prefixDomain, "kubernetes.io", "Kubernetes"},
		{prefixDomain, "k8s.io", "Kubernetes"},
		{prefixEnding, "qovery.com", "the platform"},
		{keyStart, "aws", "AWS"},
		{keyStart, "eks:", "Amazon EKS"},
		{wholeKey, "appid", "the platform"},
		{wholeKey, "envid", "the platform"},
		{wholeKey, "cluster_id", "the platform"},
		{wholeKey, "organization_id", "the platform"},
	}
	annotationReservations = []reservation{
		{prefixDomain, "kubernetes.io", "Kubernetes"},
		{prefixDomain, "k8s.io", "Kubernetes"},
		{prefixDomain, "meta.helm.sh", "Helm"},
		{prefixDomain, "checksum", "Helm charts (checksum/config)"},
		{prefixEnding, "qovery.com", "the platform"},
		{wholeKey, "appcommitid", "the platform"},
	}
)

// checkKey checks key against the reservations, then its syntax: a
// reserved key gets the more telling error, even when its syntax is wrong too.
func checkKey(key string, reserved []reservation) error {
	for _, r := range reserved {
		if r.matches(key) {
			return r.error()
		}
	}
	return keyRule(key)
}

// CheckLabels checks the labels of a labels group, whose list is at path
// (input.labels): at least one; each key and value in Kubernetes syntax; no
// reserved key; no key twice (keys are compared as Kubernetes does, exactly).
func CheckLabels(path string, labels []Label) error {
	if len(labels) == 0 {
		return at(path, errors.New("must hold at least one label"))
	}
	first := map[string]int{}
	for i, l := range labels {
		item := fmt.Sprintf("%s.%d", path, i)
		if err := checkKey(l.Key, labelReservations); err != nil {
			return at(item+".key", err)
		}
		if j, dup := first[l.Key]; dup {
			return at(item+".key", fmt.Errorf("must not repeat the key of %s.%d", path, j))
		}
		first[l.Key] = i
		if err := labelValueRule(l.Value); err != nil {
			return at(item+".value", err)
		}
	}
	return nil
}

// CheckAnnotations checks the annotations of an annotations group, whose
// list is at path (input.annotations): at least one; each key in Kubernetes
// syntax; no reserved key; no key twice; values of any text, all keys and
// values together at most MaxAnnotationsBytes.
func CheckAnnotations(path string, annotations []Annotation) error {
	if len(annotations) == 0 {
		return at(path, errors.New("must hold at least one annotation"))
	}
	first := map[string]int{}
	size := 0
	for i, a := range annotations {
		item := fmt.Sprintf("%s.%d", path, i)
		if err := checkKey(a.Key, annotationReservations); err != nil {
			return at(item+".key", err)
		}
		if j, dup := first[a.Key]; dup {
			return at(item+".key", fmt.Errorf("must not repeat the key of %s.%d", path, j))
		}
		first[a.Key] = i
		size += len(a.Key) + len(a.Value)
	}
	if size > MaxAnnotationsBytes {
		return at(path, fmt.Errorf("must total at most %d bytes (256 KiB) of keys and values, as Kubernetes allows; these total %d", MaxAnnotationsBytes, size))
	}
	return nil
}

// CheckScopes checks the scopes of an annotations group, whose list is at
// path (input.scopes): at least one, each a Scope, none twice.
func CheckScopes(path string, scopes []Scope) error {
	if len(scopes) == 0 {
		return at(path, errors.New("must hold at least one scope"))
	}
	for i, s := range scopes {
		item := fmt.Sprintf("%s.%d", path, i)
		if !slices.Contains(Scopes, s) {
			return at(item, fmt.Errorf("must be an annotation scope"))
		}
		if j := slices.Index(scopes, s); j < i {
			return at(item, fmt.Errorf("must not repeat %s.%d", path, j))
		}
	}
	return nil
}

// at is the BAD_USER_INPUT of a rule's error for the input at path field.
func at(field string, err error) error {
	return apperr.BadInput(field, "%s %s", field, err)
}
