//go:build ignore

// new writes the next PostgreSQL migration: the statements that bring a
// database migrated by every file of ./postgres to the ent schema, as a
// golang-migrate pair of files. Run it from the module root after changing
// ent/schema (and go generate), and review and commit what it writes:
//
//	go run ./internal/database/migrations/new.go -name add_api_tokens
//
// It needs a PostgreSQL server where it may create a scratch database
// (ORGQL_DEV_POSTGRES_URL, by default the local one), in which it replays
// the directory before comparing.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/url"
	"os"

	"ariga.io/atlas/sql/sqltool"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql/schema"
	_ "github.com/lib/pq"

	"github.com/orgql/orgql/ent/migrate"
)

func main() {
	name := flag.String("name", "", "what the migration does, in snake_case (add_api_tokens)")
	flag.Parse()
	if *name == "" {
		log.Fatal("-name is required")
	}
	admin := os.Getenv("ORGQL_DEV_POSTGRES_URL")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	ctx := context.Background()
	db, err := sql.Open("postgres", admin)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	scratch := fmt.Sprintf("orgql_migration_%d", rand.Uint32())
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+scratch); err != nil {
		log.Fatalf("create the scratch database: %v", err)
	}
	defer db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+scratch+" WITH (FORCE)") //nolint:errcheck
	u, err := url.Parse(admin)
	if err != nil {
		log.Fatal(err)
	}
	u.Path = "/" + scratch

	dir, err := sqltool.NewGolangMigrateDir("internal/database/migrations/postgres")
	if err != nil {
		log.Fatal(err)
	}
	err = migrate.NamedDiff(ctx, u.String(), *name,
		schema.WithDir(dir),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(dialect.Postgres),
		schema.WithFormatter(sqltool.GolangMigrateFormatter),
		schema.WithDropColumn(true),
		schema.WithDropIndex(true),
	)
	if err != nil {
		log.Fatalf("compute the migration: %v", err)
	}
}
