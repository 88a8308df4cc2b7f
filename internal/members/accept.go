package members

import (
	"context"
	"fmt"
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/invitation"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/auth"
	"github.com/orgql/orgql/internal/clock"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/orgs"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/token"
)

// Preview returns what the invitation of tok offers, with its effective
// status (PENDING or EXPIRED), or nil for an unknown or malformed token (a
// malformed one without a query) and for a used or revoked one, as the
// schema says: a link that can no longer be used, forwarded or leaked,
// reveals nothing. Whoever holds the token reads it, signed in or not, and
// learns nothing else of the organization.
func (s *Service) Preview(ctx context.Context, tok string) (*Preview, error) {
	if token.Check(token.Invitation, tok) != nil {
		return nil, nil
	}
	// The holder is not a member: the token is what lets them read.
	inv, err := database.Client(ctx, s.Client).Invitation.Query().
		Where(invitation.TokenHash(token.Hash(tok))).
		WithOrganization().WithInviter().WithRole().
		Only(tenancy.AsSystem(ctx, tenancy.Invitee))
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load invitation: %w", err)
	}
	if inv.Status == invitation.StatusACCEPTED || inv.Status == invitation.StatusREVOKED {
		return nil, nil
	}
	return &Preview{
		OrganizationName: inv.Edges.Organization.Name,
		InviterName:      displayName(inv.Edges.Inviter),
		Email:            inv.Email,
		Role:             inv.Edges.Role,
		Status:           Status(inv),
		ExpiresAt:        inv.ExpiresAt,
	}, nil
}

// Accept makes the caller a member with the invitation's role and uses the
// invitation up.
//
// The caller's e-mail need not match the invitation's: users are never
// matched by e-mail (docs/security.md S21), a Git provider's address often differs
// from the work address invited, and the token, delivered to the invited
// address, is the proof. Single use, expiry, resend and revoke bound it.
func (s *Service) Accept(ctx context.Context, tok string) (*ent.Membership, error) {
	c, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	if token.Check(token.Invitation, tok) != nil {
		return nil, unknownInvitation()
	}
	client := database.Client(ctx, s.Client)
	// The caller is not a member yet; the checked token admits them.
	sys := tenancy.AsSystem(ctx, tenancy.Invitee)
	hash := token.Hash(tok)
	inv, err := client.Invitation.Query().Where(invitation.TokenHash(hash)).Only(sys)
	if ent.IsNotFound(err) {
		return nil, unknownInvitation()
	}
	if err != nil {
		return nil, fmt.Errorf("load invitation: %w", err)
	}
	org, err := database.LockOrganization(sys, client, inv.OrganizationID)
	if err != nil {
		return nil, err
	}
	// Re-read under the lock: an accept, resend or revoke may have committed meanwhile.
	inv, err = client.Invitation.Query().Where(invitation.ID(inv.ID), invitation.TokenHash(hash)).WithRole().Only(sys)
	if ent.IsNotFound(err) {
		return nil, unknownInvitation()
	}
	if err != nil {
		return nil, fmt.Errorf("load invitation: %w", err)
	}
	switch Status(inv) {
	case invitation.StatusEXPIRED:
		return nil, apperr.BadInput("token", "this invitation expired on %s: ask for a new one", inv.ExpiresAt.UTC().Format(time.RFC3339))
	case invitation.StatusREVOKED:
		return nil, apperr.BadInput("token", "this invitation was revoked")
	case invitation.StatusACCEPTED:
		return nil, apperr.BadInput("token", "this invitation has already been accepted")
	}
	if inv.Edges.Role.Kind == rbac.Owner { // never created so; ownership moves only by transfer
		return nil, apperr.Forbidden("the OWNER role is given only by transferOwnership")
	}
	member, err := client.Membership.Query().Where(membership.OrganizationID(org.ID), membership.UserID(c.UserID)).Exist(sys)
	if err != nil {
		return nil, fmt.Errorf("check membership: %w", err)
	}
	if member {
		return nil, apperr.Conflict("you are already a member of %s", org.Name)
	}
	m, err := client.Membership.Create().
		SetOrganizationID(org.ID).
		SetUserID(c.UserID).
		SetRoleID(inv.RoleID).
		SetLastActivityAt(clock.Now()). // accepting is the member's first activity
		Save(sys)
	if err != nil {
		return nil, fmt.Errorf("create membership: %w", err)
	}
	if err := client.Invitation.UpdateOneID(inv.ID).
		SetStatus(invitation.StatusACCEPTED).
		SetAcceptedAt(clock.Now()).
		Exec(sys); err != nil {
		return nil, fmt.Errorf("use invitation: %w", err)
	}
	if err := orgs.MakeCurrentIfNone(ctx, client, c.UserID, org.ID); err != nil {
		return nil, err
	}
	if err := events.Record(ctx, events.Event{
		OrganizationID: org.ID, Type: organizationevent.TypeACCEPT, TargetType: organizationevent.TargetTypeMEMBERSHIP,
		TargetID: m.ID, TargetName: c.DisplayName,
		Change: map[string]any{"invitation": inv.ID, "email": inv.Email, "role": inv.Edges.Role.Name},
	}); err != nil {
		return nil, err
	}
	return m, nil
}

func unknownInvitation() error {
	return &apperr.Error{Code: apperr.CodeNotFound, Message: "no invitation matches this token: it is unknown or was replaced by a newer link"}
}
