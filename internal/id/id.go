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
	BillingAccount    = "bac"
	CreditCard        = "crd"
	Invoice           = "ivc"
)

// New returns a fresh ID with the given prefix.
func New(prefix string) string {
	return prefix + "_" + strings.ToLower(ulid.Make().String())
}

// Prefix returns the type prefix of an ID, or "" when it has none.
func Prefix(s string) string {
	p, rest, ok := strings.Cut(s, "_")
	if !ok || p == "" || len(rest) != ulid.EncodedSize {
		return ""
	}
	return p
}
