package members

import (
	"context"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/invitation"
	"github.com/orgql/orgql/ent/predicate"
)

// Invitations lists organization org's invitations, newest first unless
// orderBy says otherwise, filtered by effective status when status is set.
func (s *Service) Invitations(ctx context.Context, org *ent.Organization, after *entgql.Cursor[string], first *int, before *entgql.Cursor[string], last *int, status *invitation.Status, orderBy *ent.InvitationOrder, where *ent.InvitationWhereInput) (*ent.InvitationConnection, error) {
	q := org.QueryInvitations()
	if status != nil {
		q.Where(effectiveStatus(*status, time.Now()))
	}
	if orderBy == nil {
		orderBy = &ent.InvitationOrder{Direction: entgql.OrderDirectionDesc, Field: ent.InvitationOrderFieldCreatedAt}
	}
	return q.Paginate(ctx, after, first, before, last,
		ent.WithInvitationOrder(orderBy), ent.WithInvitationFilter(where.Filter))
}

// Status is the effective status of inv: a pending invitation past its expiry is EXPIRED.
func Status(inv *ent.Invitation) invitation.Status {
	if inv.Status == invitation.StatusPENDING && !time.Now().Before(inv.ExpiresAt) {
		return invitation.StatusEXPIRED
	}
	return inv.Status
}

// effectiveStatus selects the invitations whose effective status (see Status) is st at now.
func effectiveStatus(st invitation.Status, now time.Time) predicate.Invitation {
	switch st {
	case invitation.StatusPENDING:
		return invitation.And(invitation.StatusEQ(st), invitation.ExpiresAtGT(now))
	case invitation.StatusEXPIRED:
		return invitation.Or(invitation.StatusEQ(st),
			invitation.And(invitation.StatusEQ(invitation.StatusPENDING), invitation.ExpiresAtLTE(now)))
	}
	return invitation.StatusEQ(st)
}
