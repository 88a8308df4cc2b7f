package database_test

import (
	"context"
	"sync"
	"testing"

	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/testkit"
)

// A burst of as many statements as the pool holds, then another: the
// second runs on the connections of the first, none closed and reopened.
func TestPostgresPoolKeepsItsConnectionsBetweenBursts(t *testing.T) {
	ctx := context.Background()
	db, err := database.Open(ctx, testkit.NewPostgresDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	burst := func() {
		var wg sync.WaitGroup
		for range database.PostgresPool {
			wg.Go(func() {
				if _, err := db.SQL.ExecContext(ctx, "SELECT pg_sleep(0.05)"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	burst()
	opened := db.SQL.Stats()
	burst()
	after := db.SQL.Stats()
	if after.MaxIdleClosed != 0 || after.OpenConnections != database.PostgresPool {
		t.Fatalf("after two bursts of %d: %d connections open, %d closed for the idle limit (after the first: %d open)",
			database.PostgresPool, after.OpenConnections, after.MaxIdleClosed, opened.OpenConnections)
	}
}
