// Command orgql is the orgql GraphQL API server.
//
//	orgql [serve] [flags]   run the server (the default command)
//	orgql migrate [flags]   create or upgrade the database schema, then exit
//	orgql schema [-o file]  print the GraphQL schema (SDL) clients see
//	orgql secrets new-key [id]   print a new secret key entry for ORGQL_SECRET_KEYS
//	orgql secrets rotate [flags] seal every stored secret again under the first key
//	orgql orgs list|show <org>|make-owner <org> <user> [flags]   operator commands on the database
//	orgql users revoke-sessions <user> [flags]                   end every session of a user
//	orgql healthcheck [flags]    exit 0 when the server at --addr is ready (the image's HEALTHCHECK)
//
// Every flag but --dev also reads an ORGQL_* environment variable; see
// docs/configuration.md or orgql --help.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"entgo.io/ent/dialect"

	"github.com/orgql/orgql/graph"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/credentials"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/sdl"
	"github.com/orgql/orgql/internal/secret"
	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/tracing"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "orgql:", err)
		os.Exit(1)
	}
}

// run runs the command in args; logs go to stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	return runWith(ctx, args, getenv, os.Stdout, stderr)
}

// runWith runs the command in args; its output goes to stdout, logs to stderr.
func runWith(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "schema" {
		return printSchema(args[1:], stdout, stderr)
	}
	if len(args) > 1 && args[0] == "secrets" && args[1] == "new-key" {
		return newKey(args[2:], stdout)
	}
	if len(args) > 0 && args[0] == "healthcheck" {
		return healthcheck(ctx, args[1:], getenv, stderr)
	}
	adminCmd, positional, rest, err := adminCommand(args)
	if err != nil {
		return err
	}
	command := "serve"
	switch {
	case adminCmd >= 0:
		command, args = "admin", rest
	case len(args) > 0 && (args[0] == "serve" || args[0] == "migrate"):
		command, args = args[0], args[1:]
	case len(args) > 1 && args[0] == "secrets" && args[1] == "rotate":
		command, args = "rotate", args[2:]
	}
	cfg, err := config.Load(args, getenv, stderr)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	slog.SetDefault(logger)

	db, err := database.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	// SQLite is upgraded at every start; PostgreSQL by `orgql migrate`, or
	// at start with --migrate, and otherwise must already be up to date.
	if command == "migrate" || cfg.Migrate || db.Dialect != dialect.Postgres {
		if err := db.Migrate(ctx); err != nil {
			return err
		}
	}
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	if err := events.KeepAhead(ctx, db.Client); err != nil {
		return err
	}
	if command == "migrate" {
		logger.Info("schema is up to date", "dialect", db.Dialect)
		return nil
	}
	if command == "admin" {
		return adminCommands[adminCmd].run(ctx, db, positional, stdout, logger)
	}
	keys, err := loadKeys(cfg, db, logger)
	if err != nil {
		return err
	}
	if command == "rotate" {
		done, err := credentials.Rotate(ctx, db.SQL, db.Dialect, keys)
		logger.Info("secrets rotated", "key", keys.Current(), "resealed", done.Resealed, "rows", done.Rows)
		if err == nil && len(done.Unreadable) > 0 {
			err = fmt.Errorf("%d stored secrets could not be opened with these keys and were left as they are (keep the old keys until they are fixed): %s",
				len(done.Unreadable), strings.Join(done.Unreadable, ", "))
		}
		return err
	}
	return serve(ctx, cfg, db, keys, logger)
}

// loadKeys reads the keys sealing stored credentials. On SQLite without
// configured keys, they are kept next to the database file, created on first
// start: the embedded default works with no setup.
func loadKeys(cfg config.Config, db *database.DB, logger *slog.Logger) (*secret.Keyring, error) {
	fallback := ""
	if db.Dialect != dialect.Postgres && db.Path != "" && !strings.Contains(db.Path, ":memory:") {
		fallback = db.Path + ".keys"
	}
	keys, created, err := secret.Load(cfg.SecretKeys, cfg.SecretKeysFile, fallback)
	if errors.Is(err, secret.ErrNoKeys) {
		return nil, fmt.Errorf("PostgreSQL needs configured secret keys: %w", err)
	}
	if err != nil {
		return nil, err
	}
	if created {
		logger.Warn("generated the key that seals stored credentials: keep this file with the database, and back it up; without it the stored credentials cannot be read",
			"file", fallback)
	}
	return keys, nil
}

// newKey prints a new keyring entry, id:base64key, for ORGQL_SECRET_KEYS.
func newKey(args []string, stdout io.Writer) error {
	id := "k" + time.Now().UTC().Format("20060102")
	if len(args) > 0 {
		id = args[0]
	}
	entry, err := secret.NewKey(id)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, entry)
	return err
}

func serve(ctx context.Context, cfg config.Config, db *database.DB, keys *secret.Keyring, logger *slog.Logger) error {
	plans := billing.DefaultCatalog()
	if cfg.PlansFile != "" {
		var err error
		if plans, err = billing.LoadCatalog(cfg.PlansFile); err != nil {
			return err
		}
	}
	tp, shutdownTraces, err := tracing.Provider(ctx, cfg.OTLPEndpoint, cfg.TraceSampleRatio, version)
	if err != nil {
		return err
	}
	defer func() {
		flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := shutdownTraces(flushCtx); err != nil {
			logger.Warn("traces: flushing at shutdown failed", "error", err)
		}
	}()
	srv, err := server.New(cfg, db, server.Options{Plans: plans, Logger: logger, Keys: keys, TracerProvider: tp})
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	if cfg.MetricsAddr != "" {
		stopMetrics, err := serveMetrics(cfg.MetricsAddr, srv.MetricsHandler(), cfg.Pprof, logger)
		if err != nil {
			ln.Close()
			return err
		}
		defer stopMetrics()
	}
	if cfg.OTLPEndpoint != "" {
		logger.Info("tracing on", "otlp_endpoint", cfg.OTLPEndpoint, "sample_ratio", cfg.TraceSampleRatio)
	}
	if cfg.Dev {
		logger.Warn("DEVELOPMENT MODE: anyone can sign in as any login with POST /auth/dev/login; introspection is on. Never run --dev in production.")
	}
	go srv.RunBilling(ctx, logger)
	logger.Info("orgql listening", "addr", ln.Addr().String(), "playground", "http://"+playgroundHost(ln.Addr())+"/", "database", db.Dialect)
	return server.Run(ctx, srv, ln, cfg.DrainDelay, cfg.ShutdownTimeout, logger)
}

// healthcheck asks the server listening at the configured address for
// /readyz and fails unless it answers 200: the container image's health
// check, which has no shell or curl.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.Load(args, getenv, stderr)
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return fmt.Errorf("healthcheck: addr %q: %w", cfg.Addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: /readyz answered %s", resp.Status)
	}
	return nil
}

// version is the binary's version, for traces.
var version = "dev"

// serveMetrics serves /metrics alone on addr, apart from the API, until stop.
func serveMetrics(addr string, h http.Handler, profiles bool, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	if profiles {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics listener failed", "error", err)
		}
	}()
	logger.Info("metrics listening", "addr", ln.Addr().String())
	return func() { _ = hs.Close() }, nil
}

func playgroundHost(a net.Addr) string {
	_, port, _ := net.SplitHostPort(a.String())
	return "localhost:" + port
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// printSchema writes the schema's SDL to stdout, or to the file -o names.
func printSchema(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("orgql schema", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the SDL to this `file` instead of standard output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	text := sdl.Print(graph.NewExecutableSchema(nil).Schema())
	if *out == "" {
		_, err := io.WriteString(stdout, text)
		return err
	}
	return os.WriteFile(*out, []byte(text), 0o644)
}
