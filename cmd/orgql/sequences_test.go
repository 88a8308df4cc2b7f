package main

import (
	"context"
	"database/sql"
	"testing"

	_ "github.com/lib/pq"

	"github.com/orgql/orgql/internal/testkit"
)

// Every command opens the database the same way: one run on a database
// restored from a cluster whose transaction IDs were ahead (here, orgql
// migrate, as an admin command would) numbers the events it and others
// write after every event in the log.
func TestEveryCommandKeepsEventSequencesAhead(t *testing.T) {
	url := testkit.NewPostgresDatabase(t)
	env := func(k string) string {
		return map[string]string{"ORGQL_DATABASE_URL": url, "ORGQL_SECRET_KEYS": testKey(t)}[k]
	}
	var logs syncBuffer
	if err := run(context.Background(), []string{"migrate"}, env, &logs); err != nil {
		t.Fatalf("migrate: %v\n%s", err, logs.String())
	}
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var xid int64
	if err := db.QueryRowContext(ctx, "SELECT pg_current_xact_id()::text::bigint").Scan(&xid); err != nil {
		t.Fatal(err)
	}
	restored := (xid + 5000) << 20
	if _, err := db.ExecContext(ctx, `INSERT INTO organization_events (id, organization_id, type, target_type, target_id, target_name,
		actor_type, actor_id, actor_name, origin, user_agent, created_at, sequence)
		VALUES ('evt_restored', 'org_x', 'UPDATE', 'ORGANIZATION', 'org_x', 'x', 'SYSTEM', '', '', '', '', now(), $1)`, restored); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"migrate"}, env, &logs); err != nil {
		t.Fatalf("migrate: %v\n%s", err, logs.String())
	}
	// The next event's first sequence would be (its transaction ID + offset) × 2²⁰.
	var next int64
	if err := db.QueryRowContext(ctx, `SELECT (pg_current_xact_id()::text::bigint +
		COALESCE((SELECT value FROM event_sequences WHERE id = 2), 0)) * 1048576`).Scan(&next); err != nil {
		t.Fatal(err)
	}
	if next <= restored {
		t.Fatalf("the next event would be numbered %d, before the restored %d", next, restored)
	}
}
