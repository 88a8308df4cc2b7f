package credentials

import (
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/internal/clock"
	"github.com/orgql/orgql/internal/secret"
)

// Service runs the changes and checks of the organization's credentials.
type Service struct {
	Client *ent.Client
	// Keys seal the secrets before they are stored, and open them for checks.
	Keys *secret.Keyring
	// Checker calls the services a check asks; nil refuses every check.
	Checker Checker
	// Now tells the time of a check (tests stop it).
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return clock.Now()
}
