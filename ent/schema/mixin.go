package schema

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"

	"github.com/orgql/orgql/internal/clock"
	"github.com/orgql/orgql/internal/id"
)

// IDMixin gives a type its prefixed, globally unique string ID.
type IDMixin struct {
	mixin.Schema
	Prefix string
}

func (m IDMixin) Fields() []ent.Field {
	prefix := m.Prefix
	return []ent.Field{
		field.String("id").
			Immutable().
			NotEmpty().
			DefaultFunc(func() string { return id.New(prefix) }),
	}
}

// IDPrefix is the annotation IDMixin puts on its type: node(id:) finds the
// type of an ID by its prefix (ent.NodeTables, generated from it).
type IDPrefix struct{ Prefix string }

// Name implements schema.Annotation.
func (IDPrefix) Name() string { return "IDPrefix" }

func (m IDMixin) Annotations() []schema.Annotation {
	return []schema.Annotation{IDPrefix{Prefix: m.Prefix}}
}

// TimeMixin records when a row was created and last updated.
type TimeMixin struct{ mixin.Schema }

func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").
			Immutable().
			Default(clock.Now).
			Annotations(entgql.OrderField("CREATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("updated_at").
			Default(clock.Now).
			UpdateDefault(clock.Now).
			Annotations(entgql.OrderField("UPDATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Hooks give a new row one time for both fields: each default alone would
// read the clock once, a microsecond apart.
func (TimeMixin) Hooks() []ent.Hook {
	return []ent.Hook{func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if m.Op().Is(ent.OpCreate) {
				_, created := m.Field("created_at")
				_, updated := m.Field("updated_at")
				if !created && !updated {
					now := clock.Now()
					if err := m.SetField("created_at", now); err != nil {
						return nil, err
					}
					if err := m.SetField("updated_at", now); err != nil {
						return nil, err
					}
				}
			}
			return next.Mutate(ctx, m)
		})
	}}
}

// CreateTimeMixin records when a row was created.
type CreateTimeMixin struct{ mixin.Schema }

func (CreateTimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").
			Immutable().
			Default(clock.Now).
			Annotations(entgql.OrderField("CREATED_AT")),
	}
}

// Audit is a field annotation: Always puts the field in audit events' diffs
// even though the GraphQL schema does not show it as a plain field (see
// ent/template/fields.tmpl for the default rule).
type Audit struct{ Always bool }

// Name implements schema.Annotation.
func (Audit) Name() string { return "Audit" }

// EnumDoc is an enum field annotation: a description of each of its values,
// for the GraphQL schema (see internal/schemadoc).
type EnumDoc struct{ Values map[string]string }

// Name implements schema.Annotation.
func (EnumDoc) Name() string { return "EnumDoc" }

// maxDescription is the most characters of every description field.
const maxDescription = 1000

// hidden keeps a field out of the GraphQL schema entirely (types, filters, orders, inputs).
func hidden() entgql.Annotation { return entgql.Skip(entgql.SkipAll) }
