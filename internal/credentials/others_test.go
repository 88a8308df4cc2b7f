package credentials_test

import (
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

const createHelm = `mutation($org: ID!, $input: HelmRepositoryInput!) { createHelmRepository(organizationID: $org, input: $input) {
	id name kind url skipTLSVerification secretsSet config { username region accessKeyID roleARN scalewayAccessKey scalewayProjectID } } }`
const updateHelm = `mutation($id: ID!, $input: HelmRepositoryInput!) { updateHelmRepository(id: $id, input: $input) { id url secretsSet config { username } } }`

const createGit = `mutation($org: ID!, $input: GitTokenInput!) { createGitToken(organizationID: $org, input: $input) { id name provider workspace apiURL expiresAt creator { login } } }`
const updateGit = `mutation($id: ID!, $input: GitTokenInput!) { updateGitToken(id: $id, input: $input) { id provider workspace apiURL expiresAt } }`

func TestHelmRepositories(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		const secretValue = "hunter2-helm-password"
		var out struct {
			CreateHelmRepository struct {
				ID, URL             string
				SkipTLSVerification bool
				SecretsSet          []string
				Config              map[string]any
			}
		}
		alice.Do(t, createHelm, map[string]any{"org": org.ID, "input": map[string]any{"name": "charts", "kind": "HTTPS",
			"url": "https://charts.acme.dev/", "skipTLSVerification": true, "config": map[string]any{"username": "u", "password": secretValue}}}).OK(t, &out)
		got := out.CreateHelmRepository
		if got.URL != "https://charts.acme.dev" || !got.SkipTLSVerification || strings.Join(got.SecretsSet, ",") != "password" || got.Config["username"] != "u" {
			t.Fatalf("created %+v", got)
		}
		var up struct {
			UpdateHelmRepository struct {
				URL        string
				SecretsSet []string
			}
		}
		alice.Do(t, updateHelm, map[string]any{"id": got.ID, "input": map[string]any{"name": "charts", "kind": "HTTPS",
			"url": "https://charts.acme.dev", "config": map[string]any{"username": "u"}}}).OK(t, &up)
		if strings.Join(up.UpdateHelmRepository.SecretsSet, ",") != "password" {
			t.Fatalf("an update without the password lost it: %+v", up)
		}
		// The default URL of an OCI kind, and the URL rules of both schemes.
		var oci struct{ CreateHelmRepository struct{ URL string } }
		alice.Do(t, createHelm, map[string]any{"org": org.ID, "input": map[string]any{"name": "ghcr", "kind": "OCI_GITHUB_CR"}}).OK(t, &oci)
		if oci.CreateHelmRepository.URL != "oci://ghcr.io" {
			t.Fatalf("OCI_GITHUB_CR default URL %q", oci.CreateHelmRepository.URL)
		}
		before := countRows(t, e, "helm_repositories")
		for _, c := range []struct {
			name  string
			input map[string]any
			field string
		}{
			{"HTTPS over oci", map[string]any{"name": "a", "kind": "HTTPS", "url": "oci://charts.acme.dev"}, "input.url"},
			{"HTTPS over http", map[string]any{"name": "a", "kind": "HTTPS", "url": "http://charts.acme.dev"}, "input.url"},
			{"HTTPS without URL", map[string]any{"name": "a", "kind": "HTTPS"}, "input.url"},
			{"OCI over https", map[string]any{"name": "a", "kind": "OCI_GENERIC_CR", "url": "https://registry.acme.dev"}, "input.url"},
			{"OCI with credentials in the URL", map[string]any{"name": "a", "kind": "OCI_GENERIC_CR", "url": "oci://u:p@registry.acme.dev"}, "input.url"},
			{"ECR without region", map[string]any{"name": "a", "kind": "OCI_ECR", "url": "oci://1.dkr.ecr.eu-west-3.amazonaws.com", "config": map[string]any{"roleARN": "r"}}, "input.config.region"},
			{"ECR without keys or role", map[string]any{"name": "a", "kind": "OCI_ECR", "url": "oci://1.dkr.ecr.eu-west-3.amazonaws.com", "config": map[string]any{"region": "eu-west-3"}}, "input.config"},
			{"Scaleway without secret", map[string]any{"name": "a", "kind": "OCI_SCALEWAY_CR", "url": "oci://rg.fr-par.scw.cloud/ns", "config": map[string]any{"region": "fr-par", "scalewayAccessKey": "a", "scalewayProjectID": "p"}}, "input.config.scalewaySecretKey"},
			{"a setting the kind does not take", map[string]any{"name": "a", "kind": "HTTPS", "url": "https://charts.acme.dev", "config": map[string]any{"region": "eu"}}, "input.config.region"},
		} {
			if err := alice.Do(t, createHelm, map[string]any{"org": org.ID, "input": c.input}).Err(t, "BAD_USER_INPUT"); err.Field() != c.field {
				t.Errorf("%s: field %q (%s), want %q", c.name, err.Field(), err.Message, c.field)
			}
		}
		if after := countRows(t, e, "helm_repositories"); after != before {
			t.Fatalf("refused inputs stored %d repositories", after-before)
		}
		assertNoPlaintext(t, e, secretValue)

		mallory := e.SignIn(t, "mallory")
		mallory.CreateOrg(t)
		mallory.Do(t, updateHelm, map[string]any{"id": got.ID, "input": map[string]any{"name": "x", "kind": "HTTPS", "url": "https://x.dev"}}).Err(t, "NOT_FOUND")
		mallory.Do(t, `mutation($id: ID!) { deleteHelmRepository(id: $id) }`, map[string]any{"id": got.ID}).Err(t, "NOT_FOUND")
		mallory.Do(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": got.ID}).Err(t, "NOT_FOUND")
		viewer := e.SignIn(t, "viewer")
		e.AddMember(t, org, viewer, rbac.Viewer)
		viewer.Do(t, `mutation($id: ID!) { deleteHelmRepository(id: $id) }`, map[string]any{"id": got.ID}).Err(t, "FORBIDDEN")
		alice.Do(t, `mutation($id: ID!) { deleteHelmRepository(id: $id) }`, map[string]any{"id": got.ID}).OK(t, nil)
	})
}

func TestGitTokens(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		const secretValue = "ghp_hunter2secretvalue"
		var out struct {
			CreateGitToken struct {
				ID, Provider, Workspace, APIURL string
				Creator                         struct{ Login string }
			}
		}
		alice.Do(t, createGit, map[string]any{"org": org.ID, "input": map[string]any{"name": "gh", "provider": "GITHUB", "token": secretValue,
			"apiURL": "https://ghe.acme.dev/api/v3/"}}).OK(t, &out)
		got := out.CreateGitToken
		if got.Provider != "GITHUB" || got.APIURL != "https://ghe.acme.dev/api/v3" || got.Creator.Login != alice.Login {
			t.Fatalf("created %+v", got)
		}
		alice.Do(t, updateGit, map[string]any{"id": got.ID, "input": map[string]any{"name": "gh2", "provider": "GITHUB"}}).OK(t, nil)
		if !strings.HasPrefix(storedSecret(t, e, "git_tokens", got.ID, "token"), "v1.") {
			t.Fatal("an update without the token lost it")
		}
		before := countRows(t, e, "git_tokens")
		for _, c := range []struct {
			name  string
			input map[string]any
			field string
		}{
			{"no token", map[string]any{"name": "a", "provider": "GITHUB"}, "input.token"},
			{"an empty token", map[string]any{"name": "a", "provider": "GITHUB", "token": ""}, "input.token"},
			{"a token with a line break", map[string]any{"name": "a", "provider": "GITHUB", "token": "a\nb"}, "input.token"},
			{"Bitbucket without workspace", map[string]any{"name": "a", "provider": "BITBUCKET", "token": "t"}, "input.workspace"},
			{"a workspace for GitHub", map[string]any{"name": "a", "provider": "GITHUB", "token": "t", "workspace": "w"}, "input.workspace"},
			{"an API URL for Bitbucket", map[string]any{"name": "a", "provider": "BITBUCKET", "token": "t", "workspace": "w", "apiURL": "https://bb.acme.dev"}, "input.apiURL"},
			{"an http API URL", map[string]any{"name": "a", "provider": "GITLAB", "token": "t", "apiURL": "http://gitlab.acme.dev"}, "input.apiURL"},
			{"an API URL with credentials", map[string]any{"name": "a", "provider": "GITLAB", "token": "t", "apiURL": "https://u:p@gitlab.acme.dev"}, "input.apiURL"},
			{"an API URL with a query", map[string]any{"name": "a", "provider": "GITLAB", "token": "t", "apiURL": "https://gitlab.acme.dev?x=1"}, "input.apiURL"},
		} {
			if err := alice.Do(t, createGit, map[string]any{"org": org.ID, "input": c.input}).Err(t, "BAD_USER_INPUT"); err.Field() != c.field {
				t.Errorf("%s: field %q (%s), want %q", c.name, err.Field(), err.Message, c.field)
			}
		}
		if after := countRows(t, e, "git_tokens"); after != before {
			t.Fatalf("refused inputs stored %d tokens", after-before)
		}
		alice.Do(t, createGit, map[string]any{"org": org.ID, "input": map[string]any{"name": "bb", "provider": "BITBUCKET", "token": "t", "workspace": "acme"}}).OK(t, nil)
		assertNoPlaintext(t, e, secretValue)

		mallory := e.SignIn(t, "mallory")
		mallory.CreateOrg(t)
		mallory.Do(t, updateGit, map[string]any{"id": got.ID, "input": map[string]any{"name": "x", "provider": "GITHUB"}}).Err(t, "NOT_FOUND")
		mallory.Do(t, `mutation($id: ID!) { deleteGitToken(id: $id) }`, map[string]any{"id": got.ID}).Err(t, "NOT_FOUND")
		mallory.Do(t, `mutation($id: ID!) { checkGitToken(id: $id) { status } }`, map[string]any{"id": got.ID}).Err(t, "NOT_FOUND")
		viewer := e.SignIn(t, "viewer")
		e.AddMember(t, org, viewer, rbac.Viewer)
		var list struct {
			Organization struct{ GitTokens struct{ TotalCount int } }
		}
		viewer.Do(t, `query($id: ID!) { organization(id: $id) { gitTokens { totalCount } } }`, map[string]any{"id": org.ID}).OK(t, &list)
		if list.Organization.GitTokens.TotalCount != 2 {
			t.Fatalf("a VIEWER reads %d git tokens", list.Organization.GitTokens.TotalCount)
		}
		viewer.Do(t, `mutation($id: ID!) { checkGitToken(id: $id) { status } }`, map[string]any{"id": got.ID}).Err(t, "FORBIDDEN")
	})
}
