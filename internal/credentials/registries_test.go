package credentials_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

const registryFields = `id name kind description url secretsSet creator { login }
	config { username region accessKeyID roleARN scalewayAccessKey scalewayProjectID gcpCredentialsType projectID serviceAccountEmail workloadIdentityProviderResource tokenLifetimeSeconds azureTenantID azureSubscriptionID }`

const createRegistry = `mutation($org: ID!, $input: ContainerRegistryInput!) { createContainerRegistry(organizationID: $org, input: $input) { ` + registryFields + ` } }`
const updateRegistry = `mutation($id: ID!, $input: ContainerRegistryInput!) { updateContainerRegistry(id: $id, input: $input) { ` + registryFields + ` } }`

type registry struct {
	ID, Name, Kind, Description, URL string
	SecretsSet                       []string
	Config                           map[string]any
	Creator                          *struct{ Login string }
}

func create(t *testing.T, c *testkit.Client, org testkit.Org, input map[string]any) registry {
	t.Helper()
	var out struct{ CreateContainerRegistry registry }
	c.Do(t, createRegistry, map[string]any{"org": org.ID, "input": input}).OK(t, &out)
	return out.CreateContainerRegistry
}

// A registry's secrets are write-only: the answers say which are stored
// (secretsSet) and never their values; an update without a secret keeps
// it, clearSecrets removes it, and a change of kind drops what the new kind
// does not take.
func TestContainerRegistrySecretsAreWriteOnly(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		const secretValue = "hunter2-registry-password"
		r := create(t, alice, org, map[string]any{"name": "hub", "kind": "DOCKER_HUB",
			"config": map[string]any{"username": "acme", "password": secretValue}})
		if r.URL != "https://docker.io" || r.Config["username"] != "acme" || strings.Join(r.SecretsSet, ",") != "password" || r.Creator == nil || r.Creator.Login != alice.Login {
			t.Fatalf("created %+v", r)
		}
		var out struct{ UpdateContainerRegistry registry }
		// An update without the password keeps it.
		alice.Do(t, updateRegistry, map[string]any{"id": r.ID, "input": map[string]any{"name": "hub", "kind": "DOCKER_HUB",
			"description": "Images", "config": map[string]any{"username": "acme-bot"}}}).OK(t, &out)
		if got := out.UpdateContainerRegistry; strings.Join(got.SecretsSet, ",") != "password" || got.Config["username"] != "acme-bot" || got.Description != "Images" {
			t.Fatalf("updated without the secret: %+v", got)
		}
		// clearSecrets removes it; a cleared and given secret is refused.
		alice.Do(t, updateRegistry, map[string]any{"id": r.ID, "input": map[string]any{"name": "hub", "kind": "DOCKER_HUB",
			"config": map[string]any{"password": "x"}, "clearSecrets": []string{"password"}}}).Err(t, "BAD_USER_INPUT")
		alice.Do(t, updateRegistry, map[string]any{"id": r.ID, "input": map[string]any{"name": "hub", "kind": "DOCKER_HUB",
			"clearSecrets": []string{"password"}}}).OK(t, &out)
		if got := out.UpdateContainerRegistry; len(got.SecretsSet) != 0 || got.Config["username"] != nil {
			t.Fatalf("after clearing: %+v", got)
		}
		// A new kind drops the old kind's settings: GENERIC_CR needs its own URL.
		alice.Do(t, updateRegistry, map[string]any{"id": r.ID, "input": map[string]any{"name": "hub", "kind": "ECR",
			"url": "https://123.dkr.ecr.eu-west-3.amazonaws.com", "config": map[string]any{"region": "eu-west-3", "roleARN": "arn:aws:iam::123:role/pull"}}}).OK(t, &out)
		if got := out.UpdateContainerRegistry; got.Kind != "ECR" || got.Config["roleARN"] != "arn:aws:iam::123:role/pull" || len(got.SecretsSet) != 0 {
			t.Fatalf("after the kind change: %+v", got)
		}

		// No answer ever carries the secret, and the rows do not hold it in the clear.
		for _, body := range e.Responses() {
			if strings.Contains(body, secretValue) {
				t.Fatalf("an answer holds the secret: %s", body)
			}
		}
		assertNoPlaintext(t, e, secretValue)
	})
}

// assertNoPlaintext reads every table of the database directly and fails if
// any value holds secret.
func assertNoPlaintext(t *testing.T, e *testkit.Env, secret string) {
	t.Helper()
	for table, rows := range e.DumpTables(t) {
		if strings.Contains(rows, secret) {
			t.Errorf("table %s holds the secret in the clear", table)
		}
	}
	if strings.Contains(e.Logs(), secret) {
		t.Errorf("the log holds the secret")
	}
}

// Every rule of every kind: a required setting missing, a setting the kind
// does not take, an incomplete alternative, each URL rule broken, a value
// that is not valid. Each is BAD_USER_INPUT naming the field, and stores
// nothing.
func TestContainerRegistryValidation(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		ecr := map[string]any{"region": "eu-west-3", "accessKeyID": "AKIA", "secretAccessKey": "s"}
		cases := []struct {
			name  string
			input map[string]any
			field string
		}{
			{"ECR without region", in("ECR", "https://1.dkr.ecr.eu-west-3.amazonaws.com", without(ecr, "region")), "input.config.region"},
			{"ECR without keys or role", in("ECR", "https://1.dkr.ecr.eu-west-3.amazonaws.com", map[string]any{"region": "eu-west-3"}), "input.config"},
			{"ECR with half the keys", in("ECR", "https://1.dkr.ecr.eu-west-3.amazonaws.com", without(ecr, "secretAccessKey")), "input.config"},
			{"ECR without URL", in("ECR", "", ecr), "input.url"},
			{"ECR over http", in("ECR", "http://1.dkr.ecr.eu-west-3.amazonaws.com", ecr), "input.url"},
			{"URL with credentials", in("GENERIC_CR", "https://user:pass@registry.acme.dev", nil), "input.url"},
			{"URL with a query", in("GENERIC_CR", "https://registry.acme.dev/?x=1", nil), "input.url"},
			{"URL with a fragment", in("GENERIC_CR", "https://registry.acme.dev/#x", nil), "input.url"},
			{"URL without a host", in("GENERIC_CR", "https:///path", nil), "input.url"},
			{"URL not a URL", in("GENERIC_CR", "registry.acme.dev", nil), "input.url"},
			{"URL over the length", in("GENERIC_CR", "https://registry.acme.dev/"+strings.Repeat("a", 2100), nil), "input.url"},
			{"Docker Hub elsewhere", in("DOCKER_HUB", "https://hub.acme.dev", nil), "input.url"},
			{"GENERIC_CR without URL", in("GENERIC_CR", "", nil), "input.url"},
			{"Scaleway without project", in("SCALEWAY_CR", "https://rg.fr-par.scw.cloud", map[string]any{"region": "fr-par", "scalewayAccessKey": "a", "scalewaySecretKey": "s"}), "input.config.scalewayProjectID"},
			{"Scaleway without secret", in("SCALEWAY_CR", "https://rg.fr-par.scw.cloud", map[string]any{"region": "fr-par", "scalewayAccessKey": "a", "scalewayProjectID": "p"}), "input.config.scalewaySecretKey"},
			{"GitHub Enterprise without user", in("GITHUB_ENTERPRISE_CR", "https://containers.ghe.acme.dev", map[string]any{"password": "p"}), "input.config.username"},
			{"GitHub Enterprise without password", in("GITHUB_ENTERPRISE_CR", "https://containers.ghe.acme.dev", map[string]any{"username": "u"}), "input.config.password"},
			{"Azure without tenant", in("AZURE_CR", "https://acme.azurecr.io", map[string]any{"azureSubscriptionID": "s"}), "input.config.azureTenantID"},
			{"Azure without subscription", in("AZURE_CR", "https://acme.azurecr.io", map[string]any{"azureTenantID": "t"}), "input.config.azureSubscriptionID"},
			{"GCP without credentials", in("GCP_ARTIFACT_REGISTRY", "https://europe-west1-docker.pkg.dev", map[string]any{"region": "europe-west1"}), "input.config"},
			{"GCP with a bad credentials type", in("GCP_ARTIFACT_REGISTRY", "https://europe-west1-docker.pkg.dev", map[string]any{"region": "europe-west1", "gcpCredentialsType": "KEYS"}), "input.config.gcpCredentialsType"},
			{"GCP token lifetime too short", in("GCP_ARTIFACT_REGISTRY", "https://europe-west1-docker.pkg.dev", map[string]any{"region": "europe-west1", "jsonCredentials": "{}", "tokenLifetimeSeconds": 5}), "input.config.tokenLifetimeSeconds"},
			{"a setting the kind does not take", in("DOCKER_HUB", "", map[string]any{"region": "eu"}), "input.config.region"},
			{"an empty secret", in("DOCKER_HUB", "", map[string]any{"username": "u", "password": ""}), "input.config.password"},
			{"a secret with a line break", in("DOCKER_HUB", "", map[string]any{"username": "u", "password": "a\nb"}), "input.config.password"},
			{"a setting with a control character", in("DOCKER_HUB", "", map[string]any{"username": "u\u0007"}), "input.config.username"},
			{"clearing what is not a secret", mergeInput(in("DOCKER_HUB", "", nil), map[string]any{"clearSecrets": []string{"username"}}), "input.clearSecrets.0"},
			{"an empty name", mergeInput(in("DOCKER_HUB", "", nil), map[string]any{"name": " "}), "input.name"},
			{"a long description", mergeInput(in("DOCKER_HUB", "", nil), map[string]any{"description": strings.Repeat("d", 1001)}), "input.description"},
		}
		before := countRows(t, e, "container_registries")
		for _, c := range cases {
			err := alice.Do(t, createRegistry, map[string]any{"org": org.ID, "input": c.input}).Err(t, "BAD_USER_INPUT")
			if err.Field() != c.field {
				t.Errorf("%s: field %q (%s), want %q", c.name, err.Field(), err.Message, c.field)
			}
		}
		if after := countRows(t, e, "container_registries"); after != before {
			t.Fatalf("refused inputs stored %d registries", after-before)
		}
		// Each kind's complete settings are accepted.
		for _, ok := range []map[string]any{
			in("ECR", "https://1.dkr.ecr.eu-west-3.amazonaws.com", ecr),
			in("ECR", "https://1.dkr.ecr.eu-west-3.amazonaws.com", map[string]any{"region": "eu-west-3", "roleARN": "arn:aws:iam::1:role/r"}),
			in("SCALEWAY_CR", "https://rg.fr-par.scw.cloud", map[string]any{"region": "fr-par", "scalewayAccessKey": "a", "scalewaySecretKey": "s", "scalewayProjectID": "p"}),
			in("DOCKER_HUB", "", nil),
			in("GITHUB_CR", "", map[string]any{"username": "u", "password": "p"}),
			in("GITHUB_ENTERPRISE_CR", "https://containers.ghe.acme.dev", map[string]any{"username": "u", "password": "p"}),
			in("GITLAB_CR", "", nil),
			in("PUBLIC_ECR", "", map[string]any{"accessKeyID": "a", "secretAccessKey": "s"}),
			in("GENERIC_CR", "https://registry.acme.dev", nil),
			in("GCP_ARTIFACT_REGISTRY", "https://europe-west1-docker.pkg.dev", map[string]any{"region": "europe-west1", "jsonCredentials": "{\n  \"type\": \"service_account\"\n}"}),
			in("GCP_ARTIFACT_REGISTRY", "https://europe-west1-docker.pkg.dev", map[string]any{"region": "europe-west1", "gcpCredentialsType": "WORKLOAD_IDENTITY_FEDERATION",
				"projectID": "p", "serviceAccountEmail": "sa@p.iam.gserviceaccount.com", "workloadIdentityProviderResource": "projects/1/locations/global/workloadIdentityPools/p/providers/x", "tokenLifetimeSeconds": 3600}),
			in("AZURE_CR", "https://acme.azurecr.io", map[string]any{"azureTenantID": "t", "azureSubscriptionID": "s"}),
		} {
			create(t, alice, org, ok)
		}
	})
}

var counter int

// in is a registry input of kind with url (omitted when empty) and config.
func in(kind, url string, config map[string]any) map[string]any {
	counter++
	m := map[string]any{"name": "registry " + kind + " " + strings.Repeat("x", counter%7) + string(rune('a'+counter%26)) + string(rune('a'+counter/26%26)), "kind": kind}
	if url != "" {
		m["url"] = url
	}
	if config != nil {
		m["config"] = config
	}
	return m
}

func without(m map[string]any, key string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

func mergeInput(m, extra map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func countRows(t *testing.T, e *testkit.Env, table string) int {
	t.Helper()
	var n int
	if err := e.DB.SQL.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Every member reads the registries; only those who manage settings write
// or check them; another organization neither sees nor touches them.
func TestContainerRegistryAccess(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		owner := e.SignIn(t, "owner")
		org := owner.CreateOrg(t)
		r := create(t, owner, org, map[string]any{"name": "hub", "kind": "DOCKER_HUB"})
		viewer := e.SignIn(t, "viewer")
		e.AddMember(t, org, viewer, rbac.Viewer)
		devops := e.SignIn(t, "devops")
		e.AddMember(t, org, devops, rbac.DevOps)
		list := `query($id: ID!) { organization(id: $id) { containerRegistries { totalCount edges { node { id } } } } }`
		var seen struct {
			Organization struct{ ContainerRegistries struct{ TotalCount int } }
		}
		viewer.Do(t, list, map[string]any{"id": org.ID}).OK(t, &seen)
		if seen.Organization.ContainerRegistries.TotalCount != 1 {
			t.Fatalf("a VIEWER reads %d registries", seen.Organization.ContainerRegistries.TotalCount)
		}
		update := map[string]any{"id": r.ID, "input": map[string]any{"name": "hub2", "kind": "DOCKER_HUB"}}
		viewer.Do(t, updateRegistry, update).Err(t, "FORBIDDEN")
		viewer.Do(t, `mutation($id: ID!) { deleteContainerRegistry(id: $id) }`, map[string]any{"id": r.ID}).Err(t, "FORBIDDEN")
		viewer.Do(t, `mutation($id: ID!) { checkContainerRegistry(id: $id) { status } }`, map[string]any{"id": r.ID}).Err(t, "FORBIDDEN")
		viewer.Do(t, createRegistry, map[string]any{"org": org.ID, "input": map[string]any{"name": "mine", "kind": "DOCKER_HUB"}}).Err(t, "FORBIDDEN")
		devops.Do(t, updateRegistry, update).OK(t, nil)

		mallory := e.SignIn(t, "mallory")
		mallory.CreateOrg(t)
		mallory.Do(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": r.ID}).Err(t, "NOT_FOUND")
		mallory.Do(t, updateRegistry, update).Err(t, "NOT_FOUND")
		mallory.Do(t, `mutation($id: ID!) { deleteContainerRegistry(id: $id) }`, map[string]any{"id": r.ID}).Err(t, "NOT_FOUND")
		mallory.Do(t, `mutation($id: ID!) { checkContainerRegistry(id: $id) { status } }`, map[string]any{"id": r.ID}).Err(t, "NOT_FOUND")
		mallory.Do(t, createRegistry, map[string]any{"org": org.ID, "input": map[string]any{"name": "x", "kind": "DOCKER_HUB"}}).Err(t, "NOT_FOUND")

		// Names are unique in the organization.
		if err := owner.Do(t, createRegistry, map[string]any{"org": org.ID, "input": map[string]any{"name": "HUB2", "kind": "DOCKER_HUB"}}).Err(t, "CONFLICT"); err.Field() != "input.name" {
			t.Fatalf("conflict field %q", err.Field())
		}
		var deleted struct{ DeleteContainerRegistry string }
		owner.Do(t, `mutation($id: ID!) { deleteContainerRegistry(id: $id) }`, map[string]any{"id": r.ID}).OK(t, &deleted)
		if deleted.DeleteContainerRegistry != r.ID {
			t.Fatalf("delete returned %q", deleted.DeleteContainerRegistry)
		}
	})
}

// containerRegistryKinds describes every kind, as the validation applies it.
func TestContainerRegistryKindsDescribeEveryKind(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		var out struct {
			ContainerRegistryKinds []struct {
				Kind, URLScheme string
				DefaultURL      *string
				FixedURL        bool
				Fields          []struct {
					Name             string
					Required, Secret bool
				}
				Alternatives [][]string
			}
		}
		e.SignIn(t, "alice").Do(t, `{ containerRegistryKinds { kind defaultURL fixedURL urlScheme urlHint fields { name description required secret } alternatives } }`, nil).OK(t, &out)
		if len(out.ContainerRegistryKinds) != 10 {
			t.Fatalf("%d kinds", len(out.ContainerRegistryKinds))
		}
		b, _ := json.Marshal(out)
		for _, want := range []string{`"Kind":"DOCKER_HUB","URLScheme":"https","DefaultURL":"https://docker.io","FixedURL":true`, `{"Name":"password","Required":false,"Secret":true}`, `[["accessKeyID","secretAccessKey"],["roleARN"]]`} {
			if !strings.Contains(string(b), want) {
				t.Errorf("kinds lack %s:\n%s", want, b)
			}
		}
	})
}
