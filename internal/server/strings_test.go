package server_test

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/orgql/orgql/graph/generated"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

// stringOp is an operation whose variables are named after the arguments
// they fill, so a variable's path is the argument's path.
type stringOp struct {
	field string // Type.field, for the coverage check
	doc   string
	vars  map[string]any
}

// enumKeys name the input fields whose strings are enum values: a NUL there
// makes no enum value, and validation refuses it before the guard.
var enumKeys = map[string]bool{"plan": true, "permission": true, "environmentType": true, "cloudProvider": true, "kubernetesMode": true, "status": true, "kind": true, "provider": true,
	"scopes": true}

// stringLeaves lists the paths of the strings in v, by dotted path from prefix.
func stringLeaves(prefix string, v any) []string {
	switch v := v.(type) {
	case string:
		return []string{prefix}
	case map[string]any:
		var out []string
		for k, item := range v {
			if !enumKeys[k] {
				out = append(out, stringLeaves(join(prefix, k), item)...)
			}
		}
		return out
	case []any:
		var out []string
		for i, item := range v {
			out = append(out, stringLeaves(join(prefix, strconv.Itoa(i)), item)...)
		}
		return out
	}
	return nil
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// withString returns a deep copy of v with the string at path passed through f.
func withString(v any, path []string, f func(string) string) any {
	if len(path) == 0 {
		return f(v.(string))
	}
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, item := range v {
			out[k] = item
		}
		out[path[0]] = withString(v[path[0]], path[1:], f)
		return out
	case []any:
		out := append([]any(nil), v...)
		i, _ := strconv.Atoi(path[0])
		out[i] = withString(v[i], path[1:], f)
		return out
	}
	panic("no string at path")
}

// A NUL in any string of any argument — IDs, cursors, filters, names,
// descriptions, e-mails, URLs, tokens, confirmations — is BAD_USER_INPUT
// naming its path on both stores, and nothing runs.
func TestNULInAnyStringIsBadUserInput(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrgOnPlan(t, "TEAM")
		bob := e.SignIn(t, "bob")
		e.AddMember(t, org, bob, rbac.Viewer)
		bobMembership := e.MembershipID(t, org, bob)
		viewerRole := e.RoleID(t, org, rbac.Viewer)
		var created struct {
			CreateProject struct{ ID string }
			CreateCluster struct{ ID string }
		}
		alice.Do(t, `mutation($org: ID!) {
			createProject(organizationID: $org, input: {name: "web"}) { id }
			createCluster(organizationID: $org, input: {name: "prod", cloudProvider: AWS, region: "eu-west-3"}) { id }
		}`, map[string]any{"org": org.ID}).OK(t, &created)
		project, cluster := created.CreateProject.ID, created.CreateCluster.ID
		var role struct{ CreateCustomRole struct{ ID string } }
		alice.Do(t, `mutation($org: ID!) { createCustomRole(organizationID: $org, input: {name: "Ops"}) { id } }`, map[string]any{"org": org.ID}).OK(t, &role)
		invitation, token := alice.Invite(t, org, "guest@acme.dev", viewerRole)
		cursor := orgCursors(t, alice, "")[0]
		_, apiToken := alice.CreateAPIToken(t, org, viewerRole)
		var creds struct {
			CreateContainerRegistry, CreateGitToken, CreateHelmRepository struct{ ID string }
		}
		alice.Do(t, `mutation($org: ID!) {
			createContainerRegistry(organizationID: $org, input: {name: "hub", kind: DOCKER_HUB, config: {username: "u", password: "p"}}) { id }
			createGitToken(organizationID: $org, input: {name: "gh", provider: GITHUB, token: "t"}) { id }
			createHelmRepository(organizationID: $org, input: {name: "charts", kind: HTTPS, url: "https://charts.acme.dev"}) { id }
		}`, map[string]any{"org": org.ID}).OK(t, &creds)
		registry, gitToken, helmRepo := creds.CreateContainerRegistry.ID, creds.CreateGitToken.ID, creds.CreateHelmRepository.ID
		registryInput := map[string]any{"name": "ghcr", "kind": "GITHUB_CR", "description": "Images", "url": "https://ghcr.io",
			"config": map[string]any{"username": "octo", "password": "pat"}, "clearSecrets": []any{}}
		gitInput := map[string]any{"name": "bb", "description": "Repos", "provider": "BITBUCKET", "token": "secret", "workspace": "acme"}
		helmInput := map[string]any{"name": "oci", "kind": "OCI_GENERIC_CR", "description": "Charts", "url": "oci://registry.acme.dev/charts",
			"config": map[string]any{"username": "u", "password": "p"}}
		var groups struct {
			CreateLabelsGroup, CreateAnnotationsGroup struct{ ID string }
		}
		alice.Do(t, `mutation($org: ID!) {
			createLabelsGroup(organizationID: $org, input: {name: "labels", labels: [{key: "team", value: "web", propagateToCloudProvider: false}]}) { id }
			createAnnotationsGroup(organizationID: $org, input: {name: "annotations", annotations: [{key: "note", value: "x"}], scopes: [PODS]}) { id }
		}`, map[string]any{"org": org.ID}).OK(t, &groups)
		labelsGroup, annotationsGroup := groups.CreateLabelsGroup.ID, groups.CreateAnnotationsGroup.ID
		var added struct{ AddCreditCard struct{ ID string } }
		alice.Do(t, `mutation($org: ID!) { addCreditCard(organizationID: $org, input: {paymentMethodToken: "tok_visa"}) { id } }`,
			map[string]any{"org": org.ID}).OK(t, &added)
		card := added.AddCreditCard.ID
		labelsGroupInput := map[string]any{"name": "team", "labels": []any{map[string]any{"key": "example.com/team", "value": "web", "propagateToCloudProvider": true}}}
		annotationsGroupInput := map[string]any{"name": "notes", "annotations": []any{map[string]any{"key": "example.com/note", "value": "text"}}, "scopes": []any{"PODS"}}

		where := map[string]any{"nameContains": "Org", "idIn": []any{org.ID}, "hasProjectsWith": []any{map[string]any{"name": "web"}}}
		roleInput := map[string]any{"name": "Deployers", "description": "Deploys",
			"clusterPermissions": []any{map[string]any{"clusterID": cluster, "permission": "ADMIN"}},
			"projectPermissions": []any{map[string]any{"projectID": project, "permissions": []any{map[string]any{"environmentType": "PRODUCTION", "permission": "DEPLOYER"}}}}}
		orgInput := map[string]any{"name": "Acme Rockets", "description": "Rockets", "websiteURL": "https://acme.dev",
			"adminContactEmails": []any{"ops@acme.dev", "cto@acme.dev"}, "logoURL": "https://acme.dev/logo.png"}
		ops := []stringOp{
			{"Query.node", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": org.ID}},
			{"Query.nodes", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []any{org.ID, project}}},
			{"Query.organization", `query($id: ID!) { organization(id: $id) { id } }`, map[string]any{"id": org.ID}},
			{"Query.invitation", `query($token: String!) { invitation(token: $token) { email } }`, map[string]any{"token": token}},
			{"Viewer.organizations", `query($where: OrganizationWhereInput, $after: Cursor) { viewer { organizations(where: $where, after: $after) { totalCount } } }`,
				map[string]any{"where": where, "after": cursor}},
			{"Organization.members", `query($id: ID!, $where: MembershipWhereInput) { organization(id: $id) { members(where: $where) { totalCount } } }`,
				map[string]any{"id": org.ID, "where": map[string]any{"idNEQ": bobMembership, "hasUserWith": []any{map[string]any{"loginContains": "b"}}}}},
			{"Organization.projects", `query($id: ID!, $where: ProjectWhereInput, $before: Cursor) { organization(id: $id) { projects(where: $where, before: $before) { totalCount } } }`,
				map[string]any{"id": org.ID, "where": map[string]any{"nameHasPrefix": "w", "descriptionContains": "x"}, "before": cursor}},
			{"Organization.clusters", `query($id: ID!, $where: ClusterWhereInput) { organization(id: $id) { clusters(where: $where) { totalCount } } }`,
				map[string]any{"id": org.ID, "where": map[string]any{"or": []any{map[string]any{"regionEqualFold": "EU-WEST-3"}, map[string]any{"name": "prod"}}}}},
			{"Organization.invitations", `query($id: ID!, $where: InvitationWhereInput) { organization(id: $id) { invitations(where: $where) { totalCount } } }`,
				map[string]any{"id": org.ID, "where": map[string]any{"not": map[string]any{"emailContains": "guest"}}}},
			{"Mutation.createOrganization", `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`,
				map[string]any{"input": mergeVars(map[string]any{"firstProject": map[string]any{"name": "web", "description": "The site"}}, orgInput)}},
			{"Mutation.updateOrganization", `mutation($id: ID!, $input: UpdateOrganizationInput!) { updateOrganization(id: $id, input: $input) { id } }`,
				map[string]any{"id": org.ID, "input": orgInput}},
			{"Mutation.deleteOrganization", `mutation($id: ID!, $confirmName: String!) { deleteOrganization(id: $id, confirmName: $confirmName) }`,
				map[string]any{"id": org.ID, "confirmName": org.Name}},
			{"Mutation.switchOrganization", `mutation($id: ID!) { switchOrganization(id: $id) { user { id } } }`, map[string]any{"id": org.ID}},
			{"Mutation.changePlan", `mutation($organizationID: ID!, $plan: PlanCode!) { changePlan(organizationID: $organizationID, plan: $plan) { id } }`,
				map[string]any{"organizationID": org.ID, "plan": "ENTERPRISE"}},
			{"Mutation.inviteMember", `mutation($organizationID: ID!, $input: InviteMemberInput!) { inviteMember(organizationID: $organizationID, input: $input) { id } }`,
				map[string]any{"organizationID": org.ID, "input": map[string]any{"email": "new@acme.dev", "roleID": viewerRole}}},
			{"Mutation.resendInvitation", `mutation($id: ID!) { resendInvitation(id: $id) { id } }`, map[string]any{"id": invitation}},
			{"Mutation.revokeInvitation", `mutation($id: ID!) { revokeInvitation(id: $id) }`, map[string]any{"id": invitation}},
			{"Mutation.acceptInvitation", `mutation($token: String!) { acceptInvitation(token: $token) { id } }`, map[string]any{"token": token}},
			{"Mutation.updateMemberRole", `mutation($membershipID: ID!, $roleID: ID!) { updateMemberRole(membershipID: $membershipID, roleID: $roleID) { id } }`,
				map[string]any{"membershipID": bobMembership, "roleID": role.CreateCustomRole.ID}},
			{"Mutation.removeMember", `mutation($membershipID: ID!) { removeMember(membershipID: $membershipID) }`, map[string]any{"membershipID": bobMembership}},
			{"Mutation.leaveOrganization", `mutation($organizationID: ID!) { leaveOrganization(organizationID: $organizationID) }`, map[string]any{"organizationID": org.ID}},
			{"Mutation.transferOwnership", `mutation($organizationID: ID!, $membershipID: ID!) { transferOwnership(organizationID: $organizationID, membershipID: $membershipID) { id } }`,
				map[string]any{"organizationID": org.ID, "membershipID": bobMembership}},
			{"Mutation.createCustomRole", `mutation($organizationID: ID!, $input: CustomRoleInput!) { createCustomRole(organizationID: $organizationID, input: $input) { id } }`,
				map[string]any{"organizationID": org.ID, "input": roleInput}},
			{"Mutation.updateCustomRole", `mutation($id: ID!, $input: CustomRoleInput!) { updateCustomRole(id: $id, input: $input) { id } }`,
				map[string]any{"id": role.CreateCustomRole.ID, "input": roleInput}},
			{"Mutation.deleteCustomRole", `mutation($id: ID!) { deleteCustomRole(id: $id) }`, map[string]any{"id": role.CreateCustomRole.ID}},
			{"Mutation.createProject", `mutation($organizationID: ID!, $input: CreateProjectInput!) { createProject(organizationID: $organizationID, input: $input) { id } }`,
				map[string]any{"organizationID": org.ID, "input": map[string]any{"name": "api", "description": "The API"}}},
			{"Mutation.updateProject", `mutation($id: ID!, $input: UpdateProjectInput!) { updateProject(id: $id, input: $input) { id } }`,
				map[string]any{"id": project, "input": map[string]any{"name": "site", "description": "The site"}}},
			{"Mutation.deleteProject", `mutation($id: ID!) { deleteProject(id: $id) }`, map[string]any{"id": project}},
			{"Mutation.createCluster", `mutation($organizationID: ID!, $input: CreateClusterInput!) { createCluster(organizationID: $organizationID, input: $input) { id } }`,
				map[string]any{"organizationID": org.ID, "input": map[string]any{"name": "staging", "description": "Tests", "cloudProvider": "GCP", "region": "europe-west1", "kubernetesMode": "MANAGED",
					"labelsGroupIDs": []any{labelsGroup}}}},
			{"Mutation.updateCluster", `mutation($id: ID!, $input: UpdateClusterInput!) { updateCluster(id: $id, input: $input) { id } }`,
				map[string]any{"id": cluster, "input": map[string]any{"name": "production", "description": "Live", "region": "eu-west-1", "labelsGroupIDs": []any{labelsGroup}}}},
			{"Mutation.deleteCluster", `mutation($id: ID!) { deleteCluster(id: $id) }`, map[string]any{"id": cluster}},
			{"Organization.apiTokens", `query($id: ID!, $where: APITokenWhereInput, $after: Cursor, $before: Cursor) { organization(id: $id) { apiTokens(where: $where, after: $after, before: $before) { totalCount } } }`,
				map[string]any{"id": org.ID, "where": map[string]any{"nameContains": "ci"}, "after": cursor, "before": cursor}},
			{"Mutation.createAPIToken", `mutation($organizationID: ID!, $input: CreateAPITokenInput!) { createAPIToken(organizationID: $organizationID, input: $input) { token } }`,
				map[string]any{"organizationID": org.ID, "input": map[string]any{"name": "ci", "description": "Deploys", "roleID": viewerRole}}},
			{"Mutation.deleteAPIToken", `mutation($id: ID!) { deleteAPIToken(id: $id) }`, map[string]any{"id": apiToken}},
			{"Mutation.revokeSession", `mutation($id: ID!) { revokeSession(id: $id) }`, map[string]any{"id": "ses_00000000000000000000000000"}},
			{"Organization.containerRegistries", `query($id: ID!, $where: ContainerRegistryWhereInput) { organization(id: $id) { containerRegistries(where: $where) { totalCount } } }`,
				map[string]any{"id": org.ID, "where": map[string]any{"nameContains": "hub"}}},
			{"Organization.gitTokens", `query($id: ID!, $where: GitTokenWhereInput) { organization(id: $id) { gitTokens(where: $where) { totalCount } } }`,
				map[string]any{"id": org.ID, "where": map[string]any{"workspaceContains": "acme"}}},
			{"Organization.helmRepositories", `query($id: ID!, $where: HelmRepositoryWhereInput) { organization(id: $id) { helmRepositories(where: $where) { totalCount } } }`,
				map[string]any{"id": org.ID, "where": map[string]any{"nameHasPrefix": "c"}}},
			{"Mutation.createContainerRegistry", `mutation($organizationID: ID!, $input: ContainerRegistryInput!) { createContainerRegistry(organizationID: $organizationID, input: $input) { id } }`,
				map[string]any{"organizationID": org.ID, "input": registryInput}},
			{"Mutation.updateContainerRegistry", `mutation($id: ID!, $input: ContainerRegistryInput!) { updateContainerRegistry(id: $id, input: $input) { id } }`,
				map[string]any{"id": registry, "input": registryInput}},
			{"Mutation.deleteContainerRegistry", `mutation($id: ID!) { deleteContainerRegistry(id: $id) }`, map[string]any{"id": registry}},
			{"Mutation.checkContainerRegistry", `mutation($id: ID!) { checkContainerRegistry(id: $id) { status } }`, map[string]any{"id": registry}},
			{"Mutation.createGitToken", `mutation($organizationID: ID!, $input: GitTokenInput!) { createGitToken(organizationID: $organizationID, input: $input) { id } }`,
				map[string]any{"organizationID": org.ID, "input": gitInput}},
			{"Mutation.updateGitToken", `mutation($id: ID!, $input: GitTokenInput!) { updateGitToken(id: $id, input: $input) { id } }`,
				map[string]any{"id": gitToken, "input": gitInput}},
			{"Mutation.deleteGitToken", `mutation($id: ID!) { deleteGitToken(id: $id) }`, map[string]any{"id": gitToken}},
			{"Mutation.checkGitToken", `mutation($id: ID!) { checkGitToken(id: $id) { status } }`, map[string]any{"id": gitToken}},
			{"Mutation.createHelmRepository", `mutation($organizationID: ID!, $input: HelmRepositoryInput!) { createHelmRepository(organizationID: $organizationID, input: $input) { id } }`,
				map[string]any{"organizationID": org.ID, "input": helmInput}},
			{"Mutation.updateHelmRepository", `mutation($id: ID!, $input: HelmRepositoryInput!) { updateHelmRepository(id: $id, input: $input) { id } }`,
				map[string]any{"id": helmRepo, "input": helmInput}},
			{"Mutation.deleteHelmRepository", `mutation($id: ID!) { deleteHelmRepository(id: $id) }`, map[string]any{"id": helmRepo}},
			{"Mutation.checkHelmRepository", `mutation($id: ID!) { checkHelmRepository(id: $id) { status } }`, map[string]any{"id": helmRepo}},
			// Labels and annotations groups.
			{"Organization.labelsGroups", `query($id: ID!, $where: LabelsGroupWhereInput, $after: Cursor) { organization(id: $id) { labelsGroups(where: $where, after: $after) { totalCount } } }`,
				map[string]any{"id": org.ID, "where": map[string]any{"nameContains": "l", "hasClustersWith": []any{map[string]any{"name": "prod"}}}, "after": cursor}},
			{"Organization.annotationsGroups", `query($id: ID!, $where: AnnotationsGroupWhereInput, $before: Cursor) { organization(id: $id) { annotationsGroups(where: $where, before: $before) { totalCount } } }`,
				map[string]any{"id": org.ID, "where": map[string]any{"idNEQ": annotationsGroup}, "before": cursor}},
			{"Mutation.createLabelsGroup", `mutation($organizationID: ID!, $input: LabelsGroupInput!) { createLabelsGroup(organizationID: $organizationID, input: $input) { id } }`,
				map[string]any{"organizationID": org.ID, "input": labelsGroupInput}},
			{"Mutation.updateLabelsGroup", `mutation($id: ID!, $input: LabelsGroupInput!) { updateLabelsGroup(id: $id, input: $input) { id } }`,
				map[string]any{"id": labelsGroup, "input": labelsGroupInput}},
			{"Mutation.deleteLabelsGroup", `mutation($id: ID!) { deleteLabelsGroup(id: $id) }`, map[string]any{"id": labelsGroup}},
			{"Mutation.createAnnotationsGroup", `mutation($organizationID: ID!, $input: AnnotationsGroupInput!) { createAnnotationsGroup(organizationID: $organizationID, input: $input) { id } }`,
				map[string]any{"organizationID": org.ID, "input": annotationsGroupInput}},
			{"Mutation.updateAnnotationsGroup", `mutation($id: ID!, $input: AnnotationsGroupInput!) { updateAnnotationsGroup(id: $id, input: $input) { id } }`,
				map[string]any{"id": annotationsGroup, "input": annotationsGroupInput}},
			{"Mutation.deleteAnnotationsGroup", `mutation($id: ID!) { deleteAnnotationsGroup(id: $id) }`, map[string]any{"id": annotationsGroup}},
			{"Mutation.updateBillingInfo", `mutation($organizationID: ID!, $input: BillingInfoInput!) { updateBillingInfo(organizationID: $organizationID, input: $input) { email } }`,
				map[string]any{"organizationID": org.ID, "input": map[string]any{"firstName": "Ada", "lastName": "Lovelace", "email": "ada@acme.dev",
					"address": "1 Main St", "city": "Austin", "zip": "78701", "state": "TX", "countryCode": "US", "company": "Acme", "vatNumber": "US123"}}},
			{"Mutation.addCreditCard", `mutation($organizationID: ID!, $input: AddCreditCardInput!) { addCreditCard(organizationID: $organizationID, input: $input) { id } }`,
				map[string]any{"organizationID": org.ID, "input": map[string]any{"paymentMethodToken": "tok_visa"}}},
			{"Mutation.removeCreditCard", `mutation($id: ID!) { removeCreditCard(id: $id) }`, map[string]any{"id": card}},
			{"Mutation.setDefaultCreditCard", `mutation($id: ID!) { setDefaultCreditCard(id: $id) { id } }`, map[string]any{"id": card}},
			{"Billing.invoices", `query($id: ID!, $after: Cursor, $before: Cursor) { organization(id: $id) { billing { invoices(after: $after, before: $before) { totalCount } } } }`,
				map[string]any{"id": org.ID, "after": cursor, "before": cursor}},
			{"Organization.auditEvents", `query($id: ID!, $where: OrganizationEventWhereInput, $after: Cursor, $before: Cursor) { organization(id: $id) { auditEvents(where: $where, after: $after, before: $before) { totalCount } } }`,
				map[string]any{"id": org.ID, "where": map[string]any{"targetNameContains": "Org", "actorID": "usr_x"}, "after": cursor, "before": cursor}},
			{"Subscription.organizationEvents", `subscription($organizationID: ID!, $after: Cursor) { organizationEvents(organizationID: $organizationID, after: $after) { id } }`,
				map[string]any{"organizationID": org.ID, "after": cursor}},
		}
		covered := map[string]bool{}
		for _, op := range ops {
			covered[op.field] = true
			leaves := stringLeaves("", op.vars)
			sort.Strings(leaves)
			if len(leaves) == 0 {
				t.Fatalf("%s: no strings", op.field)
			}
			for _, leaf := range leaves {
				for _, place := range []func(string) string{
					func(s string) string { return s[:len(s)/2] + "\x00" + s[len(s)/2:] },
					func(s string) string { return "\x00" },
				} {
					vars := withString(op.vars, strings.Split(leaf, "."), place).(map[string]any)
					send := alice.Do
					if strings.HasPrefix(op.field, "Subscription.") {
						send = alice.Subscribe // over Server-Sent Events
					}
					badInput(t, send(t, op.doc, vars), leaf, fmt.Sprintf("%s with a NUL in %s", op.field, leaf))
				}
			}
		}
		// Also written in the document.
		badInput(t, alice.Do(t, `{ organization(id: "org_\u0000") { id } }`, nil), "id", "a literal NUL")
		badInput(t, alice.Do(t, `{ viewer { organizations(where: {or: [{nameContains: "a"}, {nameContains: "\u0000"}]}) { totalCount } } }`, nil),
			"where.or.1.nameContains", "a literal NUL in a filter")

		// Every field taking a string argument anywhere is in the table above.
		schema := generated.NewExecutableSchema(generated.Config{}).Schema()
		for _, typ := range schema.Types {
			if strings.HasPrefix(typ.Name, "__") || typ.Kind != ast.Object {
				continue
			}
			for _, f := range typ.Fields {
				if strings.HasPrefix(f.Name, "__") {
					continue
				}
				for _, a := range f.Arguments {
					if takesString(schema, a.Type, map[string]bool{}) && !covered[typ.Name+"."+f.Name] {
						t.Errorf("%s.%s takes a string (%s) but is not in the table", typ.Name, f.Name, a.Name)
					}
				}
			}
		}

		// Nothing ran: the organization, its roles, members, projects, clusters and invitations are as they were.
		var out struct {
			Organization struct {
				Name, Description, Plan string
				Roles                   []struct{ Name string }
				Members, Projects       struct{ TotalCount int }
				Clusters, Invitations   struct{ TotalCount int }
			}
			Viewer struct{ Organizations struct{ TotalCount int } }
		}
		alice.Do(t, `query($id: ID!) { organization(id: $id) { name description roles { name } members { totalCount }
			projects { totalCount } clusters { totalCount } invitations(status: PENDING) { totalCount } }
			viewer { organizations { totalCount } } }`, map[string]any{"id": org.ID}).OK(t, &out)
		o := out.Organization
		if o.Name != org.Name || o.Description != "" || len(o.Roles) != 6 || o.Members.TotalCount != 2 || o.Projects.TotalCount != 1 ||
			o.Clusters.TotalCount != 1 || o.Invitations.TotalCount != 1 || out.Viewer.Organizations.TotalCount != 1 {
			t.Fatalf("the refused operations changed something: %+v", out)
		}
		// Another organization's owner is told NOT_FOUND for the IDs, not BAD_USER_INPUT: the NUL comes first for everyone.
		stranger := e.SignIn(t, "mallory")
		badInput(t, stranger.Do(t, `query($id: ID!) { organization(id: $id) { id } }`, map[string]any{"id": org.ID + "\x00"}), "id", "stranger")
		stranger.Do(t, `query($id: ID!) { organization(id: $id) { id } }`, map[string]any{"id": org.ID}).Err(t, "NOT_FOUND")
	})
}

// takesString tells whether a value of type typ can hold a string.
func takesString(schema *ast.Schema, typ *ast.Type, seen map[string]bool) bool {
	if typ.Elem != nil {
		return takesString(schema, typ.Elem, seen)
	}
	def := schema.Types[typ.NamedType]
	switch {
	case def == nil, def.Kind == ast.Enum:
		return false
	case def.Kind == ast.Scalar:
		return def.Name == "String" || def.Name == "ID" || def.Name == "Cursor" || def.Name == "Map"
	case seen[def.Name]:
		return false
	}
	seen[def.Name] = true
	for _, f := range def.Fields {
		if takesString(schema, f.Type, seen) {
			return true
		}
	}
	return false
}

// Names and other single-line fields (e-mails, URLs, regions) refuse every
// control character, the line and paragraph separators, bidi controls and
// invisible zero-width characters; descriptions keep tab and line breaks and
// refuse the other controls. Both stores answer alike, and nothing changes.
func TestControlCharactersInTextFields(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrgOnPlan(t, "TEAM")
		var created struct {
			CreateProject struct{ ID string }
			CreateCluster struct{ ID string }
		}
		alice.Do(t, `mutation($org: ID!) {
			createProject(organizationID: $org, input: {name: "web"}) { id }
			createCluster(organizationID: $org, input: {name: "prod", cloudProvider: AWS, region: "eu-west-3"}) { id }
		}`, map[string]any{"org": org.ID}).OK(t, &created)
		project, cluster := created.CreateProject.ID, created.CreateCluster.ID
		viewerRole := e.RoleID(t, org, rbac.Viewer)

		type field struct {
			op, doc string
			vars    func(value string) map[string]any
			path    string
		}
		orgDoc := `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`
		updOrg := `mutation($id: ID!, $input: UpdateOrganizationInput!) { updateOrganization(id: $id, input: $input) { id } }`
		in := func(k string, v any, extra ...any) map[string]any {
			m := map[string]any{k: v}
			for i := 0; i+1 < len(extra); i += 2 {
				m[extra[i].(string)] = extra[i+1]
			}
			return m
		}
		singleLine := []field{
			{"createOrganization", orgDoc, func(v string) map[string]any { return in("input", in("name", "Acme"+v+"Rockets")) }, "input.name"},
			{"createOrganization", orgDoc, func(v string) map[string]any {
				return in("input", in("name", testkit.Unique("Org"), "websiteURL", "https://acme.dev/"+v))
			}, "input.websiteURL"},
			{"createOrganization", orgDoc, func(v string) map[string]any {
				return in("input", in("name", testkit.Unique("Org"), "logoURL", "https://acme.dev/"+v+".png"))
			}, "input.logoURL"},
			{"createOrganization", orgDoc, func(v string) map[string]any {
				return in("input", in("name", testkit.Unique("Org"), "adminContactEmails", []any{"ops" + v + "@acme.dev"}))
			}, "input.adminContactEmails.0"},
			{"createOrganization", orgDoc, func(v string) map[string]any {
				return in("input", in("name", testkit.Unique("Org"), "firstProject", in("name", "w"+v+"eb")))
			}, "input.firstProject.name"},
			{"updateOrganization", updOrg, func(v string) map[string]any { return in("id", org.ID, "input", in("name", "Acme"+v)) }, "input.name"},
			{"updateOrganization", updOrg, func(v string) map[string]any {
				return in("id", org.ID, "input", in("websiteURL", "https://"+v+"acme.dev"))
			}, "input.websiteURL"},
			{"createProject", `mutation($org: ID!, $input: CreateProjectInput!) { createProject(organizationID: $org, input: $input) { id } }`,
				func(v string) map[string]any { return in("org", org.ID, "input", in("name", "api"+v)) }, "input.name"},
			{"updateProject", `mutation($id: ID!, $input: UpdateProjectInput!) { updateProject(id: $id, input: $input) { id } }`,
				func(v string) map[string]any { return in("id", project, "input", in("name", v+"site")) }, "input.name"},
			{"createCluster", `mutation($org: ID!, $input: CreateClusterInput!) { createCluster(organizationID: $org, input: $input) { id } }`,
				func(v string) map[string]any {
					return in("org", org.ID, "input", in("name", "st"+v+"aging", "cloudProvider", "GCP", "region", "eu"))
				}, "input.name"},
			{"createCluster", `mutation($org: ID!, $input: CreateClusterInput!) { createCluster(organizationID: $org, input: $input) { id } }`,
				func(v string) map[string]any {
					return in("org", org.ID, "input", in("name", "staging", "cloudProvider", "GCP", "region", "europe"+v+"west1"))
				}, "input.region"},
			{"updateCluster", `mutation($id: ID!, $input: UpdateClusterInput!) { updateCluster(id: $id, input: $input) { id } }`,
				func(v string) map[string]any { return in("id", cluster, "input", in("region", "eu-west-1"+v)) }, "input.region"},
			{"createCustomRole", `mutation($org: ID!, $input: CustomRoleInput!) { createCustomRole(organizationID: $org, input: $input) { id } }`,
				func(v string) map[string]any { return in("org", org.ID, "input", in("name", "De"+v+"ployers")) }, "input.name"},
			{"inviteMember", `mutation($org: ID!, $input: InviteMemberInput!) { inviteMember(organizationID: $org, input: $input) { id } }`,
				func(v string) map[string]any {
					return in("org", org.ID, "input", in("email", "new"+v+"@acme.dev", "roleID", viewerRole))
				}, "input.email"},
		}
		refusedInLine := []string{"\x01", "\t", "\n", "\r", "\x1b", "\x7f", "\u0080", "\u0085", "\u009f", "\u2028", "\u2029",
			"\u202a", "\u202e", "\u2066", "\u2069", "\u200e", "\u061c", "\u200b", "\u2060", "\ufeff"}
		for _, f := range singleLine {
			for _, c := range refusedInLine {
				badInput(t, alice.Do(t, f.doc, f.vars(c)), f.path, fmt.Sprintf("%s %s with %q", f.op, f.path, c))
			}
		}

		descriptions := []field{
			{"createOrganization", orgDoc, func(v string) map[string]any { return in("input", in("name", testkit.Unique("Org"), "description", v)) }, "input.description"},
			{"updateOrganization", updOrg, func(v string) map[string]any { return in("id", org.ID, "input", in("description", v)) }, "input.description"},
			{"updateProject", `mutation($id: ID!, $input: UpdateProjectInput!) { updateProject(id: $id, input: $input) { id } }`,
				func(v string) map[string]any { return in("id", project, "input", in("description", v)) }, "input.description"},
			{"updateCluster", `mutation($id: ID!, $input: UpdateClusterInput!) { updateCluster(id: $id, input: $input) { id } }`,
				func(v string) map[string]any { return in("id", cluster, "input", in("description", v)) }, "input.description"},
			{"createCustomRole", `mutation($org: ID!, $input: CustomRoleInput!) { createCustomRole(organizationID: $org, input: $input) { id } }`,
				func(v string) map[string]any {
					return in("org", org.ID, "input", in("name", testkit.Unique("Role"), "description", v))
				}, "input.description"},
		}
		for _, f := range descriptions {
			for _, c := range []string{"\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\u0085", "\u009b"} {
				badInput(t, alice.Do(t, f.doc, f.vars("Line one"+c+"line two")), f.path, fmt.Sprintf("%s %s with %q", f.op, f.path, c))
			}
			alice.Do(t, f.doc, f.vars("Line one\nline two\r\n\tindented \u202eRTL\u202c")).OK(t, nil)
		}
		var out struct {
			Organization struct{ Name, Description, WebsiteURL string }
		}
		alice.Do(t, `query($id: ID!) { organization(id: $id) { name description websiteURL } }`, map[string]any{"id": org.ID}).OK(t, &out)
		if out.Organization.Name != org.Name || out.Organization.Description != "Line one\nline two\r\n\tindented \u202eRTL\u202c" || out.Organization.WebsiteURL != "" {
			t.Fatalf("organization after the refusals: %+v", out.Organization)
		}
		// Another organization's member cannot reach this one's fields at all.
		stranger := e.SignIn(t, "mallory")
		stranger.Do(t, updOrg, map[string]any{"id": org.ID, "input": map[string]any{"name": "Mine"}}).Err(t, "NOT_FOUND")
	})
}
