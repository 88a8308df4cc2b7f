package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/validate"
)

// APIToken is an organization API token: a credential that acts in its one
// organization with its one role, for scripts and CI jobs. Only the SHA-256
// of its value is stored; the value is shown once, when it is created.
type APIToken struct{ ent.Schema }

func (APIToken) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.APIToken}, CreateTimeMixin{}, OrgOwned{}, UniqueName{Max: 255}, Creator{}}
}

func (APIToken) Fields() []ent.Field {
	return []ent.Field{
		field.String("description").Default("").Validate(validate.TextRule(maxDescription)).Immutable().
			Comment("What the token is for, at most 1000 characters.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.String("role_id").Immutable().Annotations(hidden()),
		field.String("token_hash").Unique().Immutable().Sensitive(),
		field.String("token_hint").Immutable().
			Comment("The last four characters of the token's value, to tell tokens apart.").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.Time("expires_at").Optional().Nillable().Immutable().
			Comment("When the token stops working; null for a token that does not expire.").
			Annotations(entgql.OrderField("EXPIRES_AT")),
		field.Time("last_used_at").Optional().Nillable().
			Comment("When the token was last used (at most a minute off); null if never.").
			Annotations(entgql.OrderField("LAST_USED_AT")),
	}
}

func (APIToken) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("api_tokens").Field("organization_id").Unique().Required().Immutable(),
		edge.To("role", Role.Type).Field("role_id").Unique().Required().Immutable().
			Comment("The role the token acts with (see docs/permissions.md for how its creator's role bounds it).").
			Annotations(entsql.OnDelete(entsql.NoAction)),
	}
}

func (APIToken) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(),
		schema.Comment("An organization API token: a credential for scripts, acting only in its organization with its role. Use it as `Authorization: Token <value>`.")}
}
