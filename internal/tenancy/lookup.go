package tenancy

import (
	"context"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/cluster"
	"github.com/orgql/orgql/ent/invitation"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/ent/project"
	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/ent/roleclusterpermission"
	"github.com/orgql/orgql/ent/roleprojectpermission"
)

// orgsOf finds the organizations of rows of each organization-owned type, by
// ID; keyed by ent.Mutation.Type() (ent.TypeX, not the lower-case Label).
// A type using the OrgOwned mixin without an entry here cannot be updated or
// deleted (TestEveryOrgOwnedTypeHasLookup keeps the two in step).
var orgsOf = map[string]func(context.Context, *ent.Client, []string) ([]string, error){
	ent.TypeMembership: func(ctx context.Context, c *ent.Client, ids []string) ([]string, error) {
		return c.Membership.Query().Where(membership.IDIn(ids...)).Unique(true).Select(membership.FieldOrganizationID).Strings(ctx)
	},
	ent.TypeRole: func(ctx context.Context, c *ent.Client, ids []string) ([]string, error) {
		return c.Role.Query().Where(role.IDIn(ids...)).Unique(true).Select(role.FieldOrganizationID).Strings(ctx)
	},
	ent.TypeInvitation: func(ctx context.Context, c *ent.Client, ids []string) ([]string, error) {
		return c.Invitation.Query().Where(invitation.IDIn(ids...)).Unique(true).Select(invitation.FieldOrganizationID).Strings(ctx)
	},
	ent.TypeProject: func(ctx context.Context, c *ent.Client, ids []string) ([]string, error) {
		return c.Project.Query().Where(project.IDIn(ids...)).Unique(true).Select(project.FieldOrganizationID).Strings(ctx)
	},
	ent.TypeCluster: func(ctx context.Context, c *ent.Client, ids []string) ([]string, error) {
		return c.Cluster.Query().Where(cluster.IDIn(ids...)).Unique(true).Select(cluster.FieldOrganizationID).Strings(ctx)
	},
	ent.TypeRoleProjectPermission: func(ctx context.Context, c *ent.Client, ids []string) ([]string, error) {
		return c.RoleProjectPermission.Query().Where(roleprojectpermission.IDIn(ids...)).Unique(true).Select(roleprojectpermission.FieldOrganizationID).Strings(ctx)
	},
	ent.TypeRoleClusterPermission: func(ctx context.Context, c *ent.Client, ids []string) ([]string, error) {
		return c.RoleClusterPermission.Query().Where(roleclusterpermission.IDIn(ids...)).Unique(true).Select(roleclusterpermission.FieldOrganizationID).Strings(ctx)
	},
	ent.TypeOrganizationEvent: func(ctx context.Context, c *ent.Client, ids []string) ([]string, error) {
		return c.OrganizationEvent.Query().Where(organizationevent.IDIn(ids...)).Unique(true).Select(organizationevent.FieldOrganizationID).Strings(ctx)
	},
}
