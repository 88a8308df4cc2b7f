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
)

// Organization is a tenant: everything org-owned belongs to exactly one.
type Organization struct{ ent.Schema }

func (Organization) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.Organization}, TimeMixin{}}
}

func (Organization) Fields() []ent.Field {
	return []ent.Field{
		// MaxRuneLen: product.md counts characters (MaxLen would count bytes).
		field.String("name").MaxRuneLen(255).NotEmpty().Annotations(entgql.OrderField("NAME")),
		// name_key is validate.NameKey(name): unique, so no two names look alike.
		field.String("name_key").Unique().Annotations(hidden()),
		field.String("description").Default(""),
		field.String("website_url").Default(""),
		field.JSON("admin_contact_emails", []string{}).Default([]string{}).
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.String("logo_url").Default(""),
		field.Enum("plan").GoType(billing.PlanCode("")).Default(string(billing.Free)).
			Annotations(entgql.Skip(entgql.SkipType), entgql.Type("PlanCode")),
		// owner_id mirrors the one membership with the OWNER role, kept by the membership functions.
		field.String("owner_id").Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

func (Organization) Edges() []ent.Edge {
	cascade := entsql.OnDelete(entsql.Cascade)
	return []ent.Edge{
		edge.To("owner", User.Type).Field("owner_id").Unique().Required(),
		edge.To("members", Membership.Type).Annotations(cascade, entgql.RelayConnection()),
		edge.To("invitations", Invitation.Type).Annotations(cascade, entgql.Skip(entgql.SkipAll)),
		edge.To("roles", Role.Type).Annotations(cascade, entgql.Skip(entgql.SkipAll)),
		edge.To("projects", Project.Type).Annotations(cascade, entgql.RelayConnection()),
		edge.To("clusters", Cluster.Type).Annotations(cascade, entgql.RelayConnection()),
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
	return []schema.Annotation{entgql.RelayConnection()}
}
