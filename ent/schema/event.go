package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/orgql/orgql/internal/id"
)

// OrganizationEvent is one change to an organization, written in the change's
// own transaction: the single source of the audit log and live subscriptions.
// organization_id has no foreign key: the events of a deleted organization stay.
type OrganizationEvent struct{ ent.Schema }

func (OrganizationEvent) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.OrganizationEvent}, OrgOwned{}}
}

func (OrganizationEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("type").Values(
			"CREATE", "UPDATE", "DELETE", "SWITCH", "PLAN_CHANGE",
			"INVITE", "RESEND", "REVOKE", "ACCEPT", "ROLE_CHANGE", "REMOVE", "LEAVE", "TRANSFER_OWNERSHIP",
		).Immutable().Annotations(entgql.Type("OrganizationEventType")),
		field.Enum("target_type").Values(
			"ORGANIZATION", "MEMBERSHIP", "INVITATION", "ROLE", "PROJECT", "CLUSTER",
		).Immutable().Annotations(entgql.Type("EventTargetType")),
		field.String("target_id").Immutable(),
		field.String("target_name").Immutable().Default(""),
		field.JSON("change", map[string]any{}).Optional().Immutable().
			Annotations(entgql.Type("Map"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.Enum("actor_type").Values("USER", "API_TOKEN", "SYSTEM").Immutable().Annotations(hidden()),
		field.String("actor_id").Immutable().Default("").Annotations(hidden()),
		field.String("actor_name").Immutable().Default("").Annotations(hidden()),
		field.String("origin").Immutable().Default(""),
		field.String("user_agent").Immutable().Default(""),
		field.Time("created_at").Immutable().Default(time.Now).Annotations(entgql.OrderField("CREATED_AT")),
	}
}

func (OrganizationEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "created_at")}
}

func (OrganizationEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
