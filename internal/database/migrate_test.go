package database_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"ariga.io/atlas/sql/sqltool"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql/schema"

	entmigrate "github.com/orgql/orgql/ent/migrate"

	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// The migration directory and the ent schema agree: every migration applied
// to an empty PostgreSQL database gives exactly the schema ent describes (ent
// finds nothing to change), and the schema check then passes. A change to
// ent/schema without its migration fails here.
func TestMigrationsMakeTheEntSchema(t *testing.T) {
	ctx := context.Background()
	db, err := database.Open(ctx, testkit.NewPostgresDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); !errors.Is(err, database.ErrSchemaBehind) {
		t.Fatalf("an empty database passed the schema check: %v", err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatalf("after migrating: %v", err)
	}
	// What ent's own engine would still change (the partial index's
	// predicate reads back in PostgreSQL's spelling, which ent's plain
	// comparison does not recognise: Atlas's replay below normalises it).
	var diff strings.Builder
	if err := db.Client.Schema.WriteTo(ctx, &diff); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(diff.String(), "\n") {
		l := strings.TrimSpace(line)
		if l != "" && l != "BEGIN;" && l != "COMMIT;" && !strings.Contains(l, `"invitation_organization_id_email"`) {
			t.Errorf("the migrated database lacks: %s", l)
		}
	}
	// Atlas replays the directory on another empty database and finds nothing to add.
	dir := t.TempDir()
	if err := os.CopyFS(dir, mustSub(t, database.PostgresMigrations, "migrations/postgres")); err != nil {
		t.Fatal(err)
	}
	before := files(t, dir)
	migrations, err := sqltool.NewGolangMigrateDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	err = entmigrate.NamedDiff(ctx, testkit.NewPostgresDatabase(t), "pending",
		schema.WithDir(migrations), schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(dialect.Postgres), schema.WithFormatter(sqltool.GolangMigrateFormatter),
		schema.WithDropColumn(true), schema.WithDropIndex(true))
	if err != nil {
		t.Fatal(err)
	}
	if after := files(t, dir); len(after) != len(before) {
		t.Fatalf("the ent schema has changes no migration makes (%v): write the migration with go run ./internal/database/migrations/new.go -name <what>", after)
	}
	// Migrating again changes nothing.
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
}

func mustSub(t *testing.T, fsys fs.FS, dir string) fs.FS {
	t.Helper()
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
