package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"entgo.io/ent/schema/mixin"

	"github.com/orgql/orgql/ent/privacy"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/tenancy"
)

// OrgOwned is the one mixin of every organization-owned type: an immutable
// organization_id and the tenant policy of the data layer (see tenancy).
type OrgOwned struct {
	mixin.Schema
	// Write is the capability that creating, updating or deleting a row
	// needs in its organization; empty means only the system writes.
	Write rbac.Capability
	// Read says which members see a row.
	Read tenancy.Read
}

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

func (m OrgOwned) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{tenancy.OrgOwnedQueryRule(m.Read)},
		Mutation: privacy.MutationPolicy{tenancy.OrgOwnedMutationRule(m.Write)},
	}
}
