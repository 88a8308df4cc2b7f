// Package rbac is the one permission table of orgql: the built-in roles, the
// capabilities each of them holds, and the per-project access they grant.
// The data layer (ent privacy) and Organization.viewerCapabilities both read it.
package rbac

import (
	"fmt"
	"io"
	"strconv"

	"github.com/orgql/orgql/internal/validate"
)

// Capability is an organization-level permission.
type Capability string

const (
	ReadOrganization       Capability = "READ_ORGANIZATION"
	EditGeneralInformation Capability = "EDIT_GENERAL_INFORMATION"
	DeleteOrganization     Capability = "DELETE_ORGANIZATION"
	TransferOwnership      Capability = "TRANSFER_OWNERSHIP"
	ManageMembers          Capability = "MANAGE_MEMBERS"
	ManageBilling          Capability = "MANAGE_BILLING"
	ManageSettings         Capability = "MANAGE_SETTINGS"
	CreateProjects         Capability = "CREATE_PROJECTS"
	ManageClusters         Capability = "MANAGE_CLUSTERS"
	ReadAuditLog           Capability = "READ_AUDIT_LOG"
)

// Capabilities lists every capability, in the order docs/permissions.md shows them.
var Capabilities = []Capability{
	ReadOrganization, EditGeneralInformation, DeleteOrganization, TransferOwnership,
	ManageMembers, ManageBilling, ManageSettings, CreateProjects, ManageClusters, ReadAuditLog,
}

// Kind names a built-in role. Custom roles have kind Custom.
type Kind string

const (
	Owner   Kind = "OWNER"
	Admin   Kind = "ADMIN"
	DevOps  Kind = "DEVOPS"
	Billing Kind = "BILLING"
	Viewer  Kind = "VIEWER"
	Custom  Kind = "CUSTOM"
)

// BuiltIn lists the built-in roles in the order they are shown.
var BuiltIn = []Kind{Owner, Admin, DevOps, Billing, Viewer}

// Values lets ent use Kind as an enum.
func (Kind) Values() []string {
	return []string{string(Owner), string(Admin), string(DevOps), string(Billing), string(Viewer), string(Custom)}
}

// DisplayName is the name a built-in role is shown with.
func (k Kind) DisplayName() string {
	switch k {
	case Owner:
		return "Owner"
	case Admin:
		return "Admin"
	case DevOps:
		return "DevOps"
	case Billing:
		return "Billing Manager"
	case Viewer:
		return "Viewer"
	}
	return string(k)
}

// Description says what a built-in role may do.
func (k Kind) Description() string {
	switch k {
	case Owner:
		return "Full access, including deleting the organization and transferring ownership."
	case Admin:
		return "Manages the organization, its members, billing, settings, projects and clusters."
	case DevOps:
		return "Manages settings, projects and clusters; reads the audit log."
	case Billing:
		return "Manages the plan, billing information, credit cards and invoices."
	case Viewer:
		return "Reads the organization and its projects."
	}
	return ""
}

// table is the capability matrix (docs/permissions.md). Custom roles only read.
var table = map[Kind][]Capability{
	Owner:   Capabilities,
	Admin:   {ReadOrganization, EditGeneralInformation, ManageMembers, ManageBilling, ManageSettings, CreateProjects, ManageClusters, ReadAuditLog},
	DevOps:  {ReadOrganization, ManageSettings, CreateProjects, ManageClusters, ReadAuditLog},
	Billing: {ReadOrganization, ManageBilling},
	Viewer:  {ReadOrganization},
	Custom:  {ReadOrganization},
}

// Can reports whether a role of kind k holds capability c.
func Can(k Kind, c Capability) bool {
	for _, have := range table[k] {
		if have == c {
			return true
		}
	}
	return false
}

// CapabilitiesOf lists the capabilities of kind k.
func CapabilitiesOf(k Kind) []Capability {
	return append([]Capability(nil), table[k]...)
}

// Kinds lists every role kind: the built-in ones, then Custom.
func Kinds() []Kind { return append(append([]Kind(nil), BuiltIn...), Custom) }

// KindsWith lists the role kinds holding capability c; the data layer turns it into SQL.
func KindsWith(c Capability) []Kind {
	var kinds []Kind
	for _, k := range Kinds() {
		if Can(k, c) {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// IsReservedName reports whether name is, or looks like, a built-in role's
// name: they are compared by validate.NameKey.
func IsReservedName(name string) bool {
	key := validate.NameKey(name)
	for _, k := range BuiltIn {
		if key == validate.NameKey(string(k)) || key == validate.NameKey(k.DisplayName()) {
			return true
		}
	}
	return false
}

// MarshalGQL and UnmarshalGQL make Capability a GraphQL enum.
func (c Capability) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(c))) }

func (c *Capability) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("capability must be a string")
	}
	for _, known := range Capabilities {
		if string(known) == s {
			*c = known
			return nil
		}
	}
	return fmt.Errorf("%q is not a capability", s)
}
