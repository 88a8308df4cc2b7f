package members

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/invitation"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/auth"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/clock"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/limits"
	"github.com/orgql/orgql/internal/token"
	"github.com/orgql/orgql/internal/validate"
)

// Invite invites input.Email to organization orgID with role input.RoleID
// and sends the invitee the link with the invitation's secret token.
func (s *Service) Invite(ctx context.Context, orgID string, in InviteInput) (*ent.Invitation, error) {
	c, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	client := database.Client(ctx, s.Client)
	// The lock also serialises invitations against the member limit.
	org, me, err := lockAs(ctx, client, orgID, ent.TypeInvitation)
	if err != nil {
		return nil, err
	}
	email, err := validate.Email("input.email", strings.TrimSpace(in.Email))
	if err != nil {
		return nil, err
	}
	r, err := grantableRole(ctx, client, orgID, me.Kind, in.RoleID, "input.roleID")
	if err != nil {
		return nil, err
	}
	if err := s.checkInvitable(ctx, client, org, email, "", true); err != nil {
		return nil, err
	}
	if inviterID(c) == "" {
		return nil, apperr.Forbidden("this API token's creator is gone: it cannot invite anyone")
	}
	tok := token.New(token.Invitation)
	inv, err := client.Invitation.Create().
		SetOrganizationID(orgID).
		SetEmail(email).
		SetRoleID(r.ID).
		SetInviterID(inviterID(c)).
		SetTokenHash(token.Hash(tok)).
		SetExpiresAt(s.expiry()).
		Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, alreadyInvited(email)
	}
	if err != nil {
		return nil, fmt.Errorf("create invitation: %w", err)
	}
	if err := events.Record(ctx, events.Event{
		OrganizationID: orgID, Type: organizationevent.TypeINVITE, TargetType: organizationevent.TargetTypeINVITATION,
		TargetID: inv.ID, TargetName: email,
		Change: map[string]any{"email": email, "role": r.Name, "expiresAt": inv.ExpiresAt},
	}); err != nil {
		return nil, err
	}
	if err := s.send(ctx, client, org, inv, r, tok); err != nil {
		return nil, err
	}
	return inv, nil
}

// Resend issues a new token and expiry for invitation id, pending or
// expired, and sends it; the old token stops working.
func (s *Service) Resend(ctx context.Context, id string) (*ent.Invitation, error) {
	client := database.Client(ctx, s.Client)
	inv, err := client.Invitation.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	org, me, err := lockAs(ctx, client, inv.OrganizationID, ent.TypeInvitation)
	if err != nil {
		return nil, err
	}
	if inv, err = client.Invitation.Query().Where(invitation.ID(id)).WithRole().Only(ctx); err != nil {
		return nil, err
	}
	status := Status(inv)
	if status == invitation.StatusACCEPTED || status == invitation.StatusREVOKED {
		return nil, apperr.Conflict("the invitation is %s: invite %s again instead", status, inv.Email)
	}
	// Resending re-issues the invitation, so the resender must be able to grant its role.
	if err := checkGrant(me.Kind, inv.Edges.Role, ""); err != nil {
		return nil, err
	}
	// A pending invitation already counts against the member limit; an expired one does not.
	if err := s.checkInvitable(ctx, client, org, inv.Email, inv.ID, status == invitation.StatusEXPIRED); err != nil {
		return nil, err
	}
	tok := token.New(token.Invitation)
	updated, err := client.Invitation.UpdateOneID(id).
		SetTokenHash(token.Hash(tok)).
		SetExpiresAt(s.expiry()).
		SetStatus(invitation.StatusPENDING).
		Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, alreadyInvited(inv.Email)
	}
	if err != nil {
		return nil, fmt.Errorf("resend invitation: %w", err)
	}
	if err := events.Record(ctx, events.Event{
		OrganizationID: inv.OrganizationID, Type: organizationevent.TypeRESEND, TargetType: organizationevent.TargetTypeINVITATION,
		TargetID: id, TargetName: inv.Email,
		Change: map[string]any{"expiresAt": map[string]any{"from": inv.ExpiresAt, "to": updated.ExpiresAt}},
	}); err != nil {
		return nil, err
	}
	if err := s.send(ctx, client, org, updated, inv.Edges.Role, tok); err != nil {
		return nil, err
	}
	return updated, nil
}

// Revoke voids pending invitation id: its token stops working.
func (s *Service) Revoke(ctx context.Context, id string) (string, error) {
	client := database.Client(ctx, s.Client)
	inv, err := client.Invitation.Get(ctx, id)
	if err != nil {
		return "", err
	}
	if _, _, err := lockAs(ctx, client, inv.OrganizationID, ent.TypeInvitation); err != nil {
		return "", err
	}
	if inv, err = client.Invitation.Get(ctx, id); err != nil {
		return "", err
	}
	if inv.Status != invitation.StatusPENDING {
		return "", apperr.Conflict("the invitation is %s: only a pending invitation can be revoked", Status(inv))
	}
	if err := client.Invitation.UpdateOneID(id).SetStatus(invitation.StatusREVOKED).Exec(ctx); err != nil {
		return "", fmt.Errorf("revoke invitation: %w", err)
	}
	if err := events.Record(ctx, events.Event{
		OrganizationID: inv.OrganizationID, Type: organizationevent.TypeREVOKE, TargetType: organizationevent.TargetTypeINVITATION,
		TargetID: id, TargetName: inv.Email,
	}); err != nil {
		return "", err
	}
	return id, nil
}

// checkInvitable refuses to invite email to org (or to re-issue invitation
// except) when the address is already a member's or has another live
// pending invitation (CONFLICT) and, when addsMember, when the plan's member
// limit would be exceeded. Call it with the organization locked.
func (s *Service) checkInvitable(ctx context.Context, client *ent.Client, org *ent.Organization, email, except string, addsMember bool) error {
	now := time.Now()
	// A pending invitation past its expiry is EXPIRED: store it so, as the
	// partial unique index allows one stored PENDING row per address.
	if err := client.Invitation.Update().
		Where(invitation.OrganizationID(org.ID), invitation.Email(email), invitation.StatusEQ(invitation.StatusPENDING),
			invitation.ExpiresAtLTE(now), invitation.IDNEQ(except)).
		SetStatus(invitation.StatusEXPIRED).
		Exec(ctx); err != nil {
		return fmt.Errorf("expire old invitations: %w", err)
	}
	// Not identity matching (the token is the proof at acceptance): only a
	// guard against inviting someone whose account already uses the address.
	member, err := client.Membership.Query().
		Where(membership.OrganizationID(org.ID), membership.HasUserWith(user.EmailEqualFold(email))).
		Exist(ctx)
	if err != nil {
		return fmt.Errorf("check membership: %w", err)
	}
	if member {
		return apperr.Conflict("%s is already a member of %s", email, org.Name)
	}
	pending, err := client.Invitation.Query().
		Where(invitation.OrganizationID(org.ID), invitation.Email(email), invitation.StatusEQ(invitation.StatusPENDING),
			invitation.ExpiresAtGT(now), invitation.IDNEQ(except)).
		Exist(ctx)
	if err != nil {
		return fmt.Errorf("check pending invitations: %w", err)
	}
	if pending {
		return alreadyInvited(email)
	}
	if !addsMember {
		return nil
	}
	return limits.Check(ctx, client, s.Plans.Plan(org.Plan), org.ID, billing.Usage{Members: 1})
}

func alreadyInvited(email string) error {
	return apperr.Conflict("%s already has a pending invitation", email)
}

// send gives the mailer the invitation link, the only place the token goes.
// It runs last in the transaction: should the commit still fail, the link
// sent names no invitation and is refused like any unknown token.
func (s *Service) send(ctx context.Context, client *ent.Client, org *ent.Organization, inv *ent.Invitation, r *ent.Role, tok string) error {
	inviter, err := client.User.Get(ctx, inv.InviterID)
	if err != nil {
		return fmt.Errorf("load inviter: %w", err)
	}
	err = s.Mailer.SendInvitation(ctx, InvitationMail{
		To:               inv.Email,
		OrganizationName: org.Name,
		InviterName:      displayName(inviter),
		RoleName:         r.Name,
		Link:             s.link(tok),
	})
	if err != nil {
		return fmt.Errorf("send invitation: %w", err)
	}
	return nil
}

// expiry is when an invitation issued now expires, to the microsecond
// PostgreSQL keeps, so the value returned on creation is the one read later.
func (s *Service) expiry() time.Time {
	return clock.Now().Add(s.InvitationTTL)
}

// link is the invitation's accept link for tok.
func (s *Service) link(tok string) string {
	return strings.Replace(s.LinkTemplate, "{token}", url.QueryEscape(tok), 1)
}
