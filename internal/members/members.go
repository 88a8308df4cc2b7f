package members

import (
	"context"
	"errors"

	"entgo.io/contrib/entgql"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/invitation"
)

var errTODO = errors.New("not implemented yet")

// Invite invites input.Email to organization orgID with role input.RoleID.
func (s *Service) Invite(ctx context.Context, orgID string, in InviteInput) (*ent.Invitation, error) {
	return nil, errTODO
}

// Resend issues a new token for invitation id; the old one stops working.
func (s *Service) Resend(ctx context.Context, id string) (*ent.Invitation, error) { return nil, errTODO }

// Revoke voids invitation id.
func (s *Service) Revoke(ctx context.Context, id string) (string, error) { return "", errTODO }

// Preview returns what the invitation of tok offers, or nil for an unknown token.
func (s *Service) Preview(ctx context.Context, tok string) (*Preview, error) { return nil, errTODO }

// Accept makes the caller a member with the invitation's role.
func (s *Service) Accept(ctx context.Context, tok string) (*ent.Membership, error) {
	return nil, errTODO
}

// UpdateRole gives membership membershipID the role roleID.
func (s *Service) UpdateRole(ctx context.Context, membershipID, roleID string) (*ent.Membership, error) {
	return nil, errTODO
}

// Remove removes membership membershipID.
func (s *Service) Remove(ctx context.Context, membershipID string) (string, error) {
	return "", errTODO
}

// Leave removes the caller from organization orgID.
func (s *Service) Leave(ctx context.Context, orgID string) (string, error) { return "", errTODO }

// TransferOwnership makes the member of membershipID the owner of orgID; the old owner becomes ADMIN.
func (s *Service) TransferOwnership(ctx context.Context, orgID, membershipID string) (*ent.Organization, error) {
	return nil, errTODO
}

// Invitations lists organization org's invitations, filtered by effective status.
func (s *Service) Invitations(ctx context.Context, org *ent.Organization, after *entgql.Cursor[string], first *int, before *entgql.Cursor[string], last *int, status *invitation.Status, orderBy *ent.InvitationOrder, where *ent.InvitationWhereInput) (*ent.InvitationConnection, error) {
	return nil, errTODO
}

// Status is the effective status of inv: a pending invitation past its expiry is EXPIRED.
func Status(inv *ent.Invitation) invitation.Status { return inv.Status }
