package projects

import (
	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/internal/billing"
)

// Service manages projects and clusters.
type Service struct {
	Client *ent.Client
	Plans  billing.Catalog
}
