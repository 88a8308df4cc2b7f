// Package orgs runs the organization changes: create (with the
// caller as OWNER and an optional first project), update the general
// information, delete, switch the current organization, change plan.
package orgs

import (
	"context"
	"fmt"
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/organization"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/auth"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/change"
	"github.com/orgql/orgql/internal/clock"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/limits"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/roles"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/viewer"
)

// Get returns organization id, or NOT_FOUND when the caller is not a member.
func (s *Service) Get(ctx context.Context, id string) (*ent.Organization, error) {
	return database.Client(ctx, s.Client).Organization.Get(ctx, id)
}

// Create creates an organization with its built-in roles, makes the caller its
// OWNER and, when asked, creates its first project, all in one transaction.
func (s *Service) Create(ctx context.Context, in CreateInput) (*ent.Organization, error) {
	c, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	info, err := validateInfo("input", generalInfo{Name: &in.Name, Description: in.Description, WebsiteURL: in.WebsiteURL, AdminContactEmails: in.AdminContactEmails, LogoURL: in.LogoURL})
	if err != nil {
		return nil, err
	}
	plan := billing.Free
	if in.Plan != nil {
		plan = *in.Plan
	}
	client := database.Client(ctx, s.Client)
	// The caller becomes a member only below: until then the writes run as the system.
	sys := tenancy.AsSystem(ctx, tenancy.Bootstrap)
	create := client.Organization.Create().
		SetName(in.Name).
		SetPlan(plan).
		SetOwnerID(c.UserID)
	info.apply(create.Mutation())
	org, err := create.Save(sys)
	if err != nil {
		return nil, saveError(err, "input", create.Mutation().Name)
	}
	builtIns, err := roles.CreateBuiltIns(sys, client, org.ID)
	if err != nil {
		return nil, err
	}
	if err := client.Membership.Create().
		SetOrganizationID(org.ID).
		SetUserID(c.UserID).
		SetRoleID(builtIns[rbac.Owner].ID).
		SetLastActivityAt(clock.Now()).
		Exec(sys); err != nil {
		return nil, fmt.Errorf("create owner membership: %w", err)
	}
	if err := MakeCurrentIfNone(ctx, client, c.UserID, org.ID); err != nil {
		return nil, err
	}
	change, err := events.Changes(ctx, create.Mutation())
	if err != nil {
		return nil, err
	}
	if err := events.Record(ctx, events.Event{
		OrganizationID: org.ID, Type: organizationevent.TypeCREATE, TargetType: organizationevent.TargetTypeORGANIZATION,
		TargetID: org.ID, TargetName: org.Name, Change: change,
	}); err != nil {
		return nil, err
	}
	if in.FirstProject != nil {
		if _, err := s.Projects.CreateProject(ctx, org.ID, "input.firstProject", *in.FirstProject); err != nil {
			return nil, err
		}
	}
	if plan != billing.Free && s.Billing != nil {
		// Starting on another plan is a change from FREE at creation: its subscription starts now.
		free := *org
		free.Plan = billing.Free
		if err := s.Billing.ChangePlan(ctx, client, &free, plan); err != nil {
			return nil, err
		}
	}
	return org, nil
}

// Update changes the general information; omitted fields stay as they are.
//
// The permission is checked once, by the data layer: the UPDATE is narrowed
// in SQL to the organization where the caller holds the fields' capabilities
// (tenancy's privacy rule). Only a refused update asks the permission table
// why, so that a caller without the capability hears FORBIDDEN, and hears it
// before anything about the values given (docs/architecture.md "The data layer's policy").
func (s *Service) Update(ctx context.Context, id string, in UpdateInput) (*ent.Organization, error) {
	client := database.Client(ctx, s.Client)
	before, err := client.Organization.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	update := client.Organization.UpdateOne(before)
	if in.Name != nil {
		update.SetName(*in.Name)
	}
	// The fields given, valid or not, are what the permission is asked about.
	generalInfo(in).apply(update.Mutation())
	fields := update.Mutation().Fields()
	if len(fields) == 0 {
		// Nothing to change, and so nothing for the UPDATE to check: the
		// capability is asked here, and nothing is written.
		if err := tenancy.Authorize(ctx, client, id, rbac.EditGeneralInformation); err != nil {
			return nil, err
		}
		return before, nil
	}
	info, invalid := validateInfo("input", generalInfo(in))
	info.apply(update.Mutation())
	// refused says why an update was refused: the permission first. Only
	// refusals made before any row was written get here (bad values, no row
	// left to update); a broken constraint means the UPDATE matched, so the
	// caller was allowed, and after it PostgreSQL runs nothing more in the
	// transaction.
	refused := func(err error) error {
		if e, ok := apperr.As(err); !ok || (e.Code != apperr.CodeBadUserInput && e.Code != apperr.CodeNotFound) {
			return err
		}
		if denied := tenancy.AuthorizeOrganization(ctx, client, id, false, fields...); denied != nil {
			return denied
		}
		return err
	}
	if invalid != nil {
		return nil, refused(invalid)
	}
	// The audit change is taken before the save: the old values are
	// before's, read above, not another query.
	change, err := events.Changes(ctx, update.Mutation())
	if err != nil {
		return nil, err
	}
	org, err := s.save(ctx, client, before, update.Mutation())
	if err != nil {
		return nil, refused(err)
	}
	if len(change) == 0 {
		return org, nil
	}
	if err := events.Record(ctx, events.Event{
		OrganizationID: org.ID, Type: organizationevent.TypeUPDATE, TargetType: organizationevent.TargetTypeORGANIZATION,
		TargetID: org.ID, TargetName: org.Name, Change: change,
	}); err != nil {
		return nil, err
	}
	return org, nil
}

// save writes the fields of m, an update of before, as one UPDATE and returns
// the organization it makes. ent's UpdateOne would read the row again after
// writing it; every value the row takes is known here instead: before's, and
// those of the mutation, its hooks' and defaults' (updated_at, name_key)
// included. The update is narrowed in SQL to the organization id where the
// caller holds the fields' capabilities (tenancy's privacy rule): when no row
// is left, the answer is NOT_FOUND, which Update turns into FORBIDDEN where
// the permission table says so.
func (s *Service) save(ctx context.Context, client *ent.Client, before *ent.Organization, m *ent.OrganizationMutation) (*ent.Organization, error) {
	update := client.Organization.Update().Where(organization.ID(before.ID))
	bm := update.Mutation()
	for _, f := range m.Fields() {
		v, _ := m.Field(f)
		if err := bm.SetField(f, v); err != nil {
			return nil, fmt.Errorf("update organization: %w", err)
		}
	}
	for _, f := range m.ClearedFields() {
		if err := bm.ClearField(f); err != nil {
			return nil, fmt.Errorf("update organization: %w", err)
		}
	}
	n, err := update.Save(ctx)
	if err != nil {
		return nil, saveError(err, "input", bm.Name)
	}
	if n == 0 {
		return nil, apperr.NotFound()
	}
	org := *before
	for _, f := range bm.Fields() {
		v, _ := bm.Field(f)
		if err := assign(&org, f, v); err != nil {
			return nil, err
		}
	}
	for _, f := range bm.ClearedFields() {
		if err := assign(&org, f, nil); err != nil {
			return nil, err
		}
	}
	return &org, nil
}

// assign sets field f of org to v (nil: cleared), as the database now holds it.
func assign(org *ent.Organization, f string, v ent.Value) error {
	str := func() string { s, _ := v.(string); return s }
	switch f {
	case organization.FieldName:
		org.Name = str()
	case organization.FieldNameKey:
		org.NameKey = str()
	case organization.FieldDescription:
		org.Description = str()
	case organization.FieldWebsiteURL:
		org.WebsiteURL = str()
	case organization.FieldLogoURL:
		org.LogoURL = str()
	case organization.FieldAdminContactEmails:
		emails, _ := v.([]string)
		org.AdminContactEmails = emails
	case organization.FieldUpdatedAt:
		t, ok := v.(time.Time)
		if !ok {
			return fmt.Errorf("update organization: updated_at is %T", v)
		}
		org.UpdatedAt = t
	default:
		// A field this update does not know: say so rather than return a stale value.
		return fmt.Errorf("update organization: field %s is not assigned after the update", f)
	}
	return nil
}

// Delete deletes organization id and everything it owns, once confirmName
// matches its name. Members whose current organization it was move to
// another of theirs, or to none.
func (s *Service) Delete(ctx context.Context, id, confirmName string) (string, error) {
	client := database.Client(ctx, s.Client)
	org, err := database.LockOrganization(ctx, client, id)
	if err != nil {
		return "", err
	}
	if err := tenancy.AuthorizeOrganization(ctx, client, id, true); err != nil {
		return "", err
	}
	if confirmName != org.Name {
		return "", apperr.BadInput("confirmName", "confirmName must be the organization's name, %q", org.Name)
	}
	if org.Plan != billing.Free && s.Billing != nil {
		// A deleted organization pays for nothing more: its subscription ends.
		if err := s.Billing.ChangePlan(ctx, client, org, billing.Free); err != nil {
			return "", err
		}
	}
	if err := events.Record(ctx, events.Event{
		OrganizationID: org.ID, Type: organizationevent.TypeDELETE, TargetType: organizationevent.TargetTypeORGANIZATION,
		TargetID: org.ID, TargetName: org.Name,
	}); err != nil {
		return "", err
	}
	if err := MoveCurrentAway(ctx, client, id, ""); err != nil {
		return "", err
	}
	if err := client.Organization.DeleteOneID(id).Exec(ctx); err != nil {
		return "", fmt.Errorf("delete organization: %w", err)
	}
	return id, nil
}

// MakeCurrentIfNone makes orgID the current organization of a user who has
// none: a user's first organization, created or joined, becomes current.
func MakeCurrentIfNone(ctx context.Context, client *ent.Client, userID, orgID string) error {
	err := client.User.Update().
		Where(user.ID(userID), user.CurrentOrganizationIDIsNil()).
		SetCurrentOrganizationID(orgID).
		Exec(tenancy.AsSystem(ctx, tenancy.CurrentOrganization))
	if err != nil {
		return fmt.Errorf("set current organization: %w", err)
	}
	return nil
}

// MoveCurrentAway moves every user whose current organization is orgID (or
// only userID, when given) to another organization of theirs, the one they
// joined first, or to none. Leaving, removal and deletion call it before the
// membership goes.
func MoveCurrentAway(ctx context.Context, client *ent.Client, orgID, userID string) error {
	sys := tenancy.AsSystem(ctx, tenancy.CurrentOrganization)
	q := client.User.Query().Where(user.CurrentOrganizationID(orgID))
	if userID != "" {
		q.Where(user.ID(userID))
	}
	users, err := q.All(sys)
	if err != nil {
		return fmt.Errorf("find users to move: %w", err)
	}
	for _, u := range users {
		next, err := client.Membership.Query().
			Where(membership.UserID(u.ID), membership.OrganizationIDNEQ(orgID)).
			Order(ent.Asc(membership.FieldCreatedAt), ent.Asc(membership.FieldID)).
			First(sys)
		update := client.User.UpdateOneID(u.ID)
		switch {
		case ent.IsNotFound(err):
			update.ClearCurrentOrganizationID()
		case err != nil:
			return fmt.Errorf("find next organization: %w", err)
		default:
			update.SetCurrentOrganizationID(next.OrganizationID)
		}
		if err := update.Exec(sys); err != nil {
			return fmt.Errorf("move current organization: %w", err)
		}
	}
	return nil
}

// Switch makes organization id the caller's current one.
func (s *Service) Switch(ctx context.Context, id string) (*viewer.Caller, error) {
	c, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	client := database.Client(ctx, s.Client)
	org, err := client.Organization.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := client.User.UpdateOneID(c.UserID).SetCurrentOrganizationID(id).Exec(ctx); err != nil {
		return nil, fmt.Errorf("switch organization: %w", err)
	}
	if err := events.Record(ctx, events.Event{
		OrganizationID: org.ID, Type: organizationevent.TypeSWITCH, TargetType: organizationevent.TargetTypeORGANIZATION,
		TargetID: org.ID, TargetName: org.Name,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// Current returns the caller's current organization, or nil: for an API
// token, its one organization.
func (s *Service) Current(ctx context.Context) (*ent.Organization, error) {
	c, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	client := database.Client(ctx, s.Client)
	if c.IsAPIToken() {
		return client.Organization.Get(ctx, c.Token.OrganizationID)
	}
	u, err := client.User.Get(ctx, c.UserID)
	if err != nil {
		return nil, fmt.Errorf("load viewer: %w", err)
	}
	if u.CurrentOrganizationID == nil {
		return nil, nil
	}
	org, err := client.Organization.Get(ctx, *u.CurrentOrganizationID)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return org, err
}

// ChangePlan moves organization orgID to plan, refused with
// PLAN_LIMIT_EXCEEDED when the organization is over one of its limits.
func (s *Service) ChangePlan(ctx context.Context, orgID string, plan billing.PlanCode) (*ent.Organization, error) {
	client := database.Client(ctx, s.Client)
	org, err := database.LockOrganization(ctx, client, orgID)
	if err != nil {
		return nil, err
	}
	if err := tenancy.AuthorizeOrganization(ctx, client, orgID, false, organization.FieldPlan); err != nil {
		return nil, err
	}
	if org.Plan == plan {
		return org, nil
	}
	if err := limits.Check(ctx, client, s.Plans.Plan(plan), orgID, billing.Usage{}); err != nil {
		return nil, err
	}
	if s.Billing != nil {
		if err := s.Billing.ChangePlan(ctx, client, org, plan); err != nil {
			return nil, err
		}
	}
	updated, err := client.Organization.UpdateOneID(orgID).SetPlan(plan).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("change plan: %w", err)
	}
	if err := events.Record(ctx, events.Event{
		OrganizationID: orgID, Type: organizationevent.TypePLAN_CHANGE, TargetType: organizationevent.TargetTypeORGANIZATION,
		TargetID: orgID, TargetName: org.Name, Change: map[string]any{"plan": map[string]any{"from": org.Plan, "to": plan}},
	}); err != nil {
		return nil, err
	}
	return updated, nil
}

// saveError turns a failed save of an organization whose input sits under
// path into the client's error: the only unique key a client sets is the
// name, and the ent schema's validators name the field they refuse.
func saveError(err error, path string, name func() (string, bool)) error {
	if ent.IsConstraintError(err) {
		n, _ := name()
		return &apperr.Error{Code: apperr.CodeConflict, Field: path + ".name",
			Message: fmt.Sprintf("an organization named %q, or one that looks like it, already exists", n)}
	}
	if v, ok := change.AsValidation(err); ok {
		return change.InputError(path, ent.TypeOrganization, v)
	}
	return fmt.Errorf("save organization: %w", err)
}
