package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"

	"github.com/orgql/orgql/ent/privacy"
	"github.com/orgql/orgql/internal/tenancy"
)

// RateLimitCounter is one caller's spending in its current window
// (docs/security.md S4): on PostgreSQL, internal/ratelimit adds to it with
// one upsert per request, on the one database every instance shares; its
// migration makes the table UNLOGGED. (SQLite's one process counts in
// memory.) Never read or written through ent: its policy denies everything.
type RateLimitCounter struct{ ent.Schema }

func (RateLimitCounter) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").Immutable().NotEmpty().Comment("The caller: user:<id>, token:<id> or anonymous:<address>."),
		field.Int64("window_start").Comment("The start of the window, in Unix seconds."),
		field.Int64("points").Comment("The cost points spent in the window."),
	}
}

func (RateLimitCounter) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{tenancy.DenyQueryRule()},
		Mutation: privacy.MutationPolicy{tenancy.DenyMutationRule()},
	}
}

func (RateLimitCounter) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
