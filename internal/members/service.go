// Package members runs the member, invitation and ownership changes: invite,
// resend, revoke, preview and accept invitations; change a member's role,
// remove a member, leave, transfer ownership.
package members

import (
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/internal/billing"
)

// Service runs the member, invitation and ownership changes. The
// single-owner rule lives here, and only here (see applyRoleChanges).
type Service struct {
	Client        *ent.Client
	Plans         billing.Catalog
	Mailer        Mailer
	InvitationTTL time.Duration
	// LinkTemplate is the invitation link, with {token} where the token goes.
	LinkTemplate string
}
