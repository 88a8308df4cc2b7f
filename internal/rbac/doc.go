package rbac

import (
	"fmt"
	"sort"
	"strings"
)

// Markdown is docs/permissions.md: the permission tables as the code holds
// them, with what they mean. A test keeps the file in step.
func Markdown() string {
	var b strings.Builder
	b.WriteString(`# Permissions

Who may do what in an organization. This file is generated from the tables of
internal/rbac (` + "`go test ./internal/rbac -run TestPermissionsDoc -update`" + `): the
code enforces exactly what it says. The data layer (internal/tenancy) applies
it to every query and mutation of every organization-owned type, whatever
code path runs them; see docs/architecture.md.

## Roles and capabilities

Every member holds one role in each organization they belong to; an API token
holds one role in its one organization. The built-in roles are OWNER, ADMIN,
DEVOPS, BILLING (shown as "Billing Manager") and VIEWER; their names are
reserved (compared as names are, ignoring case, width and look-alike letters).
Custom roles are created per organization.

`)
	b.WriteString("| Capability |")
	for _, k := range Kinds() {
		fmt.Fprintf(&b, " %s |", k)
	}
	b.WriteString("\n|---|")
	for range Kinds() {
		b.WriteString(":-:|")
	}
	b.WriteString("\n")
	for _, c := range Capabilities {
		fmt.Fprintf(&b, "| `%s` |", c)
		for _, k := range Kinds() {
			if Can(k, c) {
				b.WriteString(" y |")
			} else {
				b.WriteString("   |")
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("\nPer-project and per-cluster access of the built-in roles (a custom role's is what its definition\n" +
		"sets: per project, full access or a permission per environment type, default NO_ACCESS, so the\n" +
		"project is not visible; per cluster, a permission, default VIEWER):\n\n| Role | projects | clusters |\n|---|---|---|\n")
	for _, k := range BuiltIn {
		full, perm := BuiltInProjectAccess(k)
		projects := string(perm) + " on every environment type"
		if full {
			projects = "full access to every project"
		}
		if perm == NoAccess && !full {
			projects = "none: no project is visible"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", k, projects, BuiltInClusterPermission(k))
	}
	b.WriteString(`
## Rules that are not a table

- **One owner.** Every organization has exactly one member with the OWNER role. Nobody is given
  OWNER except by ` + "`transferOwnership`" + `, which makes the old owner an ADMIN in the same
  transaction; the owner cannot leave, be removed or be demoted (` + "`LAST_OWNER`" + `).
- **No granting above oneself.** A role can be given (by invitation or role change) only by a
  member whose role holds every capability and all the project and cluster access the given
  role has; a custom role only by a member with full access to every project.
- **API tokens act within their creator's reach.** A token acts only in its organization, with its
  role: never OWNER, and only a role its creator (a signed-in member with ` + "`MANAGE_SETTINGS`" + `) could
  grant when making it. While the creator is a member whose role could no longer grant the token's,
  the token acts with the creator's role instead; a creator who leaves or is removed leaves the token
  the role it was given (delete it to stop it). A token has no user: it cannot create organizations,
  switch the current one, accept invitations, leave, or create API tokens.
- **Not a member means not found.** For someone outside an organization, the organization and
  everything in it do not exist: every ID answers like an ID that does not exist.

## What each type's rows need

Each organization-owned type is one line: the capability a caller needs, in the row's
organization, to see a row and to create, update or delete one. ` + "`READ_ORGANIZATION`" + `,
which every role holds, means every member.

| Type | read | write |
|---|---|---|
`)
	types := make([]string, 0, len(Objects))
	for t := range Objects {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		o := Objects[t]
		read := "`" + string(o.Read) + "`"
		if o.PerProject {
			read += ", and per-project access to the project"
		}
		write := "the system only"
		if o.Write != "" {
			write = "`" + string(o.Write) + "`"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t, read, write)
	}
	b.WriteString("\nAn organization event (the audit log, `organizationEvents`) also needs what its target's rows\n" +
		"need: an event about an invitation, billing information or a credit card says as much as the row\n" +
		"(its name, its change), so only those who may read the row read the event.\n")
	b.WriteString("\nOrganizations themselves: every member reads theirs; any signed-in user creates one (an API\n" +
		"token cannot); deleting one needs `" + string(OrganizationDelete) + "`; changing a field needs:\n\n| Field | capability |\n|---|---|\n")
	fields := make([]string, 0, len(OrganizationFields))
	for f, c := range OrganizationFields {
		if c != "" {
			fields = append(fields, f)
		}
	}
	sort.Strings(fields)
	for _, f := range fields {
		fmt.Fprintf(&b, "| `%s` | `%s` |\n", f, OrganizationFields[f])
	}
	fmt.Fprintf(&b, "| every other field | `%s` |\n", EditGeneralInformation)
	return b.String()
}
