package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/kubemeta"
)

// The definitions of labels and annotations groups are JSON lists; ent has
// no validators for JSON fields, so internal/groups checks them (with
// internal/kubemeta's rules) before every save.

// LabelsGroup is a named set of Kubernetes labels that clusters put on their resources.
type LabelsGroup struct{ ent.Schema }

func (LabelsGroup) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.LabelsGroup}, TimeMixin{}, OrgOwned{}, UniqueName{Max: 255}, Creator{}}
}

func (LabelsGroup) Fields() []ent.Field {
	return []ent.Field{
		field.JSON("labels", []kubemeta.Label{}).
			Comment("The labels, in the order given; no key appears twice.").
			Annotations(entgql.Type("[Label!]"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
	}
}

func (LabelsGroup) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("labels_groups").Field("organization_id").Unique().Required().Immutable(),
		edge.From("clusters", Cluster.Type).Ref("labels_groups").
			Comment("The clusters that use the group, in no particular order; a group in use cannot be deleted."),
	}
}

func (LabelsGroup) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(),
		schema.Comment("A named set of Kubernetes labels that the clusters using it put on their resources, and optionally on their cloud provider's resources as tags.")}
}

// AnnotationsGroup is a named set of Kubernetes annotations and the kinds of objects they go on.
type AnnotationsGroup struct{ ent.Schema }

func (AnnotationsGroup) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.AnnotationsGroup}, TimeMixin{}, OrgOwned{}, UniqueName{Max: 255}, Creator{}}
}

func (AnnotationsGroup) Fields() []ent.Field {
	return []ent.Field{
		field.JSON("annotations", []kubemeta.Annotation{}).
			Comment("The annotations, in the order given; no key appears twice.").
			Annotations(entgql.Type("[Annotation!]"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
		field.JSON("scopes", []kubemeta.Scope{}).
			Comment("The kinds of Kubernetes objects the annotations are put on, in the order given.").
			Annotations(entgql.Type("[AnnotationScope!]"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)),
	}
}

func (AnnotationsGroup) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("annotations_groups").Field("organization_id").Unique().Required().Immutable(),
	}
}

func (AnnotationsGroup) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(),
		schema.Comment("A named set of Kubernetes annotations, and the kinds of objects (deployments, services, ...) they are put on.")}
}
