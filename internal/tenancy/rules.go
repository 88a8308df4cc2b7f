package tenancy

import (
	"context"
	"fmt"

	entgo "entgo.io/ent"
	"entgo.io/ent/dialect/sql"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/intercept"
	"github.com/orgql/orgql/ent/privacy"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/viewer"
)

// object returns the permission-table entry of ent type typ; a type without
// one is denied everything.
func object(typ string) (rbac.Object, error) {
	obj, ok := rbac.Objects[typ]
	if !ok {
		return obj, fmt.Errorf("%w: %s is not in the permission table", privacy.Deny, typ)
	}
	return obj, nil
}

func filter(ctx context.Context, q ent.Query, pred func(c *viewer.Caller, typ string) (func(*sql.Selector), error)) error {
	c, err := caller(ctx)
	if err != nil {
		return err
	}
	w, err := intercept.NewQuery(q)
	if err != nil {
		return fmt.Errorf("%w: %w", privacy.Deny, err)
	}
	p, err := pred(c, w.Type())
	if err != nil {
		return err
	}
	w.WhereP(p)
	return privacy.Skip
}

// OrgOwnedQueryRule restricts reads of an organization-owned type to the
// rows the permission table lets the caller see.
func OrgOwnedQueryRule() privacy.QueryRule {
	return privacy.QueryRuleFunc(func(ctx context.Context, q ent.Query) error {
		return filter(ctx, q, func(c *viewer.Caller, typ string) (func(*sql.Selector), error) {
			obj, err := object(typ)
			if err != nil {
				return nil, err
			}
			orgs := orgsWith(c, obj.Read)
			if typ == "OrganizationEvent" {
				targets := eventTargets(c)
				return func(s *sql.Selector) {
					orgs.where(s, "organization_id")
					targets(s)
				}, nil
			}
			if !obj.PerProject {
				return func(s *sql.Selector) { orgs.where(s, "organization_id") }, nil
			}
			projects := visibleProjects(c)
			return func(s *sql.Selector) {
				orgs.where(s, "organization_id")
				projects(s)
			}, nil
		})
	})
}

// eventReadCapability is the capability an event about target is read with,
// beyond READ_AUDIT_LOG: an event about an invitation or a credit card says
// as much as the row (its name, its change), so it is read with the
// capability the row is read with (docs/permissions.md). ok is false for a
// target every reader of the log may read.
func eventReadCapability(target string) (read rbac.Capability, ok bool) {
	typ := rbac.EventTargets[target]
	if typ == "" {
		return "", false
	}
	read = rbac.Objects[typ].Read
	return read, read != rbac.ReadOrganization
}

// EventReadable reports whether a reader of the audit log holding a role of
// kind k may read an event about target: the rule eventTargets applies in
// SQL, for the events a live subscription has already read (internal/live).
func EventReadable(k rbac.Kind, target string) bool {
	read, restricted := eventReadCapability(target)
	return !restricted || rbac.Can(k, read)
}

// eventTargets narrows the events c reads to those whose target c may read
// (eventReadCapability).
func eventTargets(c *viewer.Caller) func(*sql.Selector) {
	restricted := map[rbac.Capability][]any{}
	var all []any
	for target := range rbac.EventTargets {
		if read, ok := eventReadCapability(target); ok {
			restricted[read] = append(restricted[read], target)
			all = append(all, target)
		}
	}
	if len(all) == 0 || c.Kind() == viewer.System {
		return func(*sql.Selector) {}
	}
	return func(s *sql.Selector) {
		or := []*sql.Predicate{sql.NotIn(s.C("target_type"), all...)}
		for read, targets := range restricted {
			or = append(or, sql.And(sql.In(s.C("target_type"), targets...), orgsWith(c, read).predicate(s, "organization_id")))
		}
		s.Where(sql.Or(or...))
	}
}

// OrganizationQueryRule restricts reads of organizations to the caller's.
func OrganizationQueryRule() privacy.QueryRule {
	return privacy.QueryRuleFunc(func(ctx context.Context, q ent.Query) error {
		return filter(ctx, q, func(c *viewer.Caller, _ string) (func(*sql.Selector), error) {
			orgs := orgsWith(c, rbac.ReadOrganization)
			return func(s *sql.Selector) { orgs.where(s, "id") }, nil
		})
	})
}

// UserQueryRule lets a caller see themselves and the people of their organizations.
func UserQueryRule() privacy.QueryRule {
	return privacy.QueryRuleFunc(func(ctx context.Context, q ent.Query) error {
		return filter(ctx, q, func(c *viewer.Caller, _ string) (func(*sql.Selector), error) {
			return visibleUsers(c), nil
		})
	})
}

// DenyQueryRule denies every read outside AsSystem: for types no caller reads.
func DenyQueryRule() privacy.QueryRule {
	return privacy.QueryRuleFunc(func(context.Context, ent.Query) error {
		return fmt.Errorf("%w: internal type", privacy.Deny)
	})
}

// DenyMutationRule denies every write outside AsSystem.
func DenyMutationRule() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(context.Context, ent.Mutation) error {
		return fmt.Errorf("%w: internal type", privacy.Deny)
	})
}

// OrgOwnedMutationRule checks every write of an organization-owned type
// against the permission table: the caller must hold the type's write
// capability in the organization of each row written.
//
//   - A create names its organization: checked directly.
//   - An update of one row knows its row (UpdateOne(row) costs nothing more;
//     UpdateOneID reads it): checked directly, so a member without the
//     capability gets FORBIDDEN.
//   - Other updates and deletes are narrowed in SQL to rows of organizations
//     where the caller holds the capability: a row outside them is neither
//     changed nor deleted (the write finds nothing), at no extra statement.
func OrgOwnedMutationRule() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		c, err := caller(ctx)
		if err != nil {
			return err
		}
		obj, err := object(m.Type())
		if err != nil {
			return err
		}
		if obj.Write == "" {
			return fmt.Errorf("%w: %s is written by the system only", privacy.Deny, m.Type())
		}
		switch {
		case m.Op().Is(entgo.OpCreate):
			v, _ := m.Field("organization_id")
			org, _ := v.(string)
			if org == "" {
				return fmt.Errorf("%w: %s created without an organization", privacy.Deny, m.Type())
			}
			return skipOrDeny(Authorize(ctx, clientOf(m), org, obj.Write))
		case m.Op().Is(entgo.OpUpdateOne):
			v, err := m.OldField(ctx, "organization_id")
			if err != nil {
				return err
			}
			org, _ := v.(string)
			return skipOrDeny(Authorize(ctx, clientOf(m), org, obj.Write))
		default:
			return narrow(m, orgsWith(c, obj.Write), "organization_id")
		}
	})
}

// OrganizationMutationRule checks writes of organizations: a signed-in user
// creates one (an API token acts only inside its own); an update needs the
// capability of each field it changes; a delete needs DELETE_ORGANIZATION.
func OrganizationMutationRule() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		c, err := caller(ctx)
		if err != nil {
			return err
		}
		if m.Op().Is(entgo.OpCreate) {
			if c.IsAPIToken() {
				return apperr.Forbidden("an API token acts only inside its own organization")
			}
			return privacy.Skip
		}
		caps := organizationCapabilities(m.Op().Is(entgo.OpDelete|entgo.OpDeleteOne), m.Fields())
		if id, ok := m.(interface{ ID() (string, bool) }).ID(); ok && m.Op().Is(entgo.OpUpdateOne) {
			for _, capability := range caps {
				if err := Authorize(ctx, clientOf(m), id, capability); err != nil {
					return err
				}
			}
			return privacy.Skip
		}
		for _, capability := range caps {
			if err := narrow(m, orgsWith(c, capability), "id"); err != privacy.Skip {
				return err
			}
		}
		return privacy.Skip
	})
}

// SelfMutationRule lets a user update their own row and nothing else.
func SelfMutationRule() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		c, err := caller(ctx)
		if err != nil {
			return err
		}
		if c.IsUser() && m.Op().Is(entgo.OpUpdateOne) {
			if id, ok := m.(interface{ ID() (string, bool) }).ID(); ok && id == c.UserID {
				return privacy.Skip
			}
		}
		return fmt.Errorf("%w: users change only their own row", privacy.Deny)
	})
}

// narrow restricts an update or delete to rows whose column is in orgs.
func narrow(m ent.Mutation, orgs orgSet, column string) error {
	w, ok := m.(interface{ WhereP(...func(*sql.Selector)) })
	if !ok {
		return fmt.Errorf("%w: %s cannot be narrowed", privacy.Deny, m.Type())
	}
	w.WhereP(func(s *sql.Selector) { orgs.where(s, column) })
	return privacy.Skip
}

// skipOrDeny turns a passed check into privacy.Skip (let the other rules
// decide, of which there are none: the write goes on).
func skipOrDeny(err error) error {
	if err != nil {
		return err
	}
	return privacy.Skip
}

func clientOf(m ent.Mutation) *ent.Client {
	return m.(interface{ Client() *ent.Client }).Client()
}
