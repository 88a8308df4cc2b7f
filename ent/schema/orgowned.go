package schema

import (
	"context"
	"fmt"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"entgo.io/ent/schema/mixin"

	"github.com/orgql/orgql/ent/privacy"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/validate"
	"github.com/orgql/orgql/internal/viewer"
)

// OrgOwned is the one mixin of every organization-owned type: an immutable
// organization_id and the tenant policy of the data layer. Who reads and
// writes the type's rows is its line in the permission table (rbac.Objects),
// which the policy looks up by type name.
type OrgOwned struct{ mixin.Schema }

func (OrgOwned) Fields() []ent.Field {
	return []ent.Field{
		field.String("organization_id").
			Immutable().
			NotEmpty().
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

func (OrgOwned) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id")}
}

func (OrgOwned) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{tenancy.OrgOwnedQueryRule()},
		Mutation: privacy.MutationPolicy{tenancy.OrgOwnedMutationRule()},
	}
}

// UniqueName gives a type a required name that is unique as people read
// names: two names that look alike (validate.NameKey: case, width, homoglyphs)
// cannot both exist, in one organization, or among all rows when Global.
// The key column is kept by a hook, so no code sets it.
type UniqueName struct {
	mixin.Schema
	// Max is the most characters a name may have.
	Max int
	// Global makes names unique among all rows (organizations are), not per organization.
	Global bool
}

func (m UniqueName) Fields() []ent.Field {
	key := field.String("name_key").Annotations(hidden())
	scope := "in its organization"
	if m.Global {
		key, scope = key.Unique(), "among all organizations"
	}
	return []ent.Field{
		field.String("name").Validate(validate.NameRule(m.Max)).
			Comment(fmt.Sprintf("The name, unique %s (names that differ only in case, width or look-alike letters count as the same).", scope)).
			Annotations(entgql.OrderField("NAME")),
		key,
	}
}

func (m UniqueName) Indexes() []ent.Index {
	if m.Global {
		return nil
	}
	return []ent.Index{index.Fields("organization_id", "name_key").Unique()}
}

func (UniqueName) Hooks() []ent.Hook {
	return []ent.Hook{func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if v, ok := m.Field("name"); ok {
				name, _ := v.(string)
				if err := m.SetField("name_key", validate.NameKey(name)); err != nil {
					return nil, fmt.Errorf("set name key: %w", err)
				}
			}
			return next.Mutate(ctx, m)
		})
	}}
}

// Creator records who created a row: the signed-in user, or for an API
// token the user who created the token. The creator is shown (as a User)
// only to callers who may see that user: a creator who left the
// organization reads as null.
type Creator struct{ mixin.Schema }

func (Creator) Fields() []ent.Field {
	return []ent.Field{
		field.String("creator_id").Optional().Nillable().Immutable().Annotations(hidden()),
	}
}

func (Creator) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("creator", User.Type).Field("creator_id").Unique().Immutable().
			Comment("Who created it; null when they are no longer in the organization.").
			Annotations(entsql.OnDelete(entsql.SetNull)),
	}
}

func (Creator) Hooks() []ent.Hook {
	return []ent.Hook{func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if m.Op().Is(ent.OpCreate) {
				if id := creatorOf(viewer.FromContext(ctx)); id != "" {
					if err := m.SetField("creator_id", id); err != nil {
						return nil, fmt.Errorf("set creator: %w", err)
					}
				}
			}
			return next.Mutate(ctx, m)
		})
	}}
}

// creatorOf is the user a caller creates rows as.
func creatorOf(c *viewer.Caller) string {
	switch c.Kind() {
	case viewer.User:
		return c.UserID
	case viewer.APIToken:
		return c.Token.CreatorID
	}
	return ""
}
