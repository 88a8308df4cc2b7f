package database

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"entgo.io/ent/dialect"
	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/database/postgres"
	"github.com/golang-migrate/migrate/v4/source"
	"github.com/golang-migrate/migrate/v4/source/iofs"

	entmigrate "github.com/orgql/orgql/ent/migrate"
)

// PostgresMigrations are the versioned migrations of PostgreSQL databases,
// written by migrations/new.go from the ent schema and reviewed like code.
//
//go:embed migrations/postgres
var PostgresMigrations embed.FS

// ErrSchemaBehind means the database's schema is older than this binary's:
// run `orgql migrate`, or serve with --migrate.
var ErrSchemaBehind = errors.New("the database schema is behind this orgql: run `orgql migrate` (or start with --migrate)")

// Migrate creates or upgrades the schema. SQLite (one process, the embedded
// default) is upgraded in place by ent's migration engine; PostgreSQL gets
// the versioned migrations it has not had yet, under golang-migrate's
// advisory lock, so instances starting together do not race.
func (d *DB) Migrate(ctx context.Context) error {
	if d.Dialect != dialect.Postgres {
		if err := d.Client.Schema.Create(ctx, entmigrate.WithForeignKeys(true)); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		return nil
	}
	return d.withMigrator(ctx, func(m *migrate.Migrate) error {
		if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
			return fmt.Errorf("migrate: %w", err)
		}
		return nil
	})
}

// CheckSchema refuses a PostgreSQL database whose schema is not exactly the
// one this binary's migrations make: behind (ErrSchemaBehind), ahead (a newer
// orgql migrated it), or left dirty by a migration that failed halfway.
// SQLite databases are upgraded at start instead, so they always pass.
func (d *DB) CheckSchema(ctx context.Context) error {
	if d.Dialect != dialect.Postgres {
		return nil
	}
	latest, err := latestMigration()
	if err != nil {
		return err
	}
	return d.withMigrator(ctx, func(m *migrate.Migrate) error {
		version, dirty, err := m.Version()
		switch {
		case errors.Is(err, migrate.ErrNilVersion):
			return ErrSchemaBehind
		case err != nil:
			return fmt.Errorf("read the schema version: %w", err)
		case dirty:
			return fmt.Errorf("migration %d failed halfway and left the database dirty: repair it, then run `orgql migrate`", version)
		case version < latest:
			return fmt.Errorf("%w (database at %d, this orgql at %d)", ErrSchemaBehind, version, latest)
		case version > latest:
			return fmt.Errorf("the database schema (%d) is newer than this orgql's (%d): run a newer orgql", version, latest)
		}
		return nil
	})
}

func (d *DB) withMigrator(ctx context.Context, fn func(*migrate.Migrate) error) error {
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// The driver closes the connection (not the pool) with the migrator.
	driver, err := postgres.WithConnection(ctx, conn, &postgres.Config{})
	if err != nil {
		conn.Close()
		return fmt.Errorf("migrate: %w", err)
	}
	src, err := migrationSource()
	if err != nil {
		return err
	}
	m, err := migrate.NewWithInstance("iofs", src, "postgres", driver)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer m.Close()
	return fn(m)
}

func migrationSource() (source.Driver, error) {
	src, err := iofs.New(PostgresMigrations, "migrations/postgres")
	if err != nil {
		return nil, fmt.Errorf("read the migrations: %w", err)
	}
	return src, nil
}

// latestMigration is the version the migrations of this binary end at.
func latestMigration() (uint, error) {
	src, err := migrationSource()
	if err != nil {
		return 0, err
	}
	defer src.Close()
	v, err := src.First()
	if err != nil {
		return 0, fmt.Errorf("read the migrations: %w", err)
	}
	for {
		next, err := src.Next(v)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, os.ErrNotExist) {
			return v, nil
		}
		if err != nil {
			return 0, fmt.Errorf("read the migrations: %w", err)
		}
		v = next
	}
}
