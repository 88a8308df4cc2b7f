// Package database opens orgql's store (a SQLite file by default, PostgreSQL
// through lib/pq for production) and creates or upgrades its schema: on
// SQLite by ent's migration engine at start, on PostgreSQL by the versioned,
// reviewable migrations of migrations/postgres (see migrate.go).
package database

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/lib/pq"  // PostgreSQL driver "postgres"
	_ "modernc.org/sqlite" // SQLite driver "sqlite"

	"github.com/orgql/orgql/ent"
	_ "github.com/orgql/orgql/ent/runtime" // registers the privacy policies and hooks
	"github.com/orgql/orgql/internal/observe"
)

// DB is an open store.
type DB struct {
	Client  *ent.Client
	SQL     *sql.DB
	Dialect string
	// URL is the PostgreSQL URL, for the LISTEN connection; empty for SQLite.
	URL string
	// Path is the SQLite file; empty for PostgreSQL.
	Path string
}

// PostgresPool is how many connections to PostgreSQL an instance opens at
// most (the event listener's aside).
const PostgresPool = 20

// sqliteParams make a SQLite file safe for a server: foreign keys on (ent's
// migrator requires it, and deletes cascade through them), WAL so reads do
// not wait for writes, a busy timeout, and BEGIN IMMEDIATE so concurrent
// write transactions queue instead of failing on a lock upgrade.
const sqliteParams = "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate&_time_format=sqlite"

// Open opens the store that url names: a postgres:// or postgresql:// URL, or
// a SQLite file path (optionally written as sqlite://path or file:path).
func Open(ctx context.Context, url string) (*DB, error) {
	return OpenWith(ctx, url, nil)
}

// OpenWith is Open with wrap applied to ent's driver (tests count statements with it).
func OpenWith(ctx context.Context, url string, wrap func(dialect.Driver) dialect.Driver) (*DB, error) {
	var (
		db   *sql.DB
		drv  string
		err  error
		pgDS string
		path string
	)
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		drv, pgDS = dialect.Postgres, url
		db, err = openPostgres(url)
		if err == nil {
			// As many kept as may be open: with fewer, each burst beyond them
			// closes the connections it returns and the next burst opens new
			// ones, a PostgreSQL backend started each time. Idle ones close
			// after a while.
			db.SetMaxOpenConns(PostgresPool)
			db.SetMaxIdleConns(PostgresPool)
			db.SetConnMaxIdleTime(5 * time.Minute)
		}
	default:
		drv = dialect.SQLite
		path = strings.TrimPrefix(strings.TrimPrefix(url, "sqlite://"), "file:")
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		db, err = sql.Open("sqlite", "file:"+path+sep+sqliteParams)
	}
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	// Statements run for a request are counted, measured and traced (internal/observe).
	driver := observe.Driver(entsql.OpenDB(drv, db))
	if wrap != nil {
		driver = wrap(driver)
	}
	client := ent.NewClient(ent.Driver(driver))
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return &DB{Client: client, SQL: db, Dialect: drv, URL: pgDS, Path: path}, nil
}

// Ping reports whether the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.SQL.PingContext(ctx) }

// Close closes the store.
func (d *DB) Close() error { return d.Client.Close() }

// Client returns the transaction's client when ctx carries one (mutations run
// in one transaction, see entgql.Transactioner), else fallback.
func Client(ctx context.Context, fallback *ent.Client) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return fallback
}

// InTx runs fn in one transaction of client, committed when fn returns nil;
// fn's ctx carries the transaction's client (see Client) and the transaction.
func InTx(ctx context.Context, client *ent.Client, fn func(ctx context.Context) error) error {
	tx, err := client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if r := recover(); r != nil {
			_ = tx.Rollback()
			panic(r)
		}
	}()
	if err := fn(ent.NewContext(ent.NewTxContext(ctx, tx), tx.Client())); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}
