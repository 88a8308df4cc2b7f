package isolation_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

// tenant is an organization with one object of every kind the schema
// addresses by ID, made through the API where it works.
type tenant struct {
	Owner  *testkit.Client
	Org    testkit.Org
	Member *testkit.Client // a member who is not the owner
	// One ID per GraphQL type, for the ID slots of a request that are not under test.
	Own map[string]string
	// Every ID of the organization, by type, read from the database.
	IDs map[string][]string
	// Strings that identify the organization's data in a response: its IDs,
	// names, logins and e-mail addresses.
	Markers []string
}

// newTenant creates an organization owned by owner, with member as a VIEWER,
// a project, a labels group, an annotations group, a cluster using the
// labels group, a custom role, a pending invitation, an API token, a
// container registry, a Git token, a Helm repository and the events all of
// that wrote.
func newTenant(t *testing.T, e *testkit.Env, owner, member string) *tenant {
	t.Helper()
	ctx := systemCtx()
	tn := &tenant{Owner: e.SignIn(t, owner), Member: e.SignIn(t, member), Own: map[string]string{}}
	tn.Org = tn.Owner.CreateOrg(t)
	e.AddMember(t, tn.Org, tn.Member, rbac.Viewer)
	fx := fixtures{t: t, e: e, ctx: ctx, org: tn.Org.ID}

	projectName, clusterName, roleName := testkit.Unique("Project"), testkit.Unique("Cluster"), testkit.Unique("Role")
	labelsGroupName, annotationsGroupName := testkit.Unique("Labels"), testkit.Unique("Annotations")
	email := "invitee-" + randomHex() + "@example.com"

	tn.Own["Project"] = fx.viaAPI("createProject", tn.Owner.Do(t,
		`mutation($org: ID!, $name: String!) { createProject(organizationID: $org, input: {name: $name}) { id } }`,
		map[string]any{"org": tn.Org.ID, "name": projectName}), func() string { return fx.project(projectName) })
	tn.Own["LabelsGroup"] = fx.viaAPI("createLabelsGroup", tn.Owner.Do(t,
		`mutation($org: ID!, $name: String!) {
			createLabelsGroup(organizationID: $org, input: {name: $name, labels: [{key: "example.com/team", value: "web", propagateToCloudProvider: true}]}) { id }
		}`,
		map[string]any{"org": tn.Org.ID, "name": labelsGroupName}), func() string { return fx.labelsGroup(labelsGroupName) })
	tn.Own["AnnotationsGroup"] = fx.viaAPI("createAnnotationsGroup", tn.Owner.Do(t,
		`mutation($org: ID!, $name: String!) {
			createAnnotationsGroup(organizationID: $org, input: {name: $name, annotations: [{key: "example.com/note", value: "x"}], scopes: [PODS]}) { id }
		}`,
		map[string]any{"org": tn.Org.ID, "name": annotationsGroupName}), func() string { return fx.annotationsGroup(annotationsGroupName) })
	tn.Own["Cluster"] = fx.viaAPI("createCluster", tn.Owner.Do(t,
		`mutation($org: ID!, $name: String!, $labelsGroup: ID!) {
			createCluster(organizationID: $org, input: {name: $name, cloudProvider: AWS, region: "eu-west-3", labelsGroupIDs: [$labelsGroup]}) { id }
		}`,
		map[string]any{"org": tn.Org.ID, "name": clusterName, "labelsGroup": tn.Own["LabelsGroup"]}),
		func() string { return fx.cluster(clusterName, tn.Own["LabelsGroup"]) })
	tn.Own["Role"] = fx.viaAPI("createCustomRole", tn.Owner.Do(t,
		`mutation($org: ID!, $name: String!, $project: ID!, $cluster: ID!) {
			createCustomRole(organizationID: $org, input: {
				name: $name,
				clusterPermissions: [{clusterID: $cluster, permission: ADMIN}],
				projectPermissions: [{projectID: $project, fullAccess: true}]
			}) { id }
		}`,
		map[string]any{"org": tn.Org.ID, "name": roleName, "project": tn.Own["Project"], "cluster": tn.Own["Cluster"]}),
		func() string { return fx.customRole(roleName, tn.Own["Project"], tn.Own["Cluster"]) })
	tn.Own["Invitation"] = fx.viaAPI("inviteMember", tn.Owner.Do(t,
		`mutation($org: ID!, $email: String!, $role: ID!) {
			inviteMember(organizationID: $org, input: {email: $email, roleID: $role}) { id }
		}`,
		map[string]any{"org": tn.Org.ID, "email": email, "role": tn.Own["Role"]}),
		func() string { return fx.invitation(email, tn.Own["Role"], userID(t, e, tn.Owner)) })
	_, tn.Own["APIToken"] = tn.Owner.CreateAPIToken(t, tn.Org, e.RoleID(t, tn.Org, rbac.Viewer))
	tn.Own["ContainerRegistry"] = created(t, tn.Owner.Do(t,
		`mutation($org: ID!) {
			createContainerRegistry(organizationID: $org, input: {name: "hub", kind: DOCKER_HUB, config: {username: "u", password: "registry-secret"}}) { id }
		}`, map[string]any{"org": tn.Org.ID}), "createContainerRegistry")
	tn.Own["GitToken"] = created(t, tn.Owner.Do(t,
		`mutation($org: ID!) { createGitToken(organizationID: $org, input: {name: "gh", provider: GITHUB, token: "git-secret"}) { id } }`,
		map[string]any{"org": tn.Org.ID}), "createGitToken")
	tn.Own["HelmRepository"] = created(t, tn.Owner.Do(t,
		`mutation($org: ID!) {
			createHelmRepository(organizationID: $org, input: {name: "charts", kind: HTTPS, url: "https://charts.example.com", config: {username: "u", password: "helm-secret"}}) { id }
		}`, map[string]any{"org": tn.Org.ID}), "createHelmRepository")
	tn.Own["CreditCard"] = created(t, tn.Owner.Do(t,
		`mutation($org: ID!) {
			updateBillingInfo(organizationID: $org, input: {firstName: "A", lastName: "B", email: "billing@example.com", address: "1 Main St", city: "Paris", zip: "75001", countryCode: "FR"}) { email }
			addCreditCard(organizationID: $org, input: {paymentMethodToken: "tok_visa"}) { id }
		}`, map[string]any{"org": tn.Org.ID}), "addCreditCard")
	tn.Own["Invoice"] = fx.invoice()
	fx.ensureEvent()

	tn.Own["Organization"] = tn.Org.ID
	tn.Own["User"] = userID(t, e, tn.Owner)
	m, err := e.DB.Client.Membership.Query().
		Where(membership.OrganizationID(tn.Org.ID), membership.UserID(userID(t, e, tn.Member))).Only(ctx)
	if err != nil {
		t.Fatalf("find member: %v", err)
	}
	tn.Own["Membership"] = m.ID
	tn.IDs = organizationIDs(t, e, tn.Org.ID)
	tn.Own["OrganizationEvent"] = tn.IDs["OrganizationEvent"][0]

	for _, ids := range tn.IDs {
		tn.Markers = append(tn.Markers, ids...)
	}
	tn.Markers = append(tn.Markers, tn.Org.Name, projectName, clusterName, roleName, email, tn.Owner.Login, tn.Member.Login,
		labelsGroupName, annotationsGroupName)
	return tn
}

// created is the id of the object a create mutation returned.
func created(t *testing.T, resp *testkit.Response, operation string) string {
	t.Helper()
	var data map[string]struct{ ID string }
	resp.OK(t, &data)
	return data[operation].ID
}

// organizationIDs reads every ID of organization orgID from the database,
// by GraphQL type (the permission rows of custom roles, which the schema does
// not expose, under their ent names): the organization, its members' users,
// memberships, roles, invitations, projects, clusters, labels and
// annotations groups, and events.
func organizationIDs(t *testing.T, e *testkit.Env, orgID string) map[string][]string {
	t.Helper()
	rows := organizationRows(t, e, orgID)
	out := map[string][]string{}
	for typ, list := range rows {
		if strings.HasPrefix(typ, linksPrefix) {
			continue
		}
		for _, row := range list {
			var r struct{ ID string }
			if err := json.Unmarshal(row, &r); err != nil || r.ID == "" {
				t.Fatalf("%s row without id: %s", typ, row)
			}
			out[typ] = append(out[typ], r.ID)
		}
	}
	for _, typ := range []string{"Organization", "User", "Membership", "Role", "Invitation", "Project", "Cluster", "OrganizationEvent", "APIToken",
		"LabelsGroup", "AnnotationsGroup"} {
		if len(out[typ]) == 0 {
			t.Fatalf("organization %s has no %s: the setup is incomplete", orgID, typ)
		}
	}
	return out
}
