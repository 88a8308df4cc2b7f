package tenancy

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect/sql"

	entgo "entgo.io/ent"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/intercept"
	"github.com/orgql/orgql/ent/invitation"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/privacy"
	"github.com/orgql/orgql/ent/roleprojectpermission"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/viewer"
)

// Read says which rows of an organization-owned type a caller sees.
type Read int

const (
	// ReadMember: every member of the row's organization.
	ReadMember Read = iota
	// ReadProjects: members whose role gives access to the project (product.md 3, per-project access).
	ReadProjects
	// ReadAuditLog: members holding the READ_AUDIT_LOG capability.
	ReadAuditLog
)

func filter(ctx context.Context, q ent.Query, pred func(c *viewer.Caller) func(*sql.Selector)) error {
	c, err := caller(ctx)
	if err != nil {
		return err
	}
	w, err := intercept.NewQuery(q)
	if err != nil {
		return fmt.Errorf("%w: %w", privacy.Deny, err)
	}
	w.WhereP(pred(c))
	return privacy.Skip
}

// OrgOwnedQueryRule restricts reads of an organization-owned type to what the caller may see.
func OrgOwnedQueryRule(read Read) privacy.QueryRule {
	return privacy.QueryRuleFunc(func(ctx context.Context, q ent.Query) error {
		return filter(ctx, q, func(c *viewer.Caller) func(*sql.Selector) {
			switch read {
			case ReadProjects:
				return projectFilter(c)
			case ReadAuditLog:
				return func(s *sql.Selector) {
					s.Where(sql.In(s.C("organization_id"), orgsWithCapability(c, rbac.ReadAuditLog)))
				}
			default:
				return func(s *sql.Selector) { s.Where(sql.In(s.C("organization_id"), memberOrgs(c))) }
			}
		})
	})
}

// projectFilter: built-in roles that see every project see them all; a custom
// role sees the projects it has full access to or some environment access to.
func projectFilter(c *viewer.Caller) func(*sql.Selector) {
	var kinds []rbac.Kind
	for _, k := range rbac.BuiltIn {
		if rbac.SeesAllProjects(k) {
			kinds = append(kinds, k)
		}
	}
	return func(s *sql.Selector) {
		p := sql.Table(roleprojectpermission.Table).As("tp")
		m := sql.Table(membership.Table).As("tpm")
		none := string(rbac.NoAccess)
		granted := sql.Select(p.C(roleprojectpermission.FieldProjectID)).
			From(p).
			Join(m).On(p.C(roleprojectpermission.FieldRoleID), m.C(membership.FieldRoleID)).
			Where(sql.And(
				sql.EQ(m.C(membership.FieldUserID), c.UserID),
				sql.Or(
					sql.EQ(p.C(roleprojectpermission.FieldFullAccess), true),
					sql.NEQ(p.C(roleprojectpermission.FieldDevelopment), none),
					sql.NEQ(p.C(roleprojectpermission.FieldPreview), none),
					sql.NEQ(p.C(roleprojectpermission.FieldStaging), none),
					sql.NEQ(p.C(roleprojectpermission.FieldProduction), none),
				),
			))
		s.Where(sql.Or(
			sql.In(s.C("organization_id"), orgsWithKinds(c, kinds)),
			sql.In(s.C("id"), granted),
		))
	}
}

// OrganizationQueryRule restricts reads of organizations to the caller's.
func OrganizationQueryRule() privacy.QueryRule {
	return privacy.QueryRuleFunc(func(ctx context.Context, q ent.Query) error {
		return filter(ctx, q, func(c *viewer.Caller) func(*sql.Selector) {
			return func(s *sql.Selector) { s.Where(sql.In(s.C("id"), memberOrgs(c))) }
		})
	})
}

// UserQueryRule lets a caller see themselves and the people of their organizations.
func UserQueryRule() privacy.QueryRule {
	return privacy.QueryRuleFunc(func(ctx context.Context, q ent.Query) error {
		return filter(ctx, q, func(c *viewer.Caller) func(*sql.Selector) {
			return func(s *sql.Selector) {
				coMembers := sql.Select(membership.FieldUserID).
					From(sql.Table(membership.Table)).
					Where(sql.In(membership.FieldOrganizationID, memberOrgs(c)))
				inviters := sql.Select(invitation.FieldInviterID).
					From(sql.Table(invitation.Table)).
					Where(sql.In(invitation.FieldOrganizationID, memberOrgs(c)))
				s.Where(sql.Or(
					sql.EQ(s.C("id"), c.UserID),
					sql.In(s.C("id"), coMembers),
					sql.In(s.C("id"), inviters),
				))
			}
		})
	})
}

// DenyQueryRule denies every read outside System: for types no caller reads.
func DenyQueryRule() privacy.QueryRule {
	return privacy.QueryRuleFunc(func(context.Context, ent.Query) error {
		return fmt.Errorf("%w: internal type", privacy.Deny)
	})
}

// DenyMutationRule denies every write outside System.
func DenyMutationRule() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(context.Context, ent.Mutation) error {
		return fmt.Errorf("%w: internal type", privacy.Deny)
	})
}

// OrgOwnedMutationRule checks every write of an organization-owned type: the
// caller must hold capability in the organization of each row written. An
// empty capability allows no write outside System.
func OrgOwnedMutationRule(capability rbac.Capability) privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		if _, err := caller(ctx); err != nil {
			return err
		}
		if capability == "" {
			return fmt.Errorf("%w: %s is written by the system only", privacy.Deny, m.Type())
		}
		orgIDs, err := mutatedOrgs(ctx, m)
		if err != nil {
			return err
		}
		client := clientOf(m)
		for _, org := range orgIDs {
			if err := Authorize(ctx, client, org, capability); err != nil {
				return err
			}
		}
		return privacy.Skip
	})
}

// OrganizationMutationRule checks writes of organizations: any signed-in user
// creates one; an update needs the capability of each field it changes; a
// delete needs DELETE_ORGANIZATION.
func OrganizationMutationRule() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		if _, err := caller(ctx); err != nil {
			return err
		}
		if m.Op().Is(entgo.OpCreate) {
			return privacy.Skip
		}
		ids, err := mutationIDs(ctx, m)
		if err != nil {
			return err
		}
		caps := map[rbac.Capability]bool{}
		if m.Op().Is(entgo.OpDelete | entgo.OpDeleteOne) {
			caps[rbac.DeleteOrganization] = true
		}
		for _, f := range m.Fields() {
			caps[organizationFieldCapability(f)] = true
		}
		delete(caps, "")
		client := clientOf(m)
		for _, id := range ids {
			for c := range caps {
				if err := Authorize(ctx, client, id, c); err != nil {
					return err
				}
			}
		}
		return privacy.Skip
	})
}

func organizationFieldCapability(field string) rbac.Capability {
	switch field {
	case "updated_at":
		return ""
	case "plan":
		return rbac.ManageBilling
	case "owner_id":
		return rbac.TransferOwnership
	}
	return rbac.EditGeneralInformation
}

func clientOf(m ent.Mutation) *ent.Client {
	return m.(interface{ Client() *ent.Client }).Client()
}

func mutationIDs(ctx context.Context, m ent.Mutation) ([]string, error) {
	ider, ok := m.(interface {
		IDs(context.Context) ([]string, error)
	})
	if !ok {
		return nil, fmt.Errorf("%w: %s has no IDs", privacy.Deny, m.Type())
	}
	ids, err := ider.IDs(System(ctx))
	if err != nil {
		return nil, fmt.Errorf("load ids of %s mutation: %w", m.Type(), err)
	}
	return ids, nil
}

// mutatedOrgs returns the organizations whose rows m writes.
func mutatedOrgs(ctx context.Context, m ent.Mutation) ([]string, error) {
	if m.Op().Is(entgo.OpCreate) {
		v, ok := m.Field("organization_id")
		org, _ := v.(string)
		if !ok || org == "" {
			return nil, fmt.Errorf("%w: %s created without an organization", privacy.Deny, m.Type())
		}
		return []string{org}, nil
	}
	ids, err := mutationIDs(ctx, m)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	lookup, ok := orgsOf[m.Type()]
	if !ok {
		return nil, fmt.Errorf("%w: no organization lookup for %s", privacy.Deny, m.Type())
	}
	orgs, err := lookup(System(ctx), clientOf(m), ids)
	if err != nil {
		return nil, fmt.Errorf("load organizations of %s rows: %w", m.Type(), err)
	}
	return orgs, nil
}

// SelfMutationRule lets a user update their own row and nothing else.
func SelfMutationRule() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		c, err := caller(ctx)
		if err != nil {
			return err
		}
		if m.Op().Is(entgo.OpUpdateOne) {
			if id, ok := m.(interface{ ID() (string, bool) }).ID(); ok && id == c.UserID {
				return privacy.Skip
			}
		}
		return fmt.Errorf("%w: users change only their own row", privacy.Deny)
	})
}
