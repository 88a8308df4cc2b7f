package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/validate"
)

// Membership makes a user a member of an organization with one role.
type Membership struct{ ent.Schema }

func (Membership) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.Membership}, TimeMixin{}, OrgOwned{}}
}

func (Membership) Fields() []ent.Field {
	return []ent.Field{
		field.String("user_id").Immutable().Annotations(hidden()),
		field.String("role_id").Annotations(hidden()),
		field.Time("last_activity_at").Optional().Nillable().
			Comment("When the member last used orgql (at most a minute off); null until then.").
			Annotations(entgql.OrderField("LAST_ACTIVITY_AT")),
	}
}

func (Membership) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("members").Field("organization_id").Unique().Required().Immutable(),
		edge.To("user", User.Type).Field("user_id").Unique().Required().Immutable().
			Comment("The member.").
			Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.To("role", Role.Type).Field("role_id").Unique().Required().
			Comment("The member's role in the organization.").
			Annotations(entsql.OnDelete(entsql.NoAction)),
	}
}

func (Membership) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "user_id").Unique(), index.Fields("user_id")}
}

func (Membership) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(),
		schema.Comment("A user's membership of an organization, with the role they hold there.")}
}

// Role is a built-in role (one row of each kind per organization) or a custom role.
type Role struct{ ent.Schema }

func (Role) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.Role}, TimeMixin{}, OrgOwned{}, UniqueName{Max: 100}}
}

func (Role) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").GoType(rbacKind("")).Immutable().
			Comment("Which built-in role this is, or CUSTOM.").
			Annotations(entgql.Type("RoleKind"), EnumDoc{Values: roleKindDocs()}),
		field.String("description").Default("").Validate(validate.TextRule(maxDescription)).
			Comment("What the role is for, at most 1000 characters."),
	}
}

func (Role) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("roles").Field("organization_id").Unique().Required().Immutable(),
		edge.From("memberships", Membership.Type).Ref("role").Annotations(hidden()),
		edge.From("invitations", Invitation.Type).Ref("role").Annotations(hidden()),
		edge.From("api_tokens", APIToken.Type).Ref("role").Annotations(hidden()),
		edge.To("project_permissions", RoleProjectPermission.Type).Annotations(hidden(), entsql.OnDelete(entsql.Cascade)),
		edge.To("cluster_permissions", RoleClusterPermission.Type).Annotations(hidden(), entsql.OnDelete(entsql.Cascade)),
	}
}

func (Role) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("A role members and API tokens hold in an organization: built-in (OWNER, ADMIN, DEVOPS, BILLING, VIEWER) or custom.")}
}

// Invitation asks someone, by e-mail, to join an organization with a role.
type Invitation struct{ ent.Schema }

func (Invitation) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.Invitation}, TimeMixin{}, OrgOwned{}}
}

func (Invitation) Fields() []ent.Field {
	return []ent.Field{
		field.String("email").NotEmpty().
			Comment("The address the invitation was sent to.").
			Annotations(entgql.OrderField("EMAIL")),
		field.String("role_id").Annotations(hidden()),
		field.String("inviter_id").Immutable().Annotations(hidden()),
		field.String("token_hash").Unique().Sensitive().Annotations(hidden()),
		// status is as stored; a PENDING invitation past expires_at reads as EXPIRED.
		field.Enum("status").Values("PENDING", "ACCEPTED", "EXPIRED", "REVOKED").Default("PENDING").
			Annotations(hidden()),
		field.Time("expires_at").
			Comment("When the invitation's link stops working.").
			Annotations(entgql.OrderField("EXPIRES_AT")),
		field.Time("accepted_at").Optional().Nillable().Annotations(hidden()),
	}
}

func (Invitation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("invitations").Field("organization_id").Unique().Required().Immutable(),
		edge.To("role", Role.Type).Field("role_id").Unique().Required().
			Comment("The role the invitee gets on accepting.").
			Annotations(entsql.OnDelete(entsql.NoAction)),
		edge.To("inviter", User.Type).Field("inviter_id").Unique().Required().Immutable().
			Comment("Who sent the invitation.").
			Annotations(entsql.OnDelete(entsql.NoAction)),
	}
}

func (Invitation) Indexes() []ent.Index {
	return []ent.Index{
		// One pending invitation per (organization, e-mail).
		index.Fields("organization_id", "email").Unique().Annotations(entsql.IndexWhere("status = 'PENDING'")),
	}
}

func (Invitation) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(),
		schema.Comment("An invitation to join an organization with a role, sent by e-mail with a single-use link.")}
}

// roleKindDocs describes each role kind, from the permission table.
func roleKindDocs() map[string]string {
	docs := map[string]string{string(rbac.Custom): "A custom role: cluster and project access as its definition sets, and reading the organization."}
	for _, k := range rbac.BuiltIn {
		docs[string(k)] = "The built-in " + k.DisplayName() + " role: " + k.Description()
	}
	return docs
}
