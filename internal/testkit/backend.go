// Package testkit runs orgql for tests: the real HTTP handler over a real
// database, once per backend (SQLite always; PostgreSQL when
// ORGQL_TEST_POSTGRES_URL is set, required when ORGQL_TEST_REQUIRE_POSTGRES=1).
// Each test package gets its own fresh database per backend: call Main from
// the package's TestMain so the databases are dropped afterwards.
package testkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/orgql/orgql/internal/database"
)

// Backend names a database kind tests run on.
type Backend string

const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// PostgresURLEnv and RequirePostgresEnv are the variables that turn PostgreSQL on.
const (
	PostgresURLEnv     = "ORGQL_TEST_POSTGRES_URL"
	RequirePostgresEnv = "ORGQL_TEST_REQUIRE_POSTGRES"
)

type packageDB struct {
	once sync.Once
	db   *database.DB
	url  string
	err  error
	drop func()
}

var (
	mu        sync.Mutex
	databases = map[Backend]*packageDB{}
	tempDir   string
)

// Main runs the package's tests, then drops the databases they created.
func Main(m *testing.M) {
	code := m.Run()
	mu.Lock()
	for _, p := range databases {
		if p.db != nil {
			p.db.Close()
		}
		if p.drop != nil {
			p.drop()
		}
	}
	mu.Unlock()
	if tempDir != "" {
		os.RemoveAll(tempDir)
	}
	os.Exit(code)
}

// Backends lists the backends this run covers; with ORGQL_TEST_REQUIRE_POSTGRES=1
// a missing PostgreSQL URL fails t instead of skipping PostgreSQL.
func Backends(t testing.TB) []Backend {
	t.Helper()
	out := []Backend{SQLite}
	if os.Getenv(PostgresURLEnv) != "" {
		out = append(out, Postgres)
	} else if os.Getenv(RequirePostgresEnv) == "1" {
		t.Fatalf("%s=1 but %s is not set", RequirePostgresEnv, PostgresURLEnv)
	}
	return out
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// open returns the package's migrated database for backend b, creating it once.
func open(t testing.TB, b Backend) *database.DB {
	t.Helper()
	mu.Lock()
	p, ok := databases[b]
	if !ok {
		p = &packageDB{}
		databases[b] = p
	}
	mu.Unlock()
	p.once.Do(func() { p.db, p.url, p.drop, p.err = create(b) })
	if p.err != nil {
		t.Fatalf("%s test database: %v", b, p.err)
	}
	return p.db
}

// DatabaseURL returns the URL of the package's migrated database for backend
// b, as ORGQL_DATABASE_URL takes it, for tests that run the binary itself.
func DatabaseURL(t testing.TB, b Backend) string {
	t.Helper()
	open(t, b)
	mu.Lock()
	defer mu.Unlock()
	return databases[b].url
}

func create(b Backend) (*database.DB, string, func(), error) {
	ctx := context.Background()
	var (
		dsn  string
		drop func()
	)
	switch b {
	case SQLite:
		mu.Lock()
		if tempDir == "" {
			dir, err := os.MkdirTemp("", "orgql-test-")
			if err != nil {
				mu.Unlock()
				return nil, "", nil, err
			}
			tempDir = dir
		}
		dsn = filepath.Join(tempDir, "orgql.db")
		mu.Unlock()
	case Postgres:
		admin := os.Getenv(PostgresURLEnv)
		u, err := url.Parse(admin)
		if err != nil {
			return nil, "", nil, fmt.Errorf("parse %s: %w", PostgresURLEnv, err)
		}
		name := "orgql_test_" + strings.ReplaceAll(filepath.Base(os.Args[0]), ".test", "") + "_" + randomSuffix()
		name = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
				return r
			}
			return '_'
		}, strings.ToLower(name))
		adminDB, err := sql.Open("postgres", admin)
		if err != nil {
			return nil, "", nil, err
		}
		if _, err := adminDB.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			adminDB.Close()
			return nil, "", nil, fmt.Errorf("create database (is PostgreSQL running?): %w", err)
		}
		drop = func() {
			_, _ = adminDB.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			adminDB.Close()
		}
		u.Path = "/" + name
		dsn = u.String()
	}
	db, err := database.OpenWith(ctx, dsn, func(d dialect.Driver) dialect.Driver {
		return dialect.DebugWithContext(d, countStatement)
	})
	if err != nil {
		if drop != nil {
			drop()
		}
		return nil, "", nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		if drop != nil {
			drop()
		}
		return nil, "", nil, err
	}
	return db, dsn, drop, nil
}

// NewPostgresDatabase creates an empty PostgreSQL database for a test that
// needs one of its own (migrations, a stale schema), dropped at the test's
// end, and returns its URL. Without PostgreSQL configured the test is
// skipped, or fails when ORGQL_TEST_REQUIRE_POSTGRES=1.
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(PostgresURLEnv)
	if admin == "" {
		if os.Getenv(RequirePostgresEnv) == "1" {
			t.Fatalf("%s=1 but %s is not set", RequirePostgresEnv, PostgresURLEnv)
		}
		t.Skipf("%s is not set", PostgresURLEnv)
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	name := "orgql_test_scratch_" + randomSuffix()
	adminDB, err := sql.Open("postgres", admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := adminDB.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		adminDB.Close()
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = adminDB.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		adminDB.Close()
	})
	u.Path = "/" + name
	return u.String()
}
