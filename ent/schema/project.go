package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/validate"
)

// Project exists so the first-project step, custom roles and per-project access have something real to point at.
type Project struct{ ent.Schema }

func (Project) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.Project}, TimeMixin{}, OrgOwned{}, UniqueName{Max: 255}}
}

func (Project) Fields() []ent.Field {
	return []ent.Field{
		field.String("description").Default("").Validate(validate.TextRule(maxDescription)).
			Comment("What the project is, at most 1000 characters."),
	}
}

func (Project) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("projects").Field("organization_id").Unique().Required().Immutable(),
		edge.To("role_permissions", RoleProjectPermission.Type).Annotations(hidden(), entsql.OnDelete(entsql.Cascade)),
	}
}

func (Project) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(),
		schema.Comment("A project of the organization: what roles give access to, per environment type.")}
}

// Cluster is a record of a Kubernetes cluster; nothing is provisioned.
type Cluster struct{ ent.Schema }

func (Cluster) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.Cluster}, TimeMixin{}, OrgOwned{}, UniqueName{Max: 255}}
}

func (Cluster) Fields() []ent.Field {
	return []ent.Field{
		field.String("description").Default("").Validate(validate.TextRule(maxDescription)).
			Comment("What the cluster is for, at most 1000 characters."),
		field.Enum("cloud_provider").
			Values("AWS", "SCW", "GCP", "DO", "AZURE", "OVH", "CIVO", "HETZNER", "ORACLE", "IBM", "ON_PREMISE").
			Comment("The cloud provider the cluster runs on.").
			Annotations(entgql.Type("CloudProvider"), EnumDoc{Values: map[string]string{
				"AWS": "Amazon Web Services.", "SCW": "Scaleway.", "GCP": "Google Cloud Platform.", "DO": "DigitalOcean.",
				"AZURE": "Microsoft Azure.", "OVH": "OVHcloud.", "CIVO": "Civo.", "HETZNER": "Hetzner.",
				"ORACLE": "Oracle Cloud.", "IBM": "IBM Cloud.", "ON_PREMISE": "The organization's own infrastructure.",
			}}),
		field.String("region").Validate(validate.NameRule(100)).
			Comment("The provider's region the cluster runs in (eu-west-3)."),
		field.Enum("kubernetes_mode").Values("MANAGED", "SELF_MANAGED", "PARTIALLY_MANAGED").Default("MANAGED").
			Comment("Who manages the cluster's Kubernetes.").
			Annotations(entgql.Type("KubernetesMode"), EnumDoc{Values: map[string]string{
				"MANAGED":           "The platform manages the cluster's Kubernetes.",
				"SELF_MANAGED":      "The organization manages its Kubernetes itself.",
				"PARTIALLY_MANAGED": "The platform manages part of the cluster; the organization the rest.",
			}}),
		field.Bool("production").Default(false).
			Comment("Whether the cluster runs production workloads."),
	}
}

func (Cluster) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("clusters").Field("organization_id").Unique().Required().Immutable(),
		edge.To("role_permissions", RoleClusterPermission.Type).Annotations(hidden(), entsql.OnDelete(entsql.Cascade)),
		edge.To("labels_groups", LabelsGroup.Type).
			Comment("The labels groups whose labels the cluster's resources get, in no particular order."),
	}
}

func (Cluster) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(),
		schema.Comment("A Kubernetes cluster the organization uses; a record that roles and labels groups refer to: nothing is provisioned.")}
}

// RoleProjectPermission is a custom role's access to one project; a project a
// role has no row for gets rbac.DefaultProjectPermission on every environment type.
type RoleProjectPermission struct{ ent.Schema }

func (RoleProjectPermission) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.RolePermission}, OrgOwned{}}
}

func (RoleProjectPermission) Fields() []ent.Field {
	perm := func(name string) ent.Field {
		return field.Enum(name).GoType(rbac.ProjectPermission("")).Default(string(rbac.DefaultProjectPermission))
	}
	return []ent.Field{
		field.String("role_id").Immutable(),
		field.String("project_id").Immutable(),
		field.Bool("full_access").Default(false),
		perm("development"), perm("preview"), perm("staging"), perm("production"),
	}
}

func (RoleProjectPermission) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("role_project_permissions").Field("organization_id").Unique().Required().Immutable(),
		edge.From("role", Role.Type).Ref("project_permissions").Field("role_id").Unique().Required().Immutable(),
		edge.From("project", Project.Type).Ref("role_permissions").Field("project_id").Unique().Required().Immutable(),
	}
}

func (RoleProjectPermission) Indexes() []ent.Index {
	return []ent.Index{index.Fields("role_id", "project_id").Unique()}
}

func (RoleProjectPermission) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// RoleClusterPermission is a custom role's permission on one cluster; a
// cluster a role has no row for gets rbac.DefaultClusterPermission.
type RoleClusterPermission struct{ ent.Schema }

func (RoleClusterPermission) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: id.RolePermission}, OrgOwned{}}
}

func (RoleClusterPermission) Fields() []ent.Field {
	return []ent.Field{
		field.String("role_id").Immutable(),
		field.String("cluster_id").Immutable(),
		field.Enum("permission").GoType(rbac.ClusterPermission("")).Default(string(rbac.DefaultClusterPermission)),
	}
}

func (RoleClusterPermission) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("role_cluster_permissions").Field("organization_id").Unique().Required().Immutable(),
		edge.From("role", Role.Type).Ref("cluster_permissions").Field("role_id").Unique().Required().Immutable(),
		edge.From("cluster", Cluster.Type).Ref("role_permissions").Field("cluster_id").Unique().Required().Immutable(),
	}
}

func (RoleClusterPermission) Indexes() []ent.Index {
	return []ent.Index{index.Fields("role_id", "cluster_id").Unique()}
}

func (RoleClusterPermission) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
