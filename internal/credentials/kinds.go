package credentials

// This file is the catalog of what each kind of registry and repository
// takes: its settings, which are secret, which are required, and its URL
// rule. The same table validates inputs and answers containerRegistryKinds
// and helmRepositoryKinds, from which a console draws its forms.

// Setting is one setting a kind takes, by its GraphQL name.
type Setting struct {
	Name        string
	Description string
	Secret      bool
	// Required settings must be set (given now, or stored before, for secrets).
	Required bool
	// Multiline settings may hold line breaks (a JSON key file).
	Multiline bool
	// Integer settings hold a whole number.
	Integer bool
}

// Kind is one kind of container registry or Helm repository.
type Kind struct {
	Kind string
	// DefaultURL is the URL used when none is given; with FixedURL the only one allowed.
	DefaultURL string
	FixedURL   bool
	// URLScheme is the scheme the URL must have: "https" or "oci".
	URLScheme string
	// URLHint shows what a URL of the kind looks like.
	URLHint string
	Fields  []Setting
	// Alternatives are groups of settings of which at least one must be
	// complete (ECR: access keys, or a role to assume); none means no such rule.
	Alternatives [][]string
	// NoCredentials marks kinds that take no credentials at all.
	NoCredentials bool
}

// Setting returns k's setting name, and whether k takes it.
func (k Kind) Setting(name string) (Setting, bool) {
	for _, s := range k.Fields {
		if s.Name == name {
			return s, true
		}
	}
	return Setting{}, false
}

var (
	username          = Setting{Name: "username", Description: "The user name to sign in to the registry with."}
	password          = Setting{Name: "password", Description: "The password or access token of the user.", Secret: true}
	accessKeyID       = Setting{Name: "accessKeyID", Description: "The AWS access key ID."}
	secretAccessKey   = Setting{Name: "secretAccessKey", Description: "The AWS secret access key.", Secret: true}
	awsRegion         = Setting{Name: "region", Description: "The AWS region of the registry (eu-west-3).", Required: true}
	roleARN           = Setting{Name: "roleARN", Description: "The ARN of an IAM role to assume instead of access keys (STS)."}
	scalewayRegion    = Setting{Name: "region", Description: "The Scaleway region of the registry (fr-par).", Required: true}
	scalewayAccessKey = Setting{Name: "scalewayAccessKey", Description: "The Scaleway access key.", Required: true}
	scalewaySecretKey = Setting{Name: "scalewaySecretKey", Description: "The Scaleway secret key.", Secret: true, Required: true}
	scalewayProjectID = Setting{Name: "scalewayProjectID", Description: "The Scaleway project ID.", Required: true}
)

func required(s Setting) Setting { s.Required = true; return s }

// RegistryKinds is the catalog of container registry kinds.
var RegistryKinds = []Kind{
	{Kind: "ECR", URLScheme: "https", URLHint: "https://<account>.dkr.ecr.<region>.amazonaws.com",
		Fields:       []Setting{awsRegion, accessKeyID, secretAccessKey, roleARN},
		Alternatives: [][]string{{"accessKeyID", "secretAccessKey"}, {"roleARN"}}},
	{Kind: "SCALEWAY_CR", URLScheme: "https", URLHint: "https://rg.<region>.scw.cloud",
		Fields: []Setting{scalewayRegion, scalewayAccessKey, scalewaySecretKey, scalewayProjectID}},
	{Kind: "DOCKER_HUB", URLScheme: "https", DefaultURL: "https://docker.io", FixedURL: true,
		Fields: []Setting{username, password}},
	{Kind: "GITHUB_CR", URLScheme: "https", DefaultURL: "https://ghcr.io",
		Fields: []Setting{username, password}},
	{Kind: "GITHUB_ENTERPRISE_CR", URLScheme: "https", URLHint: "https://containers.<your GitHub Enterprise host>",
		Fields: []Setting{required(username), required(password)}},
	{Kind: "GITLAB_CR", URLScheme: "https", DefaultURL: "https://registry.gitlab.com",
		Fields: []Setting{username, password}},
	{Kind: "PUBLIC_ECR", URLScheme: "https", DefaultURL: "https://public.ecr.aws",
		Fields:       []Setting{accessKeyID, secretAccessKey},
		Alternatives: [][]string{{"accessKeyID", "secretAccessKey"}}},
	{Kind: "GENERIC_CR", URLScheme: "https", URLHint: "https://registry.example.com",
		Fields: []Setting{username, password}},
	{Kind: "GCP_ARTIFACT_REGISTRY", URLScheme: "https", URLHint: "https://<region>-docker.pkg.dev",
		Fields: []Setting{
			{Name: "region", Description: "The Google Cloud region of the registry (europe-west1).", Required: true},
			{Name: "jsonCredentials", Description: "A service account's JSON key.", Secret: true, Multiline: true},
			{Name: "gcpCredentialsType", Description: "WORKLOAD_IDENTITY_FEDERATION to use workload identity federation instead of a JSON key."},
			{Name: "projectID", Description: "The Google Cloud project ID (workload identity federation)."},
			{Name: "serviceAccountEmail", Description: "The e-mail of the service account to impersonate (workload identity federation)."},
			{Name: "workloadIdentityProviderResource", Description: "The full resource name of the workload identity provider."},
			{Name: "tokenLifetimeSeconds", Description: "How long the federated token lives, in seconds (workload identity federation).", Integer: true},
		},
		Alternatives: [][]string{{"jsonCredentials"}, {"gcpCredentialsType", "projectID", "serviceAccountEmail", "workloadIdentityProviderResource"}}},
	{Kind: "AZURE_CR", URLScheme: "https", URLHint: "https://<registry name>.azurecr.io",
		Fields: []Setting{
			{Name: "azureTenantID", Description: "The Azure tenant ID.", Required: true},
			{Name: "azureSubscriptionID", Description: "The Azure subscription ID.", Required: true},
		}},
}

// HelmKinds is the catalog of Helm repository kinds.
var HelmKinds = []Kind{
	{Kind: "HTTPS", URLScheme: "https", URLHint: "https://charts.example.com", Fields: []Setting{username, password}},
	{Kind: "OCI_ECR", URLScheme: "oci", URLHint: "oci://<account>.dkr.ecr.<region>.amazonaws.com",
		Fields:       []Setting{awsRegion, accessKeyID, secretAccessKey, roleARN},
		Alternatives: [][]string{{"accessKeyID", "secretAccessKey"}, {"roleARN"}}},
	{Kind: "OCI_SCALEWAY_CR", URLScheme: "oci", URLHint: "oci://rg.<region>.scw.cloud/<namespace>",
		Fields: []Setting{scalewayRegion, scalewayAccessKey, scalewaySecretKey, scalewayProjectID}},
	{Kind: "OCI_DOCKER_HUB", URLScheme: "oci", DefaultURL: "oci://registry-1.docker.io", Fields: []Setting{username, password}},
	{Kind: "OCI_PUBLIC_ECR", URLScheme: "oci", DefaultURL: "oci://public.ecr.aws", Fields: []Setting{accessKeyID, secretAccessKey}},
	{Kind: "OCI_GENERIC_CR", URLScheme: "oci", URLHint: "oci://registry.example.com/charts", Fields: []Setting{username, password}},
	{Kind: "OCI_GITHUB_CR", URLScheme: "oci", DefaultURL: "oci://ghcr.io", Fields: []Setting{username, password}},
	{Kind: "OCI_GITLAB_CR", URLScheme: "oci", DefaultURL: "oci://registry.gitlab.com", Fields: []Setting{username, password}},
}

// GitSettings are what every Git token takes; the provider decides which are required.
var GitSettings = []Setting{
	{Name: "token", Description: "The access token.", Secret: true, Required: true},
}

func kindOf(catalog []Kind, kind string) (Kind, bool) {
	for _, k := range catalog {
		if k.Kind == kind {
			return k, true
		}
	}
	return Kind{}, false
}

// DefaultURLOrNil is k's default URL, or nil when a URL is required.
func (k Kind) DefaultURLOrNil() *string {
	if k.DefaultURL == "" {
		return nil
	}
	return &k.DefaultURL
}

// Catalog returns the kinds of catalog, for the GraphQL lists.
func Catalog(catalog []Kind) []*Kind {
	out := make([]*Kind, len(catalog))
	for i := range catalog {
		k := catalog[i]
		if k.Alternatives == nil {
			k.Alternatives = [][]string{}
		}
		out[i] = &k
	}
	return out
}

// SecretNames lists, sorted, the names of the secrets a row stores.
func SecretNames(secrets map[string]string) []string { return secretNames(secrets) }
