package members

import (
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/invitation"
)

// Preview is what an invitation offers, shown to whoever holds its token.
type Preview struct {
	OrganizationName string
	InviterName      string
	Email            string
	Role             *ent.Role
	Status           invitation.Status
	ExpiresAt        time.Time
}
