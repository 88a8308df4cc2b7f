package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/orgql/orgql/ent/privacy"
	"github.com/orgql/orgql/internal/tenancy"

	"github.com/orgql/orgql/internal/id"
)

// User is a person, identified by (provider, provider user id), never by e-mail.
type User struct{ ent.Schema }

func (User) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.User}, TimeMixin{}}
}

func (User) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("provider").
			Values("GITHUB", "GITLAB", "BITBUCKET", "DEV").
			Immutable().
			Annotations(entgql.Type("AuthProvider")),
		field.String("provider_user_id").Immutable().NotEmpty().Annotations(hidden()),
		field.String("login").NotEmpty().Annotations(entgql.OrderField("LOGIN")),
		field.String("name").Default(""),
		field.String("email").Default(""),
		field.String("avatar_url").Default(""),
		field.String("current_organization_id").Optional().Nillable().Annotations(hidden()),
	}
}

func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("current_organization", Organization.Type).
			Unique().
			Field("current_organization_id").
			Annotations(hidden(), entsql.OnDelete(entsql.SetNull)),
		edge.To("sessions", Session.Type).Annotations(hidden(), entsql.OnDelete(entsql.Cascade)),
		edge.From("memberships", Membership.Type).Ref("user").Annotations(hidden()),
		edge.From("owned_organizations", Organization.Type).Ref("owner").Annotations(hidden()),
	}
}

func (User) Indexes() []ent.Index {
	return []ent.Index{index.Fields("provider", "provider_user_id").Unique()}
}

func (User) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{tenancy.UserQueryRule()},
		Mutation: privacy.MutationPolicy{tenancy.SelfMutationRule()},
	}
}

func (User) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// Session is a revocable sign-in; only the SHA-256 of its token is stored.
type Session struct{ ent.Schema }

func (Session) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.Session}, CreateTimeMixin{}}
}

func (Session) Fields() []ent.Field {
	return []ent.Field{
		field.String("token_hash").Immutable().Unique().Sensitive(),
		field.String("user_id").Immutable(),
		field.Time("expires_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
		field.Time("last_used_at").Optional().Nillable(),
	}
}

func (Session) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("sessions").Field("user_id").Unique().Required().Immutable(),
	}
}

func (Session) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{tenancy.DenyQueryRule()},
		Mutation: privacy.MutationPolicy{tenancy.DenyMutationRule()},
	}
}

func (Session) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
