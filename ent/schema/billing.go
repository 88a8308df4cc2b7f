package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/orgql/orgql/ent/privacy"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/tenancy"
)

// BillingAccount is an organization's billing state, one row per
// organization: its billing information, its customer and subscription at
// the payment provider, and the local ledger's current period. GraphQL shows
// it as Organization.billing (graph/billing.graphqls), not as a type.
type BillingAccount struct{ ent.Schema }

func (BillingAccount) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.BillingAccount}, TimeMixin{}, OrgOwned{}}
}

func (BillingAccount) Fields() []ent.Field {
	info := func(name string) ent.Field { return field.String(name).Default("") }
	return []ent.Field{
		field.Bool("info_set").Default(false),
		info("first_name"), info("last_name"), info("email"), info("address"), info("city"),
		info("zip"), info("state"), info("country_code"), info("company"), info("vat_number"),
		field.String("provider").Default(""),
		field.String("customer_id").Default(""),
		field.String("subscription_id").Default(""),
		// subscription_generation counts the subscriptions created so far (idempotency keys).
		field.Int("subscription_generation").Default(0),
		field.Time("period_start"),
		// plan_since is when the organization's current plan started within the period.
		field.Time("plan_since"),
		// pending_lines are the period's closed plan segments, for its invoice.
		field.JSON("pending_lines", []billing.Line{}).Default([]billing.Line{}),
	}
}

func (BillingAccount) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("billing_account").Field("organization_id").Unique().Required().Immutable(),
	}
}

func (BillingAccount) Indexes() []ent.Index {
	// One per organization: the unique edge from the organization holds it.
	return []ent.Index{index.Fields("customer_id")}
}

func (BillingAccount) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// CreditCard is a card an organization pays with, as the payment provider
// reports it: never its number or CVC, only brand, last 4 and expiry.
type CreditCard struct{ ent.Schema }

func (CreditCard) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.CreditCard}, CreateTimeMixin{}, OrgOwned{}}
}

func (CreditCard) Fields() []ent.Field {
	return []ent.Field{
		field.String("provider_id").Immutable().Annotations(hidden()),
		field.String("brand").Immutable().
			Comment("The card's brand as the payment provider names it: visa, mastercard, amex, ...").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.String("last4").Immutable().
			Comment("The last 4 digits of the card's number.").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.Int("expiry_month").Range(1, 12).
			Comment("The month the card expires, 1 to 12.").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.Int("expiry_year").
			Comment("The year the card expires.").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.Bool("is_default").Default(false).
			Comment("Whether invoices are charged to this card.").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
	}
}

func (CreditCard) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("credit_cards").Field("organization_id").Unique().Required().Immutable(),
	}
}

func (CreditCard) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "provider_id").Unique()}
}

func (CreditCard) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
		schema.Comment("A credit card the organization pays with. orgql never sees its number: it is added by a payment-provider token.")}
}

// Invoice is an invoice of an organization, issued by the payment provider:
// the local ledger at the end of each billing period, or Stripe (through
// its webhooks).
type Invoice struct{ ent.Schema }

func (Invoice) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.Invoice}, TimeMixin{}, OrgOwned{}}
}

func (Invoice) Fields() []ent.Field {
	return []ent.Field{
		field.String("number").Immutable().
			Comment("The invoice's number, as printed on it.").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.Enum("status").GoType(billing.InvoiceStatus("")).
			Comment("Where the invoice stands.").
			Annotations(entgql.Type("InvoiceStatus"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField), EnumDoc{Values: map[string]string{
				string(billing.InvoiceDraft):         "Being prepared: it may still change.",
				string(billing.InvoiceOpen):          "Issued and waiting for payment.",
				string(billing.InvoicePaid):          "Paid.",
				string(billing.InvoiceVoid):          "Cancelled: nothing is owed.",
				string(billing.InvoiceUncollectible): "Issued, and given up on being paid.",
			}}),
		field.Int("total_cents").
			Comment("The total in the smallest unit of the currency (cents).").
			Annotations(entgql.Skip(entgql.SkipWhereInput), entgql.OrderField("TOTAL")),
		field.String("currency").
			Comment("The ISO 4217 code of the invoice's currency.").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.Time("period_start").
			Comment("The start of the billing period the invoice is for.").
			Annotations(entgql.Skip(entgql.SkipWhereInput), entgql.OrderField("PERIOD_START")),
		field.Time("period_end").
			Comment("The end of the billing period the invoice is for.").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.String("provider_id").Default("").Annotations(hidden()),
		// pdf_url is the provider's copy of the PDF (Stripe's); the local ledger renders its own.
		field.String("pdf_url").Default("").Annotations(hidden()),
		field.JSON("lines", []billing.Line{}).Default([]billing.Line{}).Annotations(hidden()),
	}
}

func (Invoice) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("invoices").Field("organization_id").Unique().Required().Immutable(),
	}
}

func (Invoice) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "created_at"), index.Fields("provider_id")}
}

func (Invoice) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
		schema.Comment("An invoice of the organization, for one billing period.")}
}

// ProcessedWebhookEvent is a payment-provider event already applied: an
// event delivered again (a retry, a replay) is recognized and ignored.
type ProcessedWebhookEvent struct{ ent.Schema }

func (ProcessedWebhookEvent) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").Immutable().NotEmpty(),
		field.String("type").Immutable(),
		field.Time("processed_at").Immutable().Default(time.Now),
	}
}

func (ProcessedWebhookEvent) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{tenancy.DenyQueryRule()},
		Mutation: privacy.MutationPolicy{tenancy.DenyMutationRule()},
	}
}

func (ProcessedWebhookEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
