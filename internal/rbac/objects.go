package rbac

// Object is the rule of one organization-owned type: which capability, held
// in the row's organization, lets a caller see its rows, and which lets a
// caller create, update and delete them. The data layer (internal/tenancy)
// enforces it on every query and mutation, and domain code asks the same
// table before it starts a change, so the two can never disagree.
type Object struct {
	// Read is the capability needed to see a row; ReadOrganization means
	// every member (every role holds it).
	Read Capability
	// PerProject narrows reads further to the projects the caller's role
	// gives access to (the row is a project).
	PerProject bool
	// Write is the capability needed to create, update or delete a row; ""
	// means only the system writes rows of the type.
	Write Capability
}

// Objects is the permission table of organization-owned types, keyed by ent
// type name. Every type with an organization_id has exactly one entry (a
// test in internal/tenancy keeps the two in step); adding a type adds a line.
var Objects = map[string]Object{
	"Membership":            {Read: ReadOrganization, Write: ManageMembers},
	"Role":                  {Read: ReadOrganization, Write: ManageMembers},
	"RoleProjectPermission": {Read: ReadOrganization, Write: ManageMembers},
	"RoleClusterPermission": {Read: ReadOrganization, Write: ManageMembers},
	"Invitation":            {Read: ManageMembers, Write: ManageMembers},
	"Project":               {Read: ReadOrganization, PerProject: true, Write: CreateProjects},
	"Cluster":               {Read: ReadOrganization, Write: ManageClusters},
	"OrganizationEvent":     {Read: ReadAuditLog},
	"APIToken":              {Read: ReadOrganization, Write: ManageSettings},
	"ContainerRegistry":     {Read: ReadOrganization, Write: ManageSettings},
	"GitToken":              {Read: ReadOrganization, Write: ManageSettings},
	"HelmRepository":        {Read: ReadOrganization, Write: ManageSettings},
	"LabelsGroup":           {Read: ReadOrganization, Write: ManageSettings},
	"AnnotationsGroup":      {Read: ReadOrganization, Write: ManageSettings},
	"BillingAccount":        {Read: ManageBilling, Write: ManageBilling},
	"CreditCard":            {Read: ManageBilling, Write: ManageBilling},
	// Invoices are issued by the payment provider (the local ledger, Stripe's webhooks), never by a caller.
	"Invoice": {Read: ManageBilling},
}

// EventTargets maps each target type of an organization event to the ent
// type of its target: an event is read with the capability its target is
// read with ("" : the organization itself, which every member reads). A test
// in internal/tenancy keeps it in step with the event's target types.
var EventTargets = map[string]string{
	"ORGANIZATION":       "",
	"MEMBERSHIP":         "Membership",
	"INVITATION":         "Invitation",
	"ROLE":               "Role",
	"PROJECT":            "Project",
	"CLUSTER":            "Cluster",
	"API_TOKEN":          "APIToken",
	"CONTAINER_REGISTRY": "ContainerRegistry",
	"GIT_TOKEN":          "GitToken",
	"HELM_REPOSITORY":    "HelmRepository",
	"LABELS_GROUP":       "LabelsGroup",
	"ANNOTATIONS_GROUP":  "AnnotationsGroup",
	"BILLING_INFO":       "BillingAccount",
	"CREDIT_CARD":        "CreditCard",
}

// Organization rows are the tenants themselves: every member reads their
// organization; an update needs, for each field it changes, the capability
// OrganizationFields names (EditGeneralInformation for the others), and a
// delete needs DeleteOrganization. Creating one needs only a signed-in user.
var (
	OrganizationFields = map[string]Capability{
		"plan":     ManageBilling,
		"owner_id": TransferOwnership,
		// Kept by the data layer, not by anyone's capability.
		"updated_at": "",
		"name_key":   "",
	}
	OrganizationDelete = DeleteOrganization
)

// OrganizationFieldCapability is the capability changing an organization's field needs ("" for none).
func OrganizationFieldCapability(field string) Capability {
	if c, ok := OrganizationFields[field]; ok {
		return c
	}
	return EditGeneralInformation
}
