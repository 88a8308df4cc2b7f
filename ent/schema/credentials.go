package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"

	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/validate"
)

// Sealed gives a type the secrets it stores for a third-party service: a map
// from each secret setting's name to its sealed envelope (internal/secret),
// bound to the row, and a version that changes with every write of the map,
// so a key rotation re-sealing a row never overwrites a change made
// meanwhile. The values are never read but by orgql itself.
type Sealed struct{ mixin.Schema }

func (Sealed) Fields() []ent.Field {
	return []ent.Field{
		field.JSON("secrets", map[string]string{}).Default(map[string]string{}).Sensitive(),
		field.Int("secrets_version").Default(0).Annotations(hidden()),
	}
}

// SealedTable is the annotation Sealed puts on its type, for the key rotation.
type SealedTable struct{ Sealed bool }

// Name implements schema.Annotation.
func (SealedTable) Name() string { return "SealedTable" }

func (Sealed) Annotations() []schema.Annotation {
	return []schema.Annotation{SealedTable{Sealed: true}}
}

// ContainerRegistry is a container registry the organization pulls images from.
type ContainerRegistry struct{ ent.Schema }

func (ContainerRegistry) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.ContainerRegistry}, TimeMixin{}, OrgOwned{}, UniqueName{Max: 255}, Creator{}, Sealed{}}
}

func (ContainerRegistry) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").
			Values("ECR", "SCALEWAY_CR", "DOCKER_HUB", "GITHUB_CR", "GITHUB_ENTERPRISE_CR", "GITLAB_CR",
				"PUBLIC_ECR", "GENERIC_CR", "GCP_ARTIFACT_REGISTRY", "AZURE_CR").
			Comment("The kind of registry: it decides the settings the registry takes (containerRegistryKinds lists them).").
			Annotations(entgql.Type("ContainerRegistryKind"), EnumDoc{Values: map[string]string{
				"ECR": "Amazon Elastic Container Registry.", "SCALEWAY_CR": "Scaleway Container Registry.",
				"DOCKER_HUB": "Docker Hub.", "GITHUB_CR": "GitHub Container Registry (ghcr.io).",
				"GITHUB_ENTERPRISE_CR": "The container registry of a GitHub Enterprise Server.",
				"GITLAB_CR":            "GitLab Container Registry.", "PUBLIC_ECR": "Amazon ECR Public.",
				"GENERIC_CR":            "Any registry speaking the Docker Registry HTTP API V2.",
				"GCP_ARTIFACT_REGISTRY": "Google Artifact Registry.", "AZURE_CR": "Azure Container Registry.",
			}}),
		field.String("description").Default("").Validate(validate.TextRule(maxDescription)).
			Comment("What the registry is for, at most 1000 characters.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.String("url").
			Comment("The registry's URL (https://).").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.JSON("config", map[string]any{}).Default(map[string]any{}).
			Comment("The registry's settings other than its secrets.").
			Annotations(entgql.Type("RegistryConfig"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
	}
}

func (ContainerRegistry) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("container_registries").Field("organization_id").Unique().Required().Immutable(),
	}
}

func (ContainerRegistry) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(),
		schema.Comment("A container registry of the organization, with its credentials (which are never shown: secretsSet says which are stored).")}
}

// GitToken is an access token to the organization's Git provider.
type GitToken struct{ ent.Schema }

func (GitToken) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.GitToken}, TimeMixin{}, OrgOwned{}, UniqueName{Max: 255}, Creator{}, Sealed{}}
}

func (GitToken) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("provider").Values("GITHUB", "GITLAB", "BITBUCKET").
			Comment("The Git provider the token is for.").
			Annotations(entgql.Type("GitProvider"), EnumDoc{Values: map[string]string{
				"GITHUB":    "GitHub, or a GitHub Enterprise Server (with apiURL).",
				"GITLAB":    "GitLab, or a self-hosted GitLab (with apiURL).",
				"BITBUCKET": "Bitbucket Cloud (with a workspace).",
			}}),
		field.String("description").Default("").Validate(validate.TextRule(maxDescription)).
			Comment("What the token is for, at most 1000 characters.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.String("workspace").Default("").
			Comment("The Bitbucket workspace the token belongs to; empty for the other providers.").
			Annotations(entgql.Skip(entgql.SkipOrderField)),
		field.String("api_url").Default("").
			Comment("The API URL of a self-hosted GitLab or a GitHub Enterprise Server; empty for the provider's cloud.").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.Time("expires_at").Optional().Nillable().
			Comment("When the token expires, as the provider reported it when it was last checked; null when unknown or never.").
			Annotations(entgql.OrderField("EXPIRES_AT")),
	}
}

func (GitToken) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("git_tokens").Field("organization_id").Unique().Required().Immutable(),
	}
}

func (GitToken) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(),
		schema.Comment("An access token to a Git provider, for the organization's repositories. Its value is never shown.")}
}

// HelmRepository is a Helm chart repository of the organization.
type HelmRepository struct{ ent.Schema }

func (HelmRepository) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.HelmRepository}, TimeMixin{}, OrgOwned{}, UniqueName{Max: 255}, Creator{}, Sealed{}}
}

func (HelmRepository) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").
			Values("HTTPS", "OCI_ECR", "OCI_SCALEWAY_CR", "OCI_DOCKER_HUB", "OCI_PUBLIC_ECR", "OCI_GENERIC_CR", "OCI_GITHUB_CR", "OCI_GITLAB_CR").
			Comment("The kind of repository: a classic HTTPS chart repository, or an OCI registry (helmRepositoryKinds lists the settings each takes).").
			Annotations(entgql.Type("HelmRepositoryKind"), EnumDoc{Values: map[string]string{
				"HTTPS":   "A chart repository served over HTTPS, with an index.yaml.",
				"OCI_ECR": "Charts in Amazon ECR.", "OCI_SCALEWAY_CR": "Charts in Scaleway Container Registry.",
				"OCI_DOCKER_HUB": "Charts in Docker Hub.", "OCI_PUBLIC_ECR": "Charts in Amazon ECR Public.",
				"OCI_GENERIC_CR": "Charts in any OCI registry.", "OCI_GITHUB_CR": "Charts in GitHub Container Registry.",
				"OCI_GITLAB_CR": "Charts in GitLab Container Registry.",
			}}),
		field.String("description").Default("").Validate(validate.TextRule(maxDescription)).
			Comment("What the repository is for, at most 1000 characters.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.String("url").
			Comment("The repository's URL: https:// for HTTPS, oci:// for the OCI kinds.").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.Bool("skip_tls_verification").Default(false).
			Comment("Whether to accept the repository's TLS certificate unverified (helm's --insecure-skip-tls-verify).").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.JSON("config", map[string]any{}).Default(map[string]any{}).
			Comment("The repository's settings other than its secrets.").
			Annotations(entgql.Type("HelmRepositoryConfig"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
	}
}

func (HelmRepository) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("helm_repositories").Field("organization_id").Unique().Required().Immutable(),
	}
}

func (HelmRepository) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(),
		schema.Comment("A Helm chart repository of the organization, with its credentials (which are never shown: secretsSet says which are stored).")}
}
