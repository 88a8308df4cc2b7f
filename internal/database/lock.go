package database

import (
	"context"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organization"
)

// LockOrganization reads organization orgID, as the caller in ctx may see it,
// and locks its row until the transaction of client ends. Changes that must
// not race per organization (owner changes, plan limits) take this lock
// first. On SQLite every write transaction already holds the database's
// write lock (BEGIN IMMEDIATE), so no row lock is needed.
func LockOrganization(ctx context.Context, client *ent.Client, orgID string) (*ent.Organization, error) {
	return client.Organization.Query().
		Where(organization.ID(orgID)).
		Modify(func(s *sql.Selector) {
			if s.Dialect() != dialect.SQLite {
				s.ForUpdate()
			}
		}).
		Only(ctx)
}
