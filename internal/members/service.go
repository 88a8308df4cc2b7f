package members

import (
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/internal/billing"
)

// Service runs the member, invitation and ownership changes. The
// single-owner rule lives here, and only here.
type Service struct {
	Client        *ent.Client
	Plans         billing.Catalog
	Mailer        Mailer
	InvitationTTL time.Duration
	// PublicURL is where invitation links point.
	PublicURL string
}
