// Package config reads orgql's configuration from command-line flags and
// ORGQL_* environment variables (a flag wins over its variable). Every
// setting is listed in the README.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration of the server.
type Config struct {
	Addr        string
	DatabaseURL string
	// Dev turns on the development sign-in and introspection; only a flag sets it.
	Dev bool

	PublicURL     string
	Introspection bool

	CORSOrigins          []string
	CORSAllowCredentials bool

	MaxBodyBytes     int64
	ParserTokenLimit int
	MaxDepth         int
	MaxAliases       int
	MaxRootFields    int
	ComplexityLimit  int
	QueryCacheSize   int
	APQCacheSize     int

	OperationTimeout time.Duration
	ShutdownTimeout  time.Duration
	SessionTTL       time.Duration
	InvitationTTL    time.Duration

	PlansFile string
	LogFormat string
	LogLevel  string
}

// Setting documents one setting, for --help and the README.
type Setting struct {
	Flag, Env, Default, Usage string
}

// Load parses args (without the program name) with getenv for the variables.
func Load(args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("orgql serve", flag.ContinueOnError)
	fs.SetOutput(usage)
	var errs []error
	env := func(name, def string) string {
		if v := getenv("ORGQL_" + name); v != "" {
			return v
		}
		return def
	}
	str := func(p *string, name, env_, def, usage string) { fs.StringVar(p, name, env(env_, def), usage+" ($ORGQL_"+env_+")") }
	boolean := func(p *bool, name, env_ string, def bool, usage string) {
		v, err := strconv.ParseBool(env(env_, strconv.FormatBool(def)))
		if err != nil {
			errs = append(errs, fmt.Errorf("ORGQL_%s: %w", env_, err))
		}
		fs.BoolVar(p, name, v, usage+" ($ORGQL_"+env_+")")
	}
	integer := func(p *int, name, env_ string, def int, usage string) {
		v, err := strconv.Atoi(env(env_, strconv.Itoa(def)))
		if err != nil {
			errs = append(errs, fmt.Errorf("ORGQL_%s: %w", env_, err))
		}
		fs.IntVar(p, name, v, usage+" ($ORGQL_"+env_+")")
	}
	duration := func(p *time.Duration, name, env_ string, def time.Duration, usage string) {
		v, err := time.ParseDuration(env(env_, def.String()))
		if err != nil {
			errs = append(errs, fmt.Errorf("ORGQL_%s: %w", env_, err))
		}
		fs.DurationVar(p, name, v, usage+" ($ORGQL_"+env_+")")
	}

	var origins string
	var maxBody int
	str(&c.Addr, "addr", "ADDR", ":8080", "address to listen on")
	str(&c.DatabaseURL, "database-url", "DATABASE_URL", "./orgql.db", "SQLite file path, or a postgres:// URL")
	fs.BoolVar(&c.Dev, "dev", false, "development mode: the development sign-in and introspection (flag only, never from the environment)")
	str(&c.PublicURL, "public-url", "PUBLIC_URL", "http://localhost:8080", "URL the server is reached at, for invitation links")
	boolean(&c.Introspection, "introspection", "INTROSPECTION", false, "allow schema introspection and field suggestions (always on with --dev)")
	str(&origins, "cors-origins", "CORS_ORIGINS", "", "comma-separated origins allowed by CORS and for WebSocket upgrades")
	boolean(&c.CORSAllowCredentials, "cors-allow-credentials", "CORS_ALLOW_CREDENTIALS", false, "allow credentialed cross-origin requests (cookies)")
	integer(&maxBody, "max-body-bytes", "MAX_BODY_BYTES", 1<<20, "largest request body; larger ones get 413")
	integer(&c.ParserTokenLimit, "parser-token-limit", "PARSER_TOKEN_LIMIT", 15000, "most tokens a GraphQL document may have")
	integer(&c.MaxDepth, "max-depth", "MAX_DEPTH", 12, "deepest selection nesting allowed")
	integer(&c.MaxAliases, "max-aliases", "MAX_ALIASES", 30, "most aliases in one operation")
	integer(&c.MaxRootFields, "max-root-fields", "MAX_ROOT_FIELDS", 20, "most root fields in one operation")
	integer(&c.ComplexityLimit, "complexity-limit", "COMPLEXITY_LIMIT", 10000, "highest cost of one operation (a connection costs its page size)")
	integer(&c.QueryCacheSize, "query-cache-size", "QUERY_CACHE_SIZE", 1000, "parsed and validated documents kept")
	integer(&c.APQCacheSize, "apq-cache-size", "APQ_CACHE_SIZE", 1000, "automatic persisted queries kept")
	duration(&c.OperationTimeout, "operation-timeout", "OPERATION_TIMEOUT", 10*time.Second, "time after which an operation and its database statement are cancelled")
	duration(&c.ShutdownTimeout, "shutdown-timeout", "SHUTDOWN_TIMEOUT", 30*time.Second, "grace period for in-flight requests on SIGTERM")
	duration(&c.SessionTTL, "session-ttl", "SESSION_TTL", 30*24*time.Hour, "how long a session lasts")
	duration(&c.InvitationTTL, "invitation-ttl", "INVITATION_TTL", 7*24*time.Hour, "how long an invitation link is valid")
	str(&c.PlansFile, "plans-file", "PLANS_FILE", "", "JSON file replacing the plan catalog")
	str(&c.LogFormat, "log-format", "LOG_FORMAT", "text", "text or json")
	str(&c.LogLevel, "log-level", "LOG_LEVEL", "info", "debug, info, warn or error")

	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	c.MaxBodyBytes = int64(maxBody)
	for _, o := range strings.Split(origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	if c.Dev {
		c.Introspection = true
	}
	return c, c.Validate()
}

// Validate refuses settings the server must not start with.
func (c Config) Validate() error {
	if c.CORSAllowCredentials {
		for _, o := range c.CORSOrigins {
			if strings.Contains(o, "*") {
				return fmt.Errorf("cors: origin %q has a wildcard while credentials are allowed", o)
			}
		}
	}
	for name, v := range map[string]int{
		"max-body-bytes": int(c.MaxBodyBytes), "parser-token-limit": c.ParserTokenLimit, "max-depth": c.MaxDepth,
		"max-aliases": c.MaxAliases, "max-root-fields": c.MaxRootFields, "complexity-limit": c.ComplexityLimit,
	} {
		if v <= 0 {
			return fmt.Errorf("%s must be positive", name)
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("log-format must be text or json")
	}
	return nil
}

// Defaults is the configuration with every default, as tests start from.
func Defaults() Config {
	c, err := Load(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		panic(err)
	}
	return c
}
