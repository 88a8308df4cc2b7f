// Package id makes the opaque, globally unique IDs of orgql: a short type
// prefix, an underscore and a lower-case ULID (for example org_01j9...), so
// node(id:) can tell the type from the ID and IDs sort by creation time.
package id

import (
	"strings"

	"github.com/oklog/ulid/v2"
)

// Prefixes of every ent type, shared by the schemas and node resolution.
const (
	User              = "usr"
	Session           = "ses"
	Organization      = "org"
	Membership        = "mem"
	Role              = "rol"
	Invitation        = "inv"
	Project           = "prj"
	Cluster           = "cls"
	OrganizationEvent = "evt"
	RolePermission    = "rpm"
	APIToken          = "tok"
	ContainerRegistry = "crg"
	GitToken          = "gtk"
	HelmRepository    = "hlm"
	LabelsGroup       = "lbg"
	AnnotationsGroup  = "ang"
	OAuthState        = "oas"
	BillingAccount    = "bac"
	CreditCard        = "crd"
	Invoice           = "ivc"
)

// New returns a fresh ID with the given prefix.
func New(prefix string) string {
	return prefix + "_" + strings.ToLower(ulid.Make().String())
}

// Prefix returns the type prefix of an ID, or "" when s is not an ID in
// the one form New makes: a prefix of lower-case letters, an underscore and
// a ULID in lower-case Crockford base32 whose first character does not
// overflow 128 bits. The ULID parser also takes upper case and the
// overflowing first characters 8-z; refusing them keeps one object to one
// ID (see docs/security.md, S27).
func Prefix(s string) string {
	p, rest, ok := strings.Cut(s, "_")
	if !ok || p == "" || len(p) > maxPrefix || len(rest) != ulid.EncodedSize || rest[0] > '7' {
		return ""
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 'a' || p[i] > 'z' {
			return ""
		}
	}
	for i := 0; i < len(rest); i++ {
		if strings.IndexByte(alphabet, rest[i]) < 0 {
			return ""
		}
	}
	return p
}

// alphabet is Crockford's base32 in lower case, as New writes it.
const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// maxPrefix bounds a type prefix; every prefix above has three letters.
const maxPrefix = 8
