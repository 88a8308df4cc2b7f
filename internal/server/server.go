// Package server wires orgql's HTTP surface: the GraphQL endpoint and its
// transports and limits, authentication, CORS, the playground, health and
// readiness, and graceful shutdown.
package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/trace"

	"github.com/orgql/orgql/graph"
	"github.com/orgql/orgql/internal/apitokens"
	"github.com/orgql/orgql/internal/auth"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/billing/stripeprovider"
	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/credcheck"
	"github.com/orgql/orgql/internal/credentials"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/live"
	"github.com/orgql/orgql/internal/mail"
	"github.com/orgql/orgql/internal/members"
	"github.com/orgql/orgql/internal/orgs"
	"github.com/orgql/orgql/internal/projects"
	"github.com/orgql/orgql/internal/ratelimit"
	"github.com/orgql/orgql/internal/requestid"
	"github.com/orgql/orgql/internal/roles"
	"github.com/orgql/orgql/internal/secret"
	"github.com/orgql/orgql/internal/signin"
	"github.com/orgql/orgql/internal/trusted"
)

// Server is orgql's HTTP handler with what it needs to shut down.
type Server struct {
	cfg      config.Config
	db       *database.DB
	Auth     *auth.Authenticator
	Resolver *graph.Resolver
	handler  http.Handler
	draining atomic.Bool
	// Live follows the event log for this instance's subscriptions.
	Live    *live.Hub
	streams *streams
	stop    context.CancelFunc
	done    sync.WaitGroup
	logger  *slog.Logger
	obs     *observability
	trusted *trusted.Documents
}

// Options are the dependencies a Server may be given instead of its defaults.
type Options struct {
	Plans  billing.Catalog
	Mailer members.Mailer
	Logger *slog.Logger
	// Keys seal the stored credentials; required.
	Keys *secret.Keyring
	// Checker checks stored credentials against their services; nil: the
	// services at the configured addresses.
	Checker credentials.Checker
	// AroundFields wraps every field resolver but the fields resolved
	// directly (struct fields and ent's edges: graph/gqlgen.go,
	// directFields); tests use it to make one fail or wait.
	AroundFields graphql.FieldMiddleware
	// BillingClock is billing's clock (periods, link expiry); nil: the time. Tests move it.
	BillingClock func() time.Time
	// StripeHTTPClient makes the Stripe provider's API calls; nil: its own.
	StripeHTTPClient *http.Client
	// TracerProvider makes the spans of requests and statements; nil: none.
	TracerProvider trace.TracerProvider
	// RateLimitClock is the rate limiter's clock; nil: time.Now.
	RateLimitClock func() time.Time
}

// New builds the server on an open, migrated database.
func New(cfg config.Config, db *database.DB, opts Options) (*Server, error) {
	if opts.Plans == nil {
		opts.Plans = billing.DefaultCatalog()
	}
	if opts.Keys == nil {
		return nil, errors.New("server: no secret keys")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	// Every line logged for a request carries its id.
	opts.Logger = slog.New(requestid.LogHandler(opts.Logger.Handler()))
	if opts.Checker == nil {
		opts.Checker = &credcheck.Checker{
			Timeout:              cfg.CredentialCheckTimeout,
			AllowPrivateNetworks: cfg.AllowPrivateNetworks,
			GitHubAPI:            cfg.GitHubAPIURL,
			GitLabURL:            cfg.GitLabURL,
			BitbucketAPI:         cfg.BitbucketAPIURL,
		}
	}
	if opts.Mailer == nil {
		m, err := newMailer(cfg, opts.Logger)
		if err != nil {
			return nil, err
		}
		opts.Mailer = m
	}
	s := &Server{cfg: cfg, db: db, logger: opts.Logger}
	if cfg.TrustedDocuments != "" {
		var err error
		if s.trusted, err = trusted.Load(cfg.TrustedDocuments); err != nil {
			return nil, err
		}
	}
	s.obs = newObservability(s, opts)
	s.Live = &live.Hub{Client: db.Client, Logger: opts.Logger, PostgresURL: db.URL,
		Observer: subscriptionMetrics{s.obs.metrics}, PollInterval: cfg.EventPollInterval}
	s.Auth = &auth.Authenticator{Client: db.Client, SessionTTL: cfg.SessionTTL, SessionIdleTimeout: cfg.SessionIdleTimeout,
		InsecureCookie: cfg.InsecureCookies(), Logger: opts.Logger}
	signIn := &signin.Flow{Client: db.Client, Auth: s.Auth, Providers: signin.Providers(cfg), Timeout: cfg.OAuthTimeout, Logger: opts.Logger}
	projectService := &projects.Service{Client: db.Client, Plans: opts.Plans}
	roleService := &roles.Service{Client: db.Client}
	paymentService, stripeProvider, err := newPayments(cfg, db.Client, opts)
	if err != nil {
		return nil, err
	}
	s.Resolver = &graph.Resolver{
		Client:      db.Client,
		Plans:       opts.Plans,
		Orgs:        &orgs.Service{Client: db.Client, Plans: opts.Plans, Projects: projectService, Roles: roleService, Billing: paymentService},
		Members:     &members.Service{Client: db.Client, Plans: opts.Plans, Mailer: opts.Mailer, InvitationTTL: cfg.InvitationTTL, LinkTemplate: cfg.InvitationLink()},
		Roles:       roleService,
		Projects:    projectService,
		APITokens:   &apitokens.Service{Client: db.Client},
		Credentials: &credentials.Service{Client: db.Client, Keys: opts.Keys, Checker: opts.Checker},
		Auth:        s.Auth,
		Payments:    paymentService,
		Live:        s.Live,
		LiveLimits:  live.Limits{SendTimeout: cfg.SubscriptionSendTimeout, Recheck: cfg.SubscriptionRecheck},
	}
	s.streams = newStreams(s.Auth, opts.Logger, cfg)
	ops := operating{obs: s.obs, trusted: s.trusted, rateLimit: cfg.RateLimit}
	var gql http.Handler = newGraphQLHandler(cfg, s.Resolver, opts.Logger, opts.AroundFields, s.streams, ops)
	var signInGuard func(http.Handler) http.Handler
	if cfg.RateLimit {
		budgets, err := cfg.PlanBudgets()
		if err != nil {
			return nil, err
		}
		rl := newRateLimits(s, ratelimit.Budgets{Anonymous: cfg.RateLimitAnonymous, User: cfg.RateLimitUser, Plans: budgets}, opts.RateLimitClock)
		gql = rl.middleware(gql)
		signInGuard = rl.signIn(cfg.RateLimitSignIn)
	}

	mux := http.NewServeMux()
	// CSRF checks come before authentication, which writes a session's last use.
	graphqlEndpoint, err := crossOriginCookies(cfg, s.Auth.Middleware(gql))
	if err != nil {
		return nil, err
	}
	logout, err := crossOriginCookies(cfg, s.Auth.LogoutHandler(signin.SafePath))
	if err != nil {
		return nil, err
	}
	mux.Handle("/graphql", limitBody(cfg.MaxBodyBytes, requirePreflight(graphqlEndpoint)))
	if cfg.MetricsAddr == "" {
		mux.Handle("GET /metrics", s.MetricsHandler())
	}
	mux.Handle("GET /{$}", withSignIn(playgroundPage("/graphql"), signIn.Enabled()))
	mux.Handle("GET "+playgroundAssetsPath, playgroundFiles())
	mux.Handle("GET /invitations/accept", serveInvitationFile("accept.html", "text/html; charset=utf-8"))
	mux.Handle("GET /invitations/accept.js", serveInvitationFile("accept.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeStatus(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("/auth/logout", logout)
	signIn.Register(mux, signInGuard)
	mux.Handle("GET /billing/invoices/{id}/pdf", s.Auth.Middleware(invoicePDF(paymentService, opts.Logger)))
	if stripeProvider != nil {
		mux.Handle(stripeprovider.WebhookPath, stripeProvider.Webhook(opts.Logger))
	}
	if cfg.Dev {
		mux.Handle("/auth/dev/login", s.Auth.DevLoginHandler())
	}
	s.handler = withRequestID(s.observeRequests(corsHandler(cfg, mux)))
	if err := events.KeepAhead(context.Background(), db.Client); err != nil {
		return nil, err
	}
	if err := s.Live.Prime(context.Background()); err != nil {
		return nil, err
	}
	s.start(opts.Logger, opts.Plans)
	return s, nil
}

// newMailer is the mailer of the configuration: SMTP when a server is
// configured; else, with --dev only, the log mailer, which writes each
// invitation's link, token included, to the log; else none, which the
// server says at start.
func newMailer(cfg config.Config, logger *slog.Logger) (members.Mailer, error) {
	switch {
	case cfg.SMTPHost != "":
		return mail.NewSMTP(mail.Settings{
			Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword,
			From: cfg.SMTPFrom, TLS: cfg.SMTPTLS, Timeout: cfg.SMTPTimeout,
		}, logger)
	case cfg.Dev:
		logger.Warn("no SMTP server configured: invitation links, tokens included, are written to this log (--dev only)")
		return members.LogMailer{Logger: logger}, nil
	default:
		logger.Warn("invitations cannot be delivered: no SMTP server is configured (set ORGQL_SMTP_HOST and ORGQL_SMTP_FROM); inviteMember and resendInvitation fail until one is")
		return members.NoMailer{}, nil
	}
}

// start runs the background work of the instance: following the event log,
// and pruning the audit log.
func (s *Server) start(logger *slog.Logger, plans billing.Catalog) {
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	s.done.Add(2)
	go func() {
		defer s.done.Done()
		if err := s.Live.Run(ctx); err != nil {
			logger.Error("follow the event log: subscriptions get no new events", "error", err)
		}
	}()
	go func() {
		defer s.done.Done()
		prune := &events.Pruner{Client: s.db.Client, Dialect: s.db.Dialect, Plans: plans, Logger: logger}
		prune.Run(ctx, s.cfg.AuditLogPruneInterval)
	}()
}

// EndStreams ends every subscription: WebSockets close with 1001, event
// streams end (docs/security.md S24).
func (s *Server) EndStreams() { s.streams.shutdown() }

// WaitStreams returns once every WebSocket EndStreams closed has finished
// its close handshake (or the client's 5 s to answer it ran out), or when
// ctx ends: a process that exits before then cuts its clients off without
// their 1001.
func (s *Server) WaitStreams(ctx context.Context) error { return s.streams.wait(ctx) }

// Close ends the streams and stops the background work.
func (s *Server) Close() {
	s.EndStreams()
	s.stop()
	s.done.Wait()
}

// MetricsHandler serves the Prometheus metrics: on the API's listener at
// /metrics, or on its own when --metrics-addr is set.
func (s *Server) MetricsHandler() http.Handler { return s.obs.metrics.Handler() }

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Drain makes readiness fail, so load balancers stop sending new requests.
func (s *Server) Drain() { s.draining.Store(true) }

// Ready reports whether the server has not started draining.
func (s *Server) Ready() bool { return !s.draining.Load() }

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		writeStatus(w, http.StatusServiceUnavailable, "draining")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		slog.WarnContext(r.Context(), "readiness: database unreachable", "error", err)
		writeStatus(w, http.StatusServiceUnavailable, "database unreachable")
		return
	}
	writeStatus(w, http.StatusOK, "ready")
}

func writeStatus(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(msg + "\n"))
}

// limitBody refuses a body over n bytes with 413 before any parsing. A body
// without Content-Length (chunked) is read up to the limit first: a
// transport would otherwise report the cut as a malformed body.
func limitBody(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > n {
			sendRequestError(w, responseMediaType(r), http.StatusRequestEntityTooLarge, "the request body is too large")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, n))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				sendRequestError(w, responseMediaType(r), http.StatusRequestEntityTooLarge, "the request body is too large")
			} else {
				sendRequestError(w, responseMediaType(r), http.StatusBadRequest, "cannot read the request body")
			}
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}
