package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"github.com/orgql/orgql/ent/privacy"
	"github.com/orgql/orgql/internal/tenancy"

	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/validate"
)

// Organization is a tenant: everything org-owned belongs to exactly one.
type Organization struct{ ent.Schema }

func (Organization) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.Organization}, TimeMixin{}, UniqueName{Max: 255, Global: true}}
}

func (Organization) Fields() []ent.Field {
	return []ent.Field{
		field.String("description").Default("").Validate(validate.TextRule(maxDescription)).
			Comment("What the organization is, at most 1000 characters.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.String("website_url").Default("").Validate(validate.HTTPURLRule).
			Comment("The organization's website, an http:// or https:// URL; empty when not set.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.JSON("admin_contact_emails", []string{}).Default([]string{}).
			Comment("Addresses to contact the organization's administrators at.").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.String("logo_url").Default("").Validate(validate.HTTPURLRule).
			Comment("The URL of the organization's logo; empty when not set.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.Enum("plan").GoType(billing.PlanCode("")).Default(string(billing.Free)).
			Comment("The plans of the catalog.").
			Annotations(entgql.Skip(entgql.SkipType), entgql.Type("PlanCode"), Audit{Always: true}, EnumDoc{Values: map[string]string{
				string(billing.Free):       "The free plan, with small limits.",
				string(billing.Team):       "The plan for teams.",
				string(billing.Enterprise): "The plan for large organizations, sold by quote.",
			}}),
		// owner_id mirrors the one membership with the OWNER role, kept by the membership functions.
		field.String("owner_id").Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

func (Organization) Edges() []ent.Edge {
	cascade := entsql.OnDelete(entsql.Cascade)
	return []ent.Edge{
		edge.To("owner", User.Type).Field("owner_id").Unique().Required().
			Comment("The organization's owner, the one member with the OWNER role."),
		edge.To("members", Membership.Type).
			Comment("The organization's members, each with their role.").
			Annotations(cascade, entgql.RelayConnection()),
		edge.To("invitations", Invitation.Type).Annotations(cascade, entgql.Skip(entgql.SkipAll)),
		edge.To("roles", Role.Type).Annotations(cascade, entgql.Skip(entgql.SkipAll)),
		edge.To("projects", Project.Type).
			Comment("The organization's projects the caller's role gives access to.").
			Annotations(cascade, entgql.RelayConnection()),
		edge.To("api_tokens", APIToken.Type).
			Comment("The organization's API tokens (their values are never shown again after creation).").
			Annotations(cascade, entgql.RelayConnection()),
		edge.To("container_registries", ContainerRegistry.Type).
			Comment("The organization's container registries.").
			Annotations(cascade, entgql.RelayConnection()),
		edge.To("git_tokens", GitToken.Type).
			Comment("The organization's Git tokens.").
			Annotations(cascade, entgql.RelayConnection()),
		edge.To("helm_repositories", HelmRepository.Type).
			Comment("The organization's Helm repositories.").
			Annotations(cascade, entgql.RelayConnection()),
		edge.To("clusters", Cluster.Type).
			Comment("The organization's clusters.").
			Annotations(cascade, entgql.RelayConnection()),
		edge.To("labels_groups", LabelsGroup.Type).
			Comment("The organization's labels groups.").
			Annotations(cascade, entgql.RelayConnection()),
		edge.To("annotations_groups", AnnotationsGroup.Type).
			Comment("The organization's annotations groups.").
			Annotations(cascade, entgql.RelayConnection()),
		edge.To("billing_account", BillingAccount.Type).Unique().Annotations(cascade, hidden()),
		edge.To("credit_cards", CreditCard.Type).Annotations(cascade, hidden()),
		edge.To("invoices", Invoice.Type).Annotations(cascade, hidden()),
		edge.To("role_project_permissions", RoleProjectPermission.Type).Annotations(cascade, hidden()),
		edge.To("role_cluster_permissions", RoleClusterPermission.Type).Annotations(cascade, hidden()),
		edge.From("current_users", User.Type).Ref("current_organization").Annotations(hidden()),
	}
}

func (Organization) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{tenancy.OrganizationQueryRule()},
		Mutation: privacy.MutationPolicy{tenancy.OrganizationMutationRule()},
	}
}

func (Organization) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(),
		schema.Comment("An organization: the tenant everything else belongs to. Only its members (and its API tokens) see it.")}
}
