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
			Comment("The Git provider the user signs in with.").
			Annotations(entgql.Type("AuthProvider"), EnumDoc{Values: map[string]string{
				"GITHUB": "GitHub, or GitHub Enterprise Server.", "GITLAB": "GitLab, or a self-hosted GitLab.",
				"BITBUCKET": "Bitbucket.", "DEV": "The development sign-in, on servers running in development mode.",
			}}),
		field.String("provider_user_id").Immutable().NotEmpty().Annotations(hidden()),
		field.String("login").NotEmpty().
			Comment("The user's login at their provider, refreshed at each sign-in.").
			Annotations(entgql.OrderField("LOGIN")),
		field.String("name").Default("").Comment("The user's name at their provider; may be empty."),
		field.String("email").Default("").Comment("The user's primary verified e-mail address at their provider; may be empty."),
		field.String("avatar_url").Default("").Comment("The URL of the user's avatar; may be empty."),
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
	return []schema.Annotation{entgql.RelayConnection(),
		schema.Comment("A person, signed in through a Git provider; callers see themselves and the people of their organizations.")}
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
		field.String("user_agent").Default("").MaxLen(512).Immutable().Comment("The User-Agent of the sign-in's browser, cut to 512 bytes."),
		field.String("origin").Default("").MaxLen(64).Immutable().Comment("The IP address the sign-in came from."),
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

func (Session) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id")}
}

func (Session) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// OAuthState is one OAuth sign-in under way: single use, expiring, bound to
// the browser that started it by a cookie whose hash it holds
// (docs/security.md S21).
type OAuthState struct{ ent.Schema }

func (OAuthState) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.OAuthState}, CreateTimeMixin{}}
}

func (OAuthState) Fields() []ent.Field {
	return []ent.Field{
		field.String("state_hash").Immutable().Unique().Sensitive(),
		field.String("browser_hash").Immutable().Sensitive(),
		field.String("provider").Immutable(),
		field.String("code_verifier").Immutable().Sensitive(),
		field.String("return_to").Immutable().MaxLen(2048),
		field.Time("expires_at").Immutable(),
	}
}

func (OAuthState) Indexes() []ent.Index {
	return []ent.Index{index.Fields("expires_at")}
}

func (OAuthState) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{tenancy.DenyQueryRule()},
		Mutation: privacy.MutationPolicy{tenancy.DenyMutationRule()},
	}
}

func (OAuthState) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
