package roles

import "github.com/orgql/orgql/ent"

// Service manages roles: the built-in rows of each organization, custom roles
// and their cluster and project permissions.
type Service struct {
	Client *ent.Client
}
