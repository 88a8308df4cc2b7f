// Package admin is what an operator's commands (orgql orgs, orgql users)
// read and change directly in the database, outside the API and its
// permissions, as the system (tenancy.Operator). The changes themselves
// live where their rules do: members.Service.MakeOwner, auth.RevokeSessions.
package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/invitation"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/organization"
	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/validate"
)

// ErrNotFound is returned for an organization or user no reference names.
var ErrNotFound = errors.New("not found")

func system(ctx context.Context) context.Context { return tenancy.AsSystem(ctx, tenancy.Operator) }

// Organization is one organization as the commands print it.
type Organization struct {
	ID, Name, Plan string
	Owner          string // the owner's login
	Members        int
	CreatedAt      time.Time
}

// Member is one member of an organization.
type Member struct {
	UserID, Login, Email, Role string
}

// Details is an organization with its members and counts.
type Details struct {
	Organization
	Description, WebsiteURL string
	MemberList              []Member
	Projects, Pending       int // projects, pending invitations
}

// Organizations lists every organization, oldest first.
func Organizations(ctx context.Context, client *ent.Client) ([]Organization, error) {
	ctx = system(ctx)
	orgs, err := client.Organization.Query().WithOwner().Order(ent.Asc(organization.FieldCreatedAt), ent.Asc(organization.FieldID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("list organizations: %w", err)
	}
	counts := map[string]int{}
	var rows []struct {
		OrganizationID string `json:"organization_id"`
		Count          int    `json:"count"`
	}
	if err := client.Membership.Query().GroupBy(membership.FieldOrganizationID).Aggregate(ent.Count()).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("count members: %w", err)
	}
	for _, r := range rows {
		counts[r.OrganizationID] = r.Count
	}
	out := make([]Organization, len(orgs))
	for i, o := range orgs {
		out[i] = summary(o, counts[o.ID])
	}
	return out, nil
}

func summary(o *ent.Organization, members int) Organization {
	s := Organization{ID: o.ID, Name: o.Name, Plan: string(o.Plan), Members: members, CreatedAt: o.CreatedAt}
	if o.Edges.Owner != nil {
		s.Owner = o.Edges.Owner.Login
	}
	return s
}

// FindOrganization returns the organization ref names: its ID, or its name
// (names are unique, look-alikes included).
func FindOrganization(ctx context.Context, client *ent.Client, ref string) (*ent.Organization, error) {
	q := client.Organization.Query()
	if id.Prefix(ref) == id.Organization {
		q.Where(organization.ID(ref))
	} else {
		q.Where(organization.NameKey(validate.NameKey(ref)))
	}
	o, err := q.Only(system(ctx))
	if ent.IsNotFound(err) {
		return nil, fmt.Errorf("organization %q: %w", ref, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("find organization %q: %w", ref, err)
	}
	return o, nil
}

// Show returns the organization ref names, with its members.
func Show(ctx context.Context, client *ent.Client, ref string) (Details, error) {
	o, err := FindOrganization(ctx, client, ref)
	if err != nil {
		return Details{}, err
	}
	ctx = system(ctx)
	owner, err := o.QueryOwner().Only(ctx)
	if err != nil {
		return Details{}, fmt.Errorf("load owner: %w", err)
	}
	o.Edges.Owner = owner
	ms, err := client.Membership.Query().Where(membership.OrganizationID(o.ID)).WithUser().WithRole().
		Order(ent.Asc(membership.FieldCreatedAt), ent.Asc(membership.FieldID)).All(ctx)
	if err != nil {
		return Details{}, fmt.Errorf("load members: %w", err)
	}
	projects, err := o.QueryProjects().Count(ctx)
	if err != nil {
		return Details{}, fmt.Errorf("count projects: %w", err)
	}
	pending, err := client.Invitation.Query().
		Where(invitation.OrganizationID(o.ID), invitation.StatusEQ(invitation.StatusPENDING), invitation.ExpiresAtGT(time.Now())).
		Count(ctx)
	if err != nil {
		return Details{}, fmt.Errorf("count invitations: %w", err)
	}
	d := Details{Organization: summary(o, len(ms)), Description: o.Description, WebsiteURL: o.WebsiteURL, Projects: projects, Pending: pending}
	for _, m := range ms {
		d.MemberList = append(d.MemberList, Member{UserID: m.UserID, Login: m.Edges.User.Login, Email: m.Edges.User.Email, Role: m.Edges.Role.Name})
	}
	return d, nil
}

// FindUser returns the user ref names: their ID, or a login or e-mail
// address only one user has (logins are unique per sign-in provider only).
func FindUser(ctx context.Context, client *ent.Client, ref string) (*ent.User, error) {
	ctx = system(ctx)
	if ref == "" {
		return nil, fmt.Errorf("user %q: %w", ref, ErrNotFound)
	}
	if id.Prefix(ref) == id.User {
		u, err := client.User.Get(ctx, ref)
		if ent.IsNotFound(err) {
			return nil, fmt.Errorf("user %q: %w", ref, ErrNotFound)
		}
		return u, err
	}
	us, err := client.User.Query().Where(user.Or(user.Login(ref), user.EmailEqualFold(ref))).Limit(10).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("find user %q: %w", ref, err)
	}
	switch len(us) {
	case 0:
		return nil, fmt.Errorf("user %q: %w", ref, ErrNotFound)
	case 1:
		return us[0], nil
	}
	ids := make([]string, len(us))
	for i, u := range us {
		ids[i] = u.ID + " (" + string(u.Provider) + ")"
	}
	return nil, fmt.Errorf("%q names several users; give the ID of one: %s", ref, strings.Join(ids, ", "))
}
