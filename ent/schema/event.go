package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/orgql/orgql/ent/privacy"
	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/tenancy"
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
		).Immutable().
			Comment("What happened.").
			Annotations(entgql.Type("OrganizationEventType"), EnumDoc{Values: map[string]string{
				"CREATE": "The target was created.", "UPDATE": "The target was changed; the change lists each field's old and new value.",
				"DELETE": "The target was deleted.", "SWITCH": "A user made the organization their current one.",
				"PLAN_CHANGE": "The organization moved to another plan.", "INVITE": "Someone was invited.",
				"RESEND": "An invitation was sent again with a new link.", "REVOKE": "An invitation was revoked.",
				"ACCEPT": "An invitation was accepted: someone joined.", "ROLE_CHANGE": "A member got another role.",
				"REMOVE": "A member was removed.", "LEAVE": "A member left.",
				"TRANSFER_OWNERSHIP": "The organization's ownership moved to another member.",
			}}),
		field.Enum("target_type").Values(
			"ORGANIZATION", "MEMBERSHIP", "INVITATION", "ROLE", "PROJECT", "CLUSTER",
			"API_TOKEN", "CONTAINER_REGISTRY", "GIT_TOKEN", "HELM_REPOSITORY",
			"LABELS_GROUP", "ANNOTATIONS_GROUP", "BILLING_INFO", "CREDIT_CARD",
		).Immutable().
			Comment("The kind of object the event is about.").
			Annotations(entgql.Type("EventTargetType"), EnumDoc{Values: map[string]string{
				"ORGANIZATION": "The organization itself.", "MEMBERSHIP": "A member.", "INVITATION": "An invitation.",
				"ROLE": "A role.", "PROJECT": "A project.", "CLUSTER": "A cluster.",
				"API_TOKEN": "An API token.", "CONTAINER_REGISTRY": "A container registry.",
				"GIT_TOKEN": "A Git token.", "HELM_REPOSITORY": "A Helm repository.",
				"LABELS_GROUP": "A labels group.", "ANNOTATIONS_GROUP": "An annotations group.",
				"BILLING_INFO": "The organization's billing information.", "CREDIT_CARD": "A credit card (only its brand and last 4 digits are recorded).",
			}}),
		field.String("target_id").Immutable().Comment("The ID of the object the event is about."),
		field.String("target_name").Immutable().Default("").Comment("The object's name (or e-mail, or login) when the event happened."),
		field.JSON("change", map[string]any{}).Optional().Immutable().
			Comment("What changed: the values a creation set, or each changed field's old and new value; a secret only says it changed.").
			Annotations(entgql.Type("Map"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.Enum("actor_type").Values("USER", "API_TOKEN", "SYSTEM").Immutable().Annotations(hidden()),
		// actor_id is in the where-input (the audit log's actor filter); Actor shows it.
		field.String("actor_id").Immutable().Default("").
			Comment("The ID of the user or API token that made the change; empty for orgql itself.").
			Annotations(entgql.Skip(entgql.SkipType, entgql.SkipOrderField, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.String("actor_name").Immutable().Default("").Annotations(hidden()),
		field.String("origin").Immutable().Default("").Comment("The network address the change came from."),
		field.String("user_agent").Immutable().Default("").Comment("The user agent of the client that made the change."),
		field.Time("created_at").Immutable().Default(time.Now).
			Comment("When the change was committed.").
			Annotations(entgql.OrderField("CREATED_AT")),
		// sequence is given at commit (internal/events): on PostgreSQL from
		// the transaction's ID, on SQLite from a counter in commit order.
		// docs/architecture.md "Commit order".
		field.Int64("sequence").Default(0).
			Comment("The event's place in the log: the order in which readers that follow it see the changes.").
			Annotations(entgql.OrderField("SEQUENCE"), entgql.Skip(entgql.SkipType, entgql.SkipWhereInput)),
	}
}

func (OrganizationEvent) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "created_at"),
		index.Fields("organization_id", "sequence"),
		index.Fields("sequence"),
	}
}

func (OrganizationEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(),
		schema.Comment("One change to an organization, written with the change itself: the audit log's entries.")}
}

// EventSequence holds what organization events are numbered from
// (internal/events): on SQLite, row 1 is the counter a committing
// transaction adds its events to; on PostgreSQL, row 2 is the offset added
// to transaction IDs (events.KeepAhead).
type EventSequence struct{ ent.Schema }

func (EventSequence) Fields() []ent.Field {
	return []ent.Field{
		field.Int("id").Immutable(),
		field.Int64("value").Default(0),
	}
}

func (EventSequence) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{tenancy.DenyQueryRule()},
		Mutation: privacy.MutationPolicy{tenancy.DenyMutationRule()},
	}
}

func (EventSequence) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
