package tenancy

import (
	"entgo.io/ent/dialect/sql"

	"github.com/orgql/orgql/ent/invitation"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/ent/roleprojectpermission"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/viewer"
)

// This file answers the questions every rule asks about a caller. Each
// function branches once on the caller's kind; nothing else in the package
// looks at which kind of caller it has.

// orgSet is a set of organizations in SQL: every organization (the system),
// a subquery (a user's memberships), or a fixed list (an API token's one
// organization, or none).
type orgSet struct {
	all bool
	sub *sql.Selector
	ids []string
}

// where restricts column of s to the set.
func (o orgSet) where(s *sql.Selector, column string) {
	switch {
	case o.all:
	case o.sub != nil:
		s.Where(sql.In(s.C(column), o.sub))
	case len(o.ids) == 0:
		s.Where(sql.False())
	default:
		s.Where(sql.In(s.C(column), anys(o.ids)...))
	}
}

// predicate is where as a predicate on column of s, to combine with others.
func (o orgSet) predicate(s *sql.Selector, column string) *sql.Predicate {
	switch {
	case o.all:
		return sql.Not(sql.False())
	case o.sub != nil:
		return sql.In(s.C(column), o.sub)
	case len(o.ids) == 0:
		return sql.False()
	default:
		return sql.In(s.C(column), anys(o.ids)...)
	}
}

// orgsWith answers "in which organizations does c hold capability?".
// ReadOrganization, which every role holds, is "which may c read".
func orgsWith(c *viewer.Caller, capability rbac.Capability) orgSet {
	switch c.Kind() {
	case viewer.System:
		return orgSet{all: true}
	case viewer.APIToken:
		if rbac.Can(c.Token.RoleKind, capability) {
			return orgSet{ids: []string{c.Token.OrganizationID}}
		}
		return orgSet{}
	case viewer.User:
		kinds := rbac.KindsWith(capability)
		if len(kinds) == len(rbac.Kinds()) {
			return orgSet{sub: sql.Select(membership.FieldOrganizationID).
				From(sql.Table(membership.Table)).
				Where(sql.EQ(membership.FieldUserID, c.UserID))}
		}
		m := sql.Table(membership.Table).As("tm")
		r := sql.Table(role.Table).As("tr")
		return orgSet{sub: sql.Select(m.C(membership.FieldOrganizationID)).
			From(m).
			Join(r).On(m.C(membership.FieldRoleID), r.C(role.FieldID)).
			Where(sql.And(sql.EQ(m.C(membership.FieldUserID), c.UserID), sql.In(r.C(role.FieldKind), anys(kinds)...)))}
	}
	return orgSet{}
}

// visibleProjects answers "which projects may c see?", as a predicate on
// the projects table: in the organizations where c's role sees every project
// (a built-in role with project access), all of them; elsewhere, those a
// custom role grants access to.
func visibleProjects(c *viewer.Caller) func(*sql.Selector) {
	var kinds []rbac.Kind
	for _, k := range rbac.BuiltIn {
		if rbac.SeesAllProjects(k) {
			kinds = append(kinds, k)
		}
	}
	var all orgSet
	var roles *sql.Selector // the custom roles whose grants apply
	switch c.Kind() {
	case viewer.System:
		return func(*sql.Selector) {}
	case viewer.APIToken:
		if rbac.SeesAllProjects(c.Token.RoleKind) {
			all = orgSet{ids: []string{c.Token.OrganizationID}}
		} else if c.Token.RoleKind == rbac.Custom {
			roles = sql.Select(role.FieldID).From(sql.Table(role.Table)).Where(sql.EQ(role.FieldID, c.Token.RoleID))
		}
	case viewer.User:
		m := sql.Table(membership.Table).As("tm")
		r := sql.Table(role.Table).As("tr")
		all = orgSet{sub: sql.Select(m.C(membership.FieldOrganizationID)).
			From(m).
			Join(r).On(m.C(membership.FieldRoleID), r.C(role.FieldID)).
			Where(sql.And(sql.EQ(m.C(membership.FieldUserID), c.UserID), sql.In(r.C(role.FieldKind), anys(kinds)...)))}
		roles = sql.Select(membership.FieldRoleID).From(sql.Table(membership.Table)).Where(sql.EQ(membership.FieldUserID, c.UserID))
	default:
		return func(s *sql.Selector) { s.Where(sql.False()) }
	}
	return func(s *sql.Selector) {
		var preds []*sql.Predicate
		if all.sub != nil || len(all.ids) > 0 {
			preds = append(preds, allProjects(s, all))
		}
		if roles != nil {
			p := sql.Table(roleprojectpermission.Table).As("tp")
			none := string(rbac.NoAccess)
			granted := sql.Select(p.C(roleprojectpermission.FieldProjectID)).
				From(p).
				Where(sql.And(
					sql.In(p.C(roleprojectpermission.FieldRoleID), roles),
					sql.Or(
						sql.EQ(p.C(roleprojectpermission.FieldFullAccess), true),
						sql.NEQ(p.C(roleprojectpermission.FieldDevelopment), none),
						sql.NEQ(p.C(roleprojectpermission.FieldPreview), none),
						sql.NEQ(p.C(roleprojectpermission.FieldStaging), none),
						sql.NEQ(p.C(roleprojectpermission.FieldProduction), none),
					),
				))
			preds = append(preds, sql.In(s.C("id"), granted))
		}
		if len(preds) == 0 {
			s.Where(sql.False())
			return
		}
		s.Where(sql.Or(preds...))
	}
}

// allProjects is the predicate "the project's organization is in set".
func allProjects(s *sql.Selector, set orgSet) *sql.Predicate {
	if set.sub != nil {
		return sql.In(s.C("organization_id"), set.sub)
	}
	return sql.In(s.C("organization_id"), anys(set.ids)...)
}

// visibleUsers answers "which users may c see?", as a predicate on the
// users table: themselves, and the members and inviters of the
// organizations c may read.
func visibleUsers(c *viewer.Caller) func(*sql.Selector) {
	if c.Kind() == viewer.System {
		return func(*sql.Selector) {}
	}
	orgs := orgsWith(c, rbac.ReadOrganization)
	return func(s *sql.Selector) {
		coMembers := sql.Select(membership.FieldUserID).From(sql.Table(membership.Table))
		orgs.where(coMembers, membership.FieldOrganizationID)
		inviters := sql.Select(invitation.FieldInviterID).From(sql.Table(invitation.Table))
		orgs.where(inviters, invitation.FieldOrganizationID)
		preds := []*sql.Predicate{sql.In(s.C("id"), coMembers), sql.In(s.C("id"), inviters)}
		if c.IsUser() {
			preds = append(preds, sql.EQ(s.C("id"), c.UserID))
		}
		s.Where(sql.Or(preds...))
	}
}

func anys[T ~string](list []T) []any {
	out := make([]any, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}
