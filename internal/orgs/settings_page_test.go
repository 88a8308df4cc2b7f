package orgs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/containerregistry"
	"github.com/orgql/orgql/ent/gittoken"
	"github.com/orgql/orgql/ent/helmrepository"
	"github.com/orgql/orgql/internal/kubemeta"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
	"github.com/orgql/orgql/internal/token"
)

// settingsPage is what a console's settings page asks for: the first 50 of
// each settings connection, with who created each row.
const settingsPage = `query($id: ID!) { organization(id: $id) {
	apiTokens(first: 50) { totalCount edges { node { id name tokenHint role { name } creator { login } } } }
	containerRegistries(first: 50) { totalCount edges { node { id name kind url secretsSet creator { login } } } }
	gitTokens(first: 50) { totalCount edges { node { id name provider expiresAt creator { login } } } }
	helmRepositories(first: 50) { totalCount edges { node { id name kind url secretsSet creator { login } } } }
	labelsGroups(first: 50) { totalCount edges { node { id name labels { key value } creator { login } } } }
	annotationsGroups(first: 50) { totalCount edges { node { id name annotations { key value } scopes creator { login } } } }
} }`

// settingsConnections are the connections of settingsPage, in its order.
var settingsConnections = []string{"apiTokens", "containerRegistries", "gitTokens", "helmRepositories", "labelsGroups", "annotationsGroups"}

// seedSettings gives org n rows of every settings connection, created in
// turn by each of creators (user IDs).
func seedSettings(t *testing.T, e *testkit.Env, org testkit.Org, n int, creators []string) {
	t.Helper()
	ctx := testkit.System(context.Background())
	c := e.DB.Client
	viewer := e.RoleID(t, org, rbac.Viewer)
	name := func(kind string, i int) string { return fmt.Sprintf("%s-%03d", kind, i) }
	by := func(i int) string { return creators[i%len(creators)] }
	tokens := make([]*ent.APITokenCreate, n)
	registries := make([]*ent.ContainerRegistryCreate, n)
	gits := make([]*ent.GitTokenCreate, n)
	helms := make([]*ent.HelmRepositoryCreate, n)
	labels := make([]*ent.LabelsGroupCreate, n)
	annotations := make([]*ent.AnnotationsGroupCreate, n)
	for i := range n {
		tokens[i] = c.APIToken.Create().SetOrganizationID(org.ID).SetName(name("token", i)).SetRoleID(viewer).
			SetCreatorID(by(i)).SetTokenHash(token.Hash(token.New(token.APIToken))).SetTokenHint("abcd")
		registries[i] = c.ContainerRegistry.Create().SetOrganizationID(org.ID).SetName(name("registry", i)).
			SetKind(containerregistry.KindGENERIC_CR).SetURL("https://registry.example.com").SetCreatorID(by(i))
		gits[i] = c.GitToken.Create().SetOrganizationID(org.ID).SetName(name("git", i)).
			SetProvider(gittoken.ProviderGITHUB).SetCreatorID(by(i))
		helms[i] = c.HelmRepository.Create().SetOrganizationID(org.ID).SetName(name("helm", i)).
			SetKind(helmrepository.KindHTTPS).SetURL("https://charts.example.com").SetCreatorID(by(i))
		labels[i] = c.LabelsGroup.Create().SetOrganizationID(org.ID).SetName(name("labels", i)).
			SetLabels([]kubemeta.Label{{Key: "team", Value: "web"}}).SetCreatorID(by(i))
		annotations[i] = c.AnnotationsGroup.Create().SetOrganizationID(org.ID).SetName(name("annotations", i)).
			SetAnnotations([]kubemeta.Annotation{{Key: "owner", Value: "web"}}).SetScopes([]kubemeta.Scope{"PODS"}).SetCreatorID(by(i))
	}
	for what, err := range map[string]error{
		"API tokens":           c.APIToken.CreateBulk(tokens...).Exec(ctx),
		"container registries": c.ContainerRegistry.CreateBulk(registries...).Exec(ctx),
		"Git tokens":           c.GitToken.CreateBulk(gits...).Exec(ctx),
		"Helm repositories":    c.HelmRepository.CreateBulk(helms...).Exec(ctx),
		"labels groups":        c.LabelsGroup.CreateBulk(labels...).Exec(ctx),
		"annotations groups":   c.AnnotationsGroup.CreateBulk(annotations...).Exec(ctx),
	} {
		if err != nil {
			t.Fatalf("seed %s: %v", what, err)
		}
	}
}

// settingsPageStatements reads the settings page of org as c, checks that
// every connection lists want rows with their creators, and returns how many
// SQL statements it ran.
func settingsPageStatements(t *testing.T, c *testkit.Client, org testkit.Org, want int) int {
	t.Helper()
	type conn struct {
		TotalCount int
		Edges      []struct {
			Node struct {
				ID      string
				Creator *struct{ Login string }
			}
		}
	}
	var stmts testkit.Statements
	var out struct{ Organization map[string]conn }
	c.WithStatements(&stmts).Do(t, settingsPage, map[string]any{"id": org.ID}).OK(t, &out)
	for _, name := range settingsConnections {
		got := out.Organization[name]
		if got.TotalCount != want || len(got.Edges) != min(want, 50) {
			t.Fatalf("%s: totalCount %d, %d edges; want %d\n%s", name, got.TotalCount, len(got.Edges), want, strings.Join(stmts.List(), "\n"))
		}
		for _, e := range got.Edges {
			if e.Node.Creator == nil || e.Node.Creator.Login == "" {
				t.Fatalf("%s: %s without its creator", name, e.Node.ID)
			}
		}
	}
	t.Logf("%d rows each: %d statements:\n  %s", want, stmts.Count(), strings.Join(stmts.List(), "\n  "))
	return stmts.Count()
}

// The settings page runs the same number of statements with 60 rows in each
// connection (of which it shows 50) as with 120, whoever created them, and
// fewer with 2.
func TestSettingsPageStatementsDoNotGrowWithTheRows(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice, bob, carol := e.SignIn(t, "alice"), e.SignIn(t, "bob"), e.SignIn(t, "carol")
		creators := func(org testkit.Org, cs ...*testkit.Client) []string {
			var ids []string
			for _, c := range cs {
				if c != alice {
					e.AddMember(t, org, c, rbac.Admin)
				}
				var v struct {
					Viewer struct{ User struct{ ID string } }
				}
				c.Do(t, `{ viewer { user { id } } }`, nil).OK(t, &v)
				ids = append(ids, v.Viewer.User.ID)
			}
			return ids
		}
		small, large, larger := alice.CreateOrg(t), alice.CreateOrg(t), alice.CreateOrg(t)
		seedSettings(t, e, small, 2, creators(small, alice))
		seedSettings(t, e, large, 60, creators(large, alice, bob, carol))
		seedSettings(t, e, larger, 120, creators(larger, alice, bob, carol))
		alice.Do(t, `{ viewer { user { id } } }`, nil).OK(t, nil) // the session's activity is written now, not below

		few := settingsPageStatements(t, alice, small, 2)
		many := settingsPageStatements(t, alice, large, 60)
		more := settingsPageStatements(t, alice, larger, 120)
		if many != more {
			t.Fatalf("60 rows per connection take %d statements, 120 take %d", many, more)
		}
		// A page that is not full holds all the rows: their number is their
		// totalCount, and no connection counts them.
		if few != many-len(settingsConnections) {
			t.Fatalf("2 rows per connection take %d statements, 60 take %d: want one count fewer per connection", few, many)
		}

		// A member of another organization reads none of it.
		mallory := e.SignIn(t, "mallory")
		mallory.CreateOrg(t)
		mallory.Do(t, settingsPage, map[string]any{"id": large.ID}).Err(t, "NOT_FOUND")
	})
}
