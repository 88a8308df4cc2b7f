package apitokens_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/ent/apitoken"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
	"github.com/orgql/orgql/internal/token"
)

func TestMain(m *testing.M) { testkit.Main(m) }

const createDoc = `mutation($org: ID!, $input: CreateAPITokenInput!) {
	createAPIToken(organizationID: $org, input: $input) {
		token
		apiToken { id name description tokenHint expiresAt lastUsedAt createdAt role { kind } creator { login } }
	}
}`

const createProject = `mutation($org: ID!, $name: String!) { createProject(organizationID: $org, input: {name: $name}) { id } }`

func createToken(t *testing.T, c *testkit.Client, org testkit.Org, input map[string]any) (string, string) {
	t.Helper()
	var out struct {
		CreateAPIToken struct {
			Token    string
			APIToken struct {
				ID, Name, TokenHint string
				Role                struct{ Kind string }
				Creator             struct{ Login string }
			}
		}
	}
	c.Do(t, createDoc, map[string]any{"org": org.ID, "input": input}).OK(t, &out)
	return out.CreateAPIToken.Token, out.CreateAPIToken.APIToken.ID
}

// The value is returned once, with the oqt_ prefix and a checksum, and
// only its hash and last four characters are stored: no column, no event
// holds it.
func TestCreateAPITokenStoresOnlyItsHash(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		var out struct {
			CreateAPIToken struct {
				Token    string
				APIToken struct {
					ID, Name, TokenHint string
					Role                struct{ Kind string }
					Creator             struct{ Login string }
					ExpiresAt           *time.Time
				}
			}
		}
		expires := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
		alice.Do(t, createDoc, map[string]any{"org": org.ID, "input": map[string]any{
			"name": "ci", "description": "deploys", "roleID": e.RoleID(t, org, rbac.DevOps), "expiresAt": expires,
		}}).OK(t, &out)
		got := out.CreateAPIToken
		if err := token.Check(token.APIToken, got.Token); err != nil || !strings.HasPrefix(got.Token, "oqt_") {
			t.Fatalf("token %q: %v", got.Token, err)
		}
		if got.APIToken.TokenHint != got.Token[len(got.Token)-4:] || got.APIToken.Role.Kind != "DEVOPS" ||
			got.APIToken.Creator.Login != alice.Login || got.APIToken.ExpiresAt == nil || !got.APIToken.ExpiresAt.Equal(expires) {
			t.Fatalf("created %+v", got.APIToken)
		}
		sys := testkit.System(context.Background())
		row := e.DB.Client.APIToken.GetX(sys, got.APIToken.ID)
		if row.TokenHash != token.Hash(got.Token) {
			t.Fatal("the stored hash is not the token's SHA-256")
		}
		// Nothing stored anywhere holds the value or its secret part.
		secretPart := got.Token[len("oqt_") : len(got.Token)-6]
		for table, dump := range e.DumpTables(t) {
			if strings.Contains(dump, secretPart) {
				t.Errorf("table %s holds the token's value", table)
			}
		}
		ev := e.DB.Client.OrganizationEvent.Query().
			Where(organizationevent.TargetID(got.APIToken.ID), organizationevent.TypeEQ(organizationevent.TypeCREATE)).OnlyX(sys)
		if ev.TargetType != organizationevent.TargetTypeAPI_TOKEN || ev.TargetName != "ci" {
			t.Fatalf("event %+v", ev)
		}
		// The value is never readable again: no field of the type returns it.
		var list struct {
			Organization struct {
				APITokens struct {
					Edges []struct{ Node map[string]any }
				}
			}
		}
		alice.Do(t, `query($id: ID!) { organization(id: $id) { apiTokens { edges { node { id name tokenHint } } } } }`,
			map[string]any{"id": org.ID}).OK(t, &list)
		b, _ := json.Marshal(list)
		if strings.Contains(string(b), secretPart) || len(list.Organization.APITokens.Edges) != 1 {
			t.Fatalf("list: %s", b)
		}
	})
}

// A token authenticates as itself: no user, its one organization, and it
// acts there with its role and nowhere else.
func TestAPITokenActsOnlyInItsOrganizationWithItsRole(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		other := alice.CreateOrg(t) // alice's own other organization: out of the token's reach
		devops, devopsID := alice.CreateAPIToken(t, org, e.RoleID(t, org, rbac.DevOps))
		viewerToken, _ := alice.CreateAPIToken(t, org, e.RoleID(t, org, rbac.Viewer))

		var v struct {
			Viewer struct {
				ID                  string
				User                *struct{ ID string }
				APIToken            *struct{ ID string }
				CurrentOrganization *struct{ ID string }
				Organizations       struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
		devops.Do(t, `{ viewer { id user { id } apiToken { id } currentOrganization { id } organizations { edges { node { id } } } } }`, nil).OK(t, &v)
		if v.Viewer.ID != devopsID || v.Viewer.User != nil || v.Viewer.APIToken == nil || v.Viewer.APIToken.ID != devopsID ||
			v.Viewer.CurrentOrganization == nil || v.Viewer.CurrentOrganization.ID != org.ID ||
			len(v.Viewer.Organizations.Edges) != 1 || v.Viewer.Organizations.Edges[0].Node.ID != org.ID {
			t.Fatalf("token's viewer: %+v", v.Viewer)
		}
		devops.Do(t, createProject, map[string]any{"org": org.ID, "name": "by-token"}).OK(t, nil)
		devops.Do(t, createProject, map[string]any{"org": other.ID, "name": "elsewhere"}).Err(t, "NOT_FOUND")
		devops.Do(t, `query($id: ID!) { organization(id: $id) { id } }`, map[string]any{"id": other.ID}).Err(t, "NOT_FOUND")
		viewerToken.Do(t, createProject, map[string]any{"org": org.ID, "name": "by-viewer"}).Err(t, "FORBIDDEN")
		var roles struct {
			Organization struct{ ViewerRole struct{ Kind string } }
		}
		viewerToken.Do(t, `query($id: ID!) { organization(id: $id) { viewerRole { kind } } }`, map[string]any{"id": org.ID}).OK(t, &roles)
		if roles.Organization.ViewerRole.Kind != "VIEWER" {
			t.Fatalf("viewerRole %+v", roles)
		}
		// A person's acts are not a token's.
		devops.Do(t, `mutation { createOrganization(input: {name: "`+testkit.Unique("By token")+`"}) { id } }`, nil).Err(t, "FORBIDDEN")
		devops.Do(t, `mutation($id: ID!) { switchOrganization(id: $id) { id } }`, map[string]any{"id": org.ID}).Err(t, "FORBIDDEN")
		devops.Do(t, createDoc, map[string]any{"org": org.ID, "input": map[string]any{"name": "minted", "roleID": e.RoleID(t, org, rbac.Viewer)}}).Err(t, "FORBIDDEN")
		devops.Do(t, `mutation($id: ID!) { leaveOrganization(organizationID: $id) }`, map[string]any{"id": org.ID}).Err(t, "FORBIDDEN")
	})
}

// A token never acts above its creator: it cannot be given a role its
// creator could not grant, and while its creator is a member whose role
// dropped below the token's, it acts with the creator's role. A creator who
// left leaves the token its own role.
func TestAPITokenNeverActsAboveItsCreator(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		owner := e.SignIn(t, "owner")
		org := owner.CreateOrg(t)
		admin := e.SignIn(t, "admin")
		e.AddMember(t, org, admin, rbac.Admin)
		devops := e.SignIn(t, "devops")
		e.AddMember(t, org, devops, rbac.DevOps)

		for _, refused := range []struct {
			by   *testkit.Client
			role rbac.Kind
		}{{owner, rbac.Owner}, {admin, rbac.Owner}, {devops, rbac.Admin}, {devops, rbac.Billing}} {
			err := refused.by.Do(t, createDoc, map[string]any{"org": org.ID, "input": map[string]any{"name": testkit.Unique("t"), "roleID": e.RoleID(t, org, refused.role)}}).Err(t, "FORBIDDEN")
			if err.Field() != "input.roleID" {
				t.Errorf("refusal of a %s token: field %q", refused.role, err.Field())
			}
		}

		tok, _ := admin.CreateAPIToken(t, org, e.RoleID(t, org, rbac.Admin))
		tok.Do(t, `mutation($id: ID!) { updateOrganization(id: $id, input: {description: "by token"}) { id } }`, map[string]any{"id": org.ID}).OK(t, nil)
		// The creator is demoted to VIEWER: the token acts as a VIEWER.
		membership := e.MembershipID(t, org, admin)
		owner.Do(t, `mutation($m: ID!, $r: ID!) { updateMemberRole(membershipID: $m, roleID: $r) { id } }`,
			map[string]any{"m": membership, "r": e.RoleID(t, org, rbac.Viewer)}).OK(t, nil)
		tok.Do(t, `mutation($id: ID!) { updateOrganization(id: $id, input: {description: "again"}) { id } }`, map[string]any{"id": org.ID}).Err(t, "FORBIDDEN")
		var role struct {
			Organization struct{ ViewerRole struct{ Kind string } }
		}
		tok.Do(t, `query($id: ID!) { organization(id: $id) { viewerRole { kind } } }`, map[string]any{"id": org.ID}).OK(t, &role)
		if role.Organization.ViewerRole.Kind != "VIEWER" {
			t.Fatalf("a demoted creator's ADMIN token acts as %s", role.Organization.ViewerRole.Kind)
		}
		// The creator is removed: the token keeps the role it was given.
		owner.Do(t, `mutation($m: ID!) { removeMember(membershipID: $m) }`, map[string]any{"m": membership}).OK(t, nil)
		tok.Do(t, `mutation($id: ID!) { updateOrganization(id: $id, input: {description: "after removal"}) { id } }`, map[string]any{"id": org.ID}).OK(t, nil)
	})
}

// Expired and deleted tokens answer like no token; a token with a bad
// checksum is refused without a database query.
func TestAPITokensThatStopWorking(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		tok, id := alice.CreateAPIToken(t, org, e.RoleID(t, org, rbac.Viewer))
		const q = `{ viewer { id } }`
		tok.Do(t, q, nil).OK(t, nil)

		value := strings.TrimPrefix(tok.Header.Get("Authorization"), "Token ")
		tampered := value[:len(value)-1] + map[bool]string{true: "A", false: "B"}[value[len(value)-1] != 'A']
		var stmts testkit.Statements
		e.APIToken(tampered).WithStatements(&stmts).Do(t, q, nil).Err(t, "UNAUTHENTICATED")
		if stmts.Count() != 0 {
			t.Fatalf("a token with a bad checksum ran %d statements", stmts.Count())
		}
		e.APIToken(token.New(token.Session)).Do(t, q, nil).Err(t, "UNAUTHENTICATED")

		sys := testkit.System(context.Background())
		e.DB.Client.APIToken.UpdateOneID(id).SetLastUsedAt(time.Now()).ExecX(sys)
		expiring, expiringID := alice.CreateAPIToken(t, org, e.RoleID(t, org, rbac.Viewer))
		if _, err := e.DB.SQL.Exec(rebind(e, "UPDATE api_tokens SET expires_at = ? WHERE id = ?"), time.Now().Add(-time.Second), expiringID); err != nil {
			t.Fatal(err)
		}
		expiring.Do(t, q, nil).Err(t, "UNAUTHENTICATED")

		// A second organization neither sees nor deletes the token.
		bob := e.SignIn(t, "bob")
		bob.CreateOrg(t)
		bob.Do(t, `mutation($id: ID!) { deleteAPIToken(id: $id) }`, map[string]any{"id": id}).Err(t, "NOT_FOUND")
		bob.Do(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}).Err(t, "NOT_FOUND")
		tok.Do(t, q, nil).OK(t, nil)

		var out struct{ DeleteAPIToken string }
		alice.Do(t, `mutation($id: ID!) { deleteAPIToken(id: $id) }`, map[string]any{"id": id}).OK(t, &out)
		if out.DeleteAPIToken != id {
			t.Fatalf("deleteAPIToken returned %q", out.DeleteAPIToken)
		}
		tok.Do(t, q, nil).Err(t, "UNAUTHENTICATED")
		if e.DB.Client.APIToken.Query().Where(apitoken.ID(id)).ExistX(sys) {
			t.Fatal("the deleted token's row is still there")
		}
	})
}

func rebind(e *testkit.Env, query string) string {
	if e.Backend != testkit.Postgres {
		return query
	}
	n := 0
	return regexp.MustCompile(`\?`).ReplaceAllStringFunc(query, func(string) string { n++; return "$" + string(rune('0'+n)) })
}

// Every member reads the organization's tokens (never their values); only
// those who manage settings create or delete them; a custom role a token
// holds cannot be deleted.
func TestAPITokenRoles(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		owner := e.SignIn(t, "owner")
		org := owner.CreateOrg(t)
		viewer := e.SignIn(t, "viewer")
		e.AddMember(t, org, viewer, rbac.Viewer)
		_, id := owner.CreateAPIToken(t, org, e.RoleID(t, org, rbac.Viewer))
		var list struct {
			Organization struct{ APITokens struct{ TotalCount int } }
		}
		viewer.Do(t, `query($id: ID!) { organization(id: $id) { apiTokens { totalCount } } }`, map[string]any{"id": org.ID}).OK(t, &list)
		if list.Organization.APITokens.TotalCount != 1 {
			t.Fatalf("a VIEWER reads %d tokens", list.Organization.APITokens.TotalCount)
		}
		viewer.Do(t, createDoc, map[string]any{"org": org.ID, "input": map[string]any{"name": "mine", "roleID": e.RoleID(t, org, rbac.Viewer)}}).Err(t, "FORBIDDEN")
		viewer.Do(t, `mutation($id: ID!) { deleteAPIToken(id: $id) }`, map[string]any{"id": id}).Err(t, "FORBIDDEN")

		var role struct{ CreateCustomRole struct{ ID string } }
		owner.Do(t, `mutation($org: ID!) { createCustomRole(organizationID: $org, input: {name: "Scripts"}) { id } }`,
			map[string]any{"org": org.ID}).OK(t, &role)
		_, customTokenID := owner.CreateAPIToken(t, org, role.CreateCustomRole.ID)
		owner.Do(t, `mutation($id: ID!) { deleteCustomRole(id: $id) }`, map[string]any{"id": role.CreateCustomRole.ID}).Err(t, "CONFLICT")
		owner.Do(t, `mutation($id: ID!) { deleteAPIToken(id: $id) }`, map[string]any{"id": customTokenID}).OK(t, nil)
		owner.Do(t, `mutation($id: ID!) { deleteCustomRole(id: $id) }`, map[string]any{"id": role.CreateCustomRole.ID}).OK(t, nil)

		// Names are unique in the organization; a past expiry is refused.
		owner.Do(t, createDoc, map[string]any{"org": org.ID, "input": map[string]any{"name": "dup", "roleID": e.RoleID(t, org, rbac.Viewer)}}).OK(t, nil)
		if err := owner.Do(t, createDoc, map[string]any{"org": org.ID, "input": map[string]any{"name": "DUP", "roleID": e.RoleID(t, org, rbac.Viewer)}}).Err(t, "CONFLICT"); err.Field() != "input.name" {
			t.Fatalf("conflict field %q", err.Field())
		}
		if err := owner.Do(t, createDoc, map[string]any{"org": org.ID, "input": map[string]any{"name": "old", "roleID": e.RoleID(t, org, rbac.Viewer), "expiresAt": time.Now().Add(-time.Hour)}}).Err(t, "BAD_USER_INPUT"); err.Field() != "input.expiresAt" {
			t.Fatalf("expiry field %q", err.Field())
		}
	})
}

// A token's last use is written at most once a minute.
func TestAPITokenLastUse(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		tok, id := alice.CreateAPIToken(t, org, e.RoleID(t, org, rbac.Viewer))
		sys := testkit.System(context.Background())
		if e.DB.Client.APIToken.GetX(sys, id).LastUsedAt != nil {
			t.Fatal("a new token has a last use")
		}
		tok.Do(t, `{ viewer { id } }`, nil).OK(t, nil)
		first := e.DB.Client.APIToken.GetX(sys, id).LastUsedAt
		if first == nil {
			t.Fatal("no last use after a request")
		}
		tok.Do(t, `{ viewer { id } }`, nil).OK(t, nil)
		if again := e.DB.Client.APIToken.GetX(sys, id).LastUsedAt; !again.Equal(*first) {
			t.Fatalf("last use rewritten within the minute: %v then %v", first, again)
		}
	})
}
