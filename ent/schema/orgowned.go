package schema

import (
	"context"
	"fmt"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"entgo.io/ent/schema/mixin"

	"github.com/orgql/orgql/ent/privacy"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/validate"
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
