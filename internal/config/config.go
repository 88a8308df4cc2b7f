// Package config reads orgql's configuration from command-line flags and
// ORGQL_* environment variables (a flag wins over its variable). Every
// setting is listed in docs/configuration.md, which a test keeps current.
package config

import (
	"flag"
	"fmt"
	"io"
	"maps"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration of the server.
type Config struct {
	Addr        string
	DatabaseURL string
	// Migrate lets serve apply pending PostgreSQL migrations at start.
	Migrate bool
	// Dev turns on the development sign-in and introspection; only a flag sets it.
	Dev bool

	PublicURL     string
	InvitationURL string
	Introspection bool

	CORSOrigins          []string
	CORSAllowCredentials bool

	MaxBodyBytes     int64
	ParserTokenLimit int
	MaxDepth         int
	MaxAliases       int
	MaxRootFields    int
	MaxSelections    int
	MaxMergedFields  int
	ComplexityLimit  int
	MaxCostInFlight  int
	QueryCacheSize   int
	APQCacheSize     int

	OperationTimeout time.Duration
	DrainDelay       time.Duration
	ShutdownTimeout  time.Duration
	SessionTTL       time.Duration
	InvitationTTL    time.Duration

	// SecretKeys are the keys that seal stored credentials (id:key,...; the first seals).
	SecretKeys     string
	SecretKeysFile string

	CredentialCheckTimeout time.Duration
	AllowPrivateNetworks   bool
	GitHubAPIURL           string
	GitLabURL              string
	BitbucketAPIURL        string

	// Sign-in providers (docs/configuration.md, README "Sign-in"): a
	// provider is offered when its client id is set.
	SignIn             SignInProviders
	SessionIdleTimeout time.Duration
	OAuthTimeout       time.Duration

	PlansFile string
	LogFormat string
	LogLevel  string

	// SMTP delivers invitation e-mails; without SMTPHost, only --dev has a
	// mailer (the log). See internal/mail.
	SMTPHost     string
	SMTPPort     int
	SMTPUsername string
	SMTPPassword string
	SMTPFrom     string
	SMTPTLS      string
	SMTPTimeout  time.Duration
	// Billing: the payment provider, and Stripe's keys (environment only).
	BillingProvider       string
	InvoiceLinkTTL        time.Duration
	BillingSettleInterval time.Duration
	StripeSecretKey       string
	StripeWebhookSecret   string
	StripeAPIURL          string
	StripePrices          []string
	// Subscriptions (docs/architecture.md "Events").
	WSInitTimeout           time.Duration
	WSKeepAlive             time.Duration
	MaxSubscriptionsPerConn int
	MaxOperationsPerConn    int
	MaxConnectionsPerCaller int
	SubscriptionSendTimeout time.Duration
	SubscriptionRecheck     time.Duration
	EventPollInterval       time.Duration
	AuditLogPruneInterval   time.Duration
	// MetricsAddr, when set, serves /metrics there and not on Addr.
	MetricsAddr string
	// Pprof serves Go's profiles on MetricsAddr.
	Pprof bool
	// OTLPEndpoint, when set, sends traces there (OTLP over HTTP).
	OTLPEndpoint     string
	TraceSampleRatio float64

	// RateLimit turns the per-caller budgets on (docs/security.md S4).
	RateLimit          bool
	RateLimitWindow    time.Duration
	RateLimitAnonymous int
	RateLimitSignIn    int
	RateLimitUser      int
	// RateLimitPlans are the API tokens' budgets by their organization's plan (FREE=...,TEAM=...).
	RateLimitPlans []string
	// ClientIPHeader names the header a trusted proxy puts the client's address in.
	ClientIPHeader string

	// TrustedDocuments is a manifest file or a directory of them; empty: any document runs.
	TrustedDocuments string
	// TrustedDocumentsExempt are the user IDs that may run other documents (operators).
	TrustedDocumentsExempt []string
}

// declare binds every setting of c to a flag and its variable.
func declare(b *binder, c *Config) {
	b.String(&c.Addr, "addr", "ADDR", ":8080", "address to listen on")
	b.String(&c.DatabaseURL, "database-url", "DATABASE_URL", "./orgql.db", "SQLite file path, or a postgres:// URL")
	b.Bool(&c.Migrate, "migrate", "MIGRATE", false, "on PostgreSQL, apply pending schema migrations at start instead of refusing to start on an older schema (SQLite is always upgraded)")
	b.FlagOnly(&c.Dev, "dev", "development mode: the development sign-in, introspection and field suggestions; never in production")
	b.String(&c.PublicURL, "public-url", "PUBLIC_URL", "http://localhost:8080", "URL the server is reached at")
	b.String(&c.InvitationURL, "invitation-url", "INVITATION_URL", "", "`template` of the link an invitation e-mail carries, with {token} where the invitation's token goes (your console's accept page); default: the server's own page, <public-url>/invitations/accept?token={token}")
	b.Bool(&c.Introspection, "introspection", "INTROSPECTION", false, "allow schema introspection and field suggestions (always on with --dev)")
	b.List(&c.CORSOrigins, "cors-origins", "CORS_ORIGINS", "comma-separated `origins` allowed by CORS")
	b.Bool(&c.CORSAllowCredentials, "cors-allow-credentials", "CORS_ALLOW_CREDENTIALS", false, "allow credentialed cross-origin requests (cookies); refused with a wildcard origin")
	b.Int64(&c.MaxBodyBytes, "max-body-bytes", "MAX_BODY_BYTES", 1<<20, "largest request body; larger ones get 413")
	b.Int(&c.ParserTokenLimit, "parser-token-limit", "PARSER_TOKEN_LIMIT", 15000, "most tokens a GraphQL document may have")
	b.Int(&c.MaxDepth, "max-depth", "MAX_DEPTH", 12, "deepest selection nesting allowed")
	b.Int(&c.MaxAliases, "max-aliases", "MAX_ALIASES", 30, "most aliases in one operation")
	b.Int(&c.MaxRootFields, "max-root-fields", "MAX_ROOT_FIELDS", 20, "most root fields in one operation")
	b.Int(&c.MaxSelections, "max-selections", "MAX_SELECTIONS", 2000, "most selections (fields, fragment spreads, inline fragments) a document may have, counting a fragment's at every spread and in its definition; checked before validation")
	b.Int(&c.MaxMergedFields, "max-merged-fields", "MAX_MERGED_FIELDS", 20, "most fields one response name may merge at one place, across fragments and repeats; checked before validation")
	b.Int(&c.ComplexityLimit, "complexity-limit", "COMPLEXITY_LIMIT", 25000, "highest cost of one operation (a connection costs its page size times its selections)")
	b.Int(&c.MaxCostInFlight, "max-cost-in-flight", "MAX_COST_IN_FLIGHT", 50000, "highest total cost of the queries and mutations executing at once on this instance; the others wait their turn, in order, within their timeout (what an answer allocates grows with its cost: this bounds memory under load)")
	b.Int(&c.QueryCacheSize, "query-cache-size", "QUERY_CACHE_SIZE", 1000, "parsed and validated documents kept")
	b.Int(&c.APQCacheSize, "apq-cache-size", "APQ_CACHE_SIZE", 1000, "automatic persisted queries kept")
	b.Duration(&c.OperationTimeout, "operation-timeout", "OPERATION_TIMEOUT", 10*time.Second, "time after which a query or mutation and its database statement are cancelled")
	b.Duration(&c.DrainDelay, "drain-delay", "DRAIN_DELAY", 5*time.Second, "on SIGTERM, how long readiness answers 503 while requests are still served, before the listener closes (a load balancer's time to notice)")
	b.Duration(&c.ShutdownTimeout, "shutdown-timeout", "SHUTDOWN_TIMEOUT", 30*time.Second, "on SIGTERM, the grace period within which the process exits, drain delay included")
	b.Duration(&c.SessionTTL, "session-ttl", "SESSION_TTL", 30*24*time.Hour, "how long a session lasts")
	b.Duration(&c.InvitationTTL, "invitation-ttl", "INVITATION_TTL", 7*24*time.Hour, "how long an invitation link is valid")
	b.EnvOnly(&c.SecretKeys, "SECRET_KEYS", "keys sealing stored credentials: comma-separated id:base64key entries, the first of which seals and all of which open (`orgql secrets new-key` makes one); required on PostgreSQL, kept in <database>.keys on SQLite when not set")
	b.String(&c.SecretKeysFile, "secret-keys-file", "SECRET_KEYS_FILE", "", "a `file` holding the secret keys, instead of ORGQL_SECRET_KEYS")
	b.Duration(&c.CredentialCheckTimeout, "credential-check-timeout", "CREDENTIAL_CHECK_TIMEOUT", 5*time.Second, "how long a check of a stored credential waits for the service")
	b.Bool(&c.AllowPrivateNetworks, "allow-private-check-targets", "ALLOW_PRIVATE_CHECK_TARGETS", false, "let credential checks reach loopback and private addresses (a registry on the local network); off, they reach public addresses only")
	b.String(&c.GitHubAPIURL, "github-api-url", "GITHUB_API_URL", "https://api.github.com", "GitHub's API, for sign-in and checking Git tokens")
	b.String(&c.GitLabURL, "gitlab-url", "GITLAB_URL", "https://gitlab.com", "GitLab (or your self-hosted GitLab), for sign-in and checking Git tokens")
	b.String(&c.BitbucketAPIURL, "bitbucket-api-url", "BITBUCKET_API_URL", "https://api.bitbucket.org", "Bitbucket's API, for sign-in and checking Git tokens")
	b.Duration(&c.SessionIdleTimeout, "session-idle-timeout", "SESSION_IDLE_TIMEOUT", 14*24*time.Hour, "a session unused for this long ends (0: never)")
	b.Duration(&c.OAuthTimeout, "oauth-timeout", "OAUTH_TIMEOUT", 10*time.Second, "how long a sign-in waits for each answer of the provider (token, profile, e-mail)")
	b.String(&c.SignIn.GitHub.ClientID, "github-client-id", "GITHUB_CLIENT_ID", "", "client ID of the GitHub OAuth app to sign in with; empty: no sign-in with GitHub")
	b.EnvOnly(&c.SignIn.GitHub.ClientSecret, "GITHUB_CLIENT_SECRET", "client secret of the GitHub OAuth app")
	b.String(&c.SignIn.GitHub.URL, "github-url", "GITHUB_URL", "https://github.com", "GitHub's web address, for sign-in (GitHub Enterprise Server: https://<host>; its API then goes in --github-api-url, https://<host>/api/v3)")
	b.String(&c.SignIn.GitHub.Scopes, "github-scopes", "GITHUB_SCOPES", "read:user user:email", "OAuth scopes asked of GitHub, space-separated")
	b.String(&c.SignIn.GitLab.ClientID, "gitlab-client-id", "GITLAB_CLIENT_ID", "", "application ID of the GitLab OAuth application to sign in with (at --gitlab-url); empty: no sign-in with GitLab")
	b.EnvOnly(&c.SignIn.GitLab.ClientSecret, "GITLAB_CLIENT_SECRET", "secret of the GitLab OAuth application")
	b.String(&c.SignIn.GitLab.Scopes, "gitlab-scopes", "GITLAB_SCOPES", "read_user", "OAuth scopes asked of GitLab, space-separated")
	b.String(&c.SignIn.Bitbucket.ClientID, "bitbucket-client-id", "BITBUCKET_CLIENT_ID", "", "key of the Bitbucket OAuth consumer to sign in with; empty: no sign-in with Bitbucket")
	b.EnvOnly(&c.SignIn.Bitbucket.ClientSecret, "BITBUCKET_CLIENT_SECRET", "secret of the Bitbucket OAuth consumer")
	b.String(&c.SignIn.Bitbucket.URL, "bitbucket-url", "BITBUCKET_URL", "https://bitbucket.org", "Bitbucket's web address, for sign-in")
	b.String(&c.SignIn.Bitbucket.Scopes, "bitbucket-scopes", "BITBUCKET_SCOPES", "account email", "OAuth scopes asked of Bitbucket, space-separated")
	b.String(&c.PlansFile, "plans-file", "PLANS_FILE", "", "JSON file replacing the plan catalog")
	b.String(&c.LogFormat, "log-format", "LOG_FORMAT", "", "text or json; empty: json, or text with --dev")
	b.String(&c.LogLevel, "log-level", "LOG_LEVEL", "info", "debug, info, warn or error")
	b.String(&c.SMTPHost, "smtp-host", "SMTP_HOST", "", "SMTP server that sends invitation e-mails; without it (and without --dev) invitations cannot be delivered")
	b.Int(&c.SMTPPort, "smtp-port", "SMTP_PORT", 0, "SMTP server port; 0: 587 for starttls, 465 for tls, 25 for none")
	b.String(&c.SMTPUsername, "smtp-username", "SMTP_USERNAME", "", "SMTP user name; empty: no authentication")
	b.EnvOnly(&c.SMTPPassword, "SMTP_PASSWORD", "SMTP password; credentials are sent over TLS only")
	b.String(&c.SMTPFrom, "smtp-from", "SMTP_FROM", "", "sender address of invitation e-mails, e.g. orgql <noreply@example.com>; required with --smtp-host")
	b.String(&c.SMTPTLS, "smtp-tls", "SMTP_TLS", "starttls", "starttls (STARTTLS required), tls (TLS from the first byte) or none (plain text: a relay on the same host only)")
	b.Duration(&c.SMTPTimeout, "smtp-timeout", "SMTP_TIMEOUT", 10*time.Second, "how long one attempt to send an e-mail may take; a failed attempt is retried twice, with backoff")
	b.String(&c.BillingProvider, "billing-provider", "BILLING_PROVIDER", "local", "payment provider: local (a ledger in orgql's database, test cards only, no money moves) or stripe")
	b.Duration(&c.InvoiceLinkTTL, "invoice-link-ttl", "INVOICE_LINK_TTL", 5*time.Minute, "how long an invoice's download link works")
	b.Duration(&c.BillingSettleInterval, "billing-settle-interval", "BILLING_SETTLE_INTERVAL", time.Minute, "how often the local provider issues the invoices of ended billing periods")
	b.EnvOnly(&c.StripeSecretKey, "STRIPE_SECRET_KEY", "Stripe's secret API key (sk_live_... or sk_test_...), with --billing-provider stripe")
	b.EnvOnly(&c.StripeWebhookSecret, "STRIPE_WEBHOOK_SECRET", "the signing secret (whsec_...) of the Stripe webhook endpoint <public-url>/billing/stripe/webhook")
	b.String(&c.StripeAPIURL, "stripe-api-url", "STRIPE_API_URL", "https://api.stripe.com", "Stripe's API (stripe-mock's address in tests)")
	b.List(&c.StripePrices, "stripe-prices", "STRIPE_PRICES", "the Stripe `prices` of the priced plans, PLAN=price_id,... (TEAM=price_123); a plan without one cannot be subscribed to")
	b.Duration(&c.WSInitTimeout, "ws-init-timeout", "WS_INIT_TIMEOUT", 10*time.Second, "how long a WebSocket may wait before its connection_init; then it is closed")
	b.Duration(&c.WSKeepAlive, "ws-keepalive", "WS_KEEPALIVE", 15*time.Second, "interval of WebSocket keep-alives (graphql-transport-ws ping, legacy ka) and Server-Sent Events pings; a graphql-transport-ws client that misses two pongs is closed")
	b.Int(&c.MaxSubscriptionsPerConn, "max-subscriptions-per-connection", "MAX_SUBSCRIPTIONS_PER_CONNECTION", 20, "most subscriptions one WebSocket may run at once")
	b.Int(&c.MaxOperationsPerConn, "max-operations-per-connection", "MAX_OPERATIONS_PER_CONNECTION", 20, "most queries and mutations one WebSocket may run at once (its subscriptions count apart); more get TOO_MANY_OPERATIONS")
	b.Int(&c.MaxConnectionsPerCaller, "max-connections-per-caller", "MAX_CONNECTIONS_PER_CALLER", 20, "most WebSockets and event streams one user or API token may hold open on one instance")
	b.Duration(&c.SubscriptionSendTimeout, "subscription-send-timeout", "SUBSCRIPTION_SEND_TIMEOUT", 10*time.Second, "how long an event may wait for a subscriber to take it before the subscription is cut off")
	b.Duration(&c.SubscriptionRecheck, "subscription-recheck", "SUBSCRIPTION_RECHECK", time.Minute, "how often a quiet subscription checks its caller's credentials and access again (every event checks them)")
	b.Duration(&c.EventPollInterval, "event-poll-interval", "EVENT_POLL_INTERVAL", 15*time.Second, "how often each instance reads the event log, and checks its PostgreSQL listener, without a wake-up: the last resort if a notification was lost")
	b.Duration(&c.AuditLogPruneInterval, "audit-log-prune-interval", "AUDIT_LOG_PRUNE_INTERVAL", time.Hour, "how often events older than their plan's audit log retention are deleted (0: never)")
	b.String(&c.MetricsAddr, "metrics-addr", "METRICS_ADDR", "", "address to serve Prometheus metrics (/metrics) on, apart from the API; empty: /metrics is served on --addr")
	b.Bool(&c.Pprof, "pprof", "PPROF", false, "also serve Go's runtime profiles (/debug/pprof/) on --metrics-addr, never on --addr; needs --metrics-addr")
	b.String(&c.OTLPEndpoint, "otlp-endpoint", "OTLP_ENDPOINT", "", "`URL` of an OpenTelemetry collector taking OTLP over HTTP (http://collector:4318); traces are off when empty")
	b.Float64(&c.TraceSampleRatio, "trace-sample-ratio", "TRACE_SAMPLE_RATIO", 1, "share of requests traced when --otlp-endpoint is set (0 to 1), unless the caller's traceparent decides")
	b.Bool(&c.RateLimit, "rate-limit", "RATE_LIMIT", true, "give each caller a budget of cost points per window (X-RateLimit-* headers, RATE_LIMITED when over); on PostgreSQL the counters are kept in the database, shared by every instance; on SQLite in memory")
	b.Duration(&c.RateLimitWindow, "rate-limit-window", "RATE_LIMIT_WINDOW", time.Minute, "the window a budget is for")
	b.Int(&c.RateLimitAnonymous, "rate-limit-anonymous", "RATE_LIMIT_ANONYMOUS", 5000, "cost points per window of a caller without credentials, by client address")
	b.Int(&c.RateLimitSignIn, "rate-limit-sign-in", "RATE_LIMIT_SIGN_IN", 60, "requests of the sign-in flow (each start at /auth/<provider>/login and each callback) per window, by client address")
	b.Int(&c.RateLimitUser, "rate-limit-user", "RATE_LIMIT_USER", 100000, "cost points per window of a signed-in user")
	b.List(&c.RateLimitPlans, "rate-limit-plans", "RATE_LIMIT_PLANS", "cost points per window of an API token, by its organization's plan: comma-separated `PLAN=points` entries (default FREE=50000,TEAM=200000,ENTERPRISE=500000); a plan not listed gets FREE's")
	b.String(&c.ClientIPHeader, "client-ip-header", "CLIENT_IP_HEADER", "", "header your load balancer puts the client's address in (X-Forwarded-For: its last entry; X-Real-IP), for the budgets of callers without credentials; empty: the connection's address. Set it only behind a proxy that sets the header")
	b.String(&c.TrustedDocuments, "trusted-documents", "TRUSTED_DOCUMENTS", "", "a `file` or directory of persisted-document manifests (Apollo's persisted-query-manifest.json, graphql-codegen's persisted-documents.json); when set, only the documents they list run")
	b.List(&c.TrustedDocumentsExempt, "trusted-documents-exempt", "TRUSTED_DOCUMENTS_EXEMPT", "comma-separated user `IDs` (usr_...) that may run any document while --trusted-documents is set (operators using the playground)")
}

// Load parses args (without the program name) with getenv for the
// variables; --help writes the settings to usage and returns flag.ErrHelp.
func Load(args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("orgql", flag.ContinueOnError)
	fs.SetOutput(usage)
	fs.Usage = func() {
		fmt.Fprint(usage, "Usage: orgql [serve|migrate|secrets rotate] [flags]\n       orgql schema [-o file]\n       orgql secrets new-key [id]\n"+
			"       orgql orgs list|show <org>|make-owner <org> <user> [flags]\n       orgql users revoke-sessions <user> [flags]\n"+
			"       orgql healthcheck [flags]\n\n"+
			"Every flag but --dev can also be set by the ORGQL_* variable named after it; the secret\n"+
			"keys are read from ORGQL_SECRET_KEYS only (or the file --secret-keys-file names), the SMTP\n"+
			"password from ORGQL_SMTP_PASSWORD only, and the sign-in apps' secrets from\n"+
			"ORGQL_GITHUB_CLIENT_SECRET, ORGQL_GITLAB_CLIENT_SECRET and ORGQL_BITBUCKET_CLIENT_SECRET only;\n"+
			"Stripe's keys from ORGQL_STRIPE_SECRET_KEY and ORGQL_STRIPE_WEBHOOK_SECRET only.\n\n")
		fs.PrintDefaults()
	}
	b := &binder{fs: fs, getenv: getenv}
	declare(b, &c)
	if err := b.err(); err != nil {
		return c, err
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if c.Dev {
		c.Introspection = true
	}
	if c.LogFormat == "" {
		c.LogFormat = "json"
		if c.Dev {
			c.LogFormat = "text"
		}
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
	for _, s := range []struct {
		name  string
		value int64
	}{
		{"max-body-bytes", c.MaxBodyBytes}, {"parser-token-limit", int64(c.ParserTokenLimit)},
		{"max-depth", int64(c.MaxDepth)}, {"max-aliases", int64(c.MaxAliases)},
		{"max-root-fields", int64(c.MaxRootFields)}, {"complexity-limit", int64(c.ComplexityLimit)},
		{"max-cost-in-flight", int64(c.MaxCostInFlight)},
		{"max-selections", int64(c.MaxSelections)}, {"max-merged-fields", int64(c.MaxMergedFields)},
		{"query-cache-size", int64(c.QueryCacheSize)}, {"apq-cache-size", int64(c.APQCacheSize)},
		{"operation-timeout", int64(c.OperationTimeout)}, {"shutdown-timeout", int64(c.ShutdownTimeout)},
		{"ws-init-timeout", int64(c.WSInitTimeout)}, {"ws-keepalive", int64(c.WSKeepAlive)},
		{"max-subscriptions-per-connection", int64(c.MaxSubscriptionsPerConn)},
		{"max-operations-per-connection", int64(c.MaxOperationsPerConn)},
		{"max-connections-per-caller", int64(c.MaxConnectionsPerCaller)},
		{"subscription-send-timeout", int64(c.SubscriptionSendTimeout)}, {"subscription-recheck", int64(c.SubscriptionRecheck)},
		{"event-poll-interval", int64(c.EventPollInterval)},
	} {
		if s.value <= 0 {
			return fmt.Errorf("%s must be positive", s.name)
		}
	}
	if c.Pprof && c.MetricsAddr == "" {
		return fmt.Errorf("pprof needs metrics-addr: profiles are never served on the API's address")
	}
	if c.DrainDelay < 0 {
		return fmt.Errorf("drain-delay must not be negative")
	}
	if c.InvitationURL != "" {
		if err := checkInvitationURL(c.InvitationURL); err != nil {
			return err
		}
	}
	if c.SessionIdleTimeout < 0 {
		return fmt.Errorf("session-idle-timeout must not be negative")
	}
	if err := c.SignIn.validate(); err != nil {
		return err
	}
	if c.TraceSampleRatio < 0 || c.TraceSampleRatio > 1 {
		return fmt.Errorf("trace-sample-ratio must be between 0 and 1")
	}
	if c.RateLimit {
		if c.RateLimitWindow < time.Second || c.RateLimitWindow%time.Second != 0 {
			return fmt.Errorf("rate-limit-window must be a whole number of seconds, at least 1s")
		}
		if c.RateLimitAnonymous <= 0 || c.RateLimitUser <= 0 || c.RateLimitSignIn <= 0 {
			return fmt.Errorf("rate-limit-anonymous, rate-limit-user and rate-limit-sign-in must be positive")
		}
		if _, err := c.PlanBudgets(); err != nil {
			return err
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("log-format must be text or json")
	}
	if err := c.validateSMTP(); err != nil {
		return err
	}
	return c.validateBilling()
}

func (c Config) validateSMTP() error {
	switch c.SMTPTLS {
	case "starttls", "tls", "none":
	default:
		return fmt.Errorf("smtp-tls must be starttls, tls or none")
	}
	if c.SMTPHost == "" {
		return nil
	}
	if c.SMTPFrom == "" {
		return fmt.Errorf("smtp-from is required with smtp-host")
	}
	if _, err := mail.ParseAddress(c.SMTPFrom); err != nil {
		return fmt.Errorf("smtp-from: not an e-mail address: %w", err)
	}
	if c.SMTPPort < 0 || c.SMTPPort > 65535 || c.SMTPTimeout <= 0 {
		return fmt.Errorf("smtp-port must be 0-65535 and smtp-timeout positive")
	}
	return nil
}

func (c Config) validateBilling() error {
	switch c.BillingProvider {
	case "local":
	case "stripe":
		if c.StripeSecretKey == "" || c.StripeWebhookSecret == "" {
			return fmt.Errorf("billing-provider stripe needs ORGQL_STRIPE_SECRET_KEY and ORGQL_STRIPE_WEBHOOK_SECRET")
		}
		if _, err := c.StripePriceIDs(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("billing-provider must be local or stripe")
	}
	if c.InvoiceLinkTTL <= 0 || c.BillingSettleInterval <= 0 {
		return fmt.Errorf("invoice-link-ttl and billing-settle-interval must be positive")
	}
	return nil
}

// SignInProviders are the OAuth apps users sign in through.
type SignInProviders struct {
	GitHub, GitLab, Bitbucket OAuthApp
}

// OAuthApp is one provider's OAuth app. URL is the provider's web address
// where it differs from its API's (GitHub, Bitbucket); GitLab's is
// Config.GitLabURL.
type OAuthApp struct {
	ClientID     string
	ClientSecret string
	URL          string
	Scopes       string
}

// Enabled reports whether the app is configured.
func (a OAuthApp) Enabled() bool { return a.ClientID != "" }

func (p SignInProviders) validate() error {
	for name, a := range map[string]OAuthApp{"github": p.GitHub, "gitlab": p.GitLab, "bitbucket": p.Bitbucket} {
		if (a.ClientID == "") != (a.ClientSecret == "") {
			return fmt.Errorf("%s sign-in needs both --%s-client-id and ORGQL_%s_CLIENT_SECRET", name, name, strings.ToUpper(name))
		}
	}
	return nil
}

// InsecureCookies reports whether the session cookie may go without Secure:
// only in development mode, served at http://localhost.
func (c Config) InsecureCookies() bool {
	if !c.Dev {
		return false
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || u.Scheme != "http" {
		return false
	}
	h := u.Hostname()
	return h == "localhost" || h == "127.0.0.1" || h == "::1"
}

// StripePriceIDs is --stripe-prices as a map from plan code to Stripe price ID.
func (c Config) StripePriceIDs() (map[string]string, error) {
	out := map[string]string{}
	for _, item := range c.StripePrices {
		plan, price, ok := strings.Cut(item, "=")
		if !ok || plan == "" || price == "" {
			return nil, fmt.Errorf("stripe-prices: each item is PLAN=price_id, got %q", item)
		}
		out[strings.TrimSpace(plan)] = strings.TrimSpace(price)
	}
	return out, nil
}

// Defaults is the configuration with every default, as tests start from.
func Defaults() Config {
	c, err := Load(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		panic(err)
	}
	return c
}

// InvitationLink is the template of invitation links: the configured one,
// or the server's own accept page.
func (c Config) InvitationLink() string {
	if c.InvitationURL != "" {
		return c.InvitationURL
	}
	return strings.TrimRight(c.PublicURL, "/") + "/invitations/accept?token={token}"
}

// DefaultPlanBudgets are the API tokens' budgets per plan when --rate-limit-plans does not say.
var DefaultPlanBudgets = map[string]int{"FREE": 50000, "TEAM": 200000, "ENTERPRISE": 500000}

// PlanBudgets reads --rate-limit-plans over DefaultPlanBudgets.
func (c Config) PlanBudgets() (map[string]int, error) {
	out := maps.Clone(DefaultPlanBudgets)
	for _, entry := range c.RateLimitPlans {
		plan, points, ok := strings.Cut(entry, "=")
		n, err := strconv.Atoi(strings.TrimSpace(points))
		if !ok || err != nil || n <= 0 || strings.TrimSpace(plan) == "" {
			return nil, fmt.Errorf("rate-limit-plans: %q is not PLAN=points with positive points", entry)
		}
		out[strings.ToUpper(strings.TrimSpace(plan))] = n
	}
	return out, nil
}

func checkInvitationURL(tmpl string) error {
	if strings.Count(tmpl, "{token}") != 1 {
		return fmt.Errorf("invitation-url must hold {token} once, where the invitation's token goes: %q", tmpl)
	}
	u, err := url.Parse(strings.ReplaceAll(tmpl, "{token}", "x"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("invitation-url must be an http:// or https:// URL: %q", tmpl)
	}
	return nil
}
