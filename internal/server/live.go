package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/auth"
	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/live"
	"github.com/orgql/orgql/internal/metrics"
	"github.com/orgql/orgql/internal/token"
	"github.com/orgql/orgql/internal/viewer"
	"github.com/orgql/orgql/internal/wsgraphql"
)

// The codes a subscription ends with (docs/errors.md).
const (
	// CodeSlowSubscriber: the client did not take an event within --subscription-send-timeout.
	CodeSlowSubscriber = "SLOW_SUBSCRIBER"
	// CodeTooManySubscriptions: the WebSocket already runs --max-subscriptions-per-connection.
	CodeTooManySubscriptions = "TOO_MANY_SUBSCRIPTIONS"
	// CodeTooManyOperations: the WebSocket already runs --max-operations-per-connection
	// queries and mutations, or operations carrying --max-body-bytes together.
	CodeTooManyOperations = wsgraphql.CodeTooManyOperations
)

// The close codes of a refused connection_init (docs/errors.md).
const (
	closeUnauthorized    = wsgraphql.CloseUnauthorized    // a missing or bad credential: clients do not retry
	closeForbidden       = wsgraphql.CloseForbidden       // a credential this connection may not use (the cookie from an origin not named exactly)
	closeTooManyRequests = wsgraphql.CloseTooManyRequests // over --max-connections-per-caller
)

// streams is what the subscription transports share: authentication, the
// count of open connections per caller, and the end of every stream at shutdown.
type streams struct {
	auth   *auth.Authenticator
	logger *slog.Logger
	cfg    config.Config

	mu   sync.Mutex
	open map[string]int  // connections per caller (user or API token ID), on this instance
	ctx  context.Context // cancelled when the server shuts down
	end  context.CancelFunc
	ws   *wsgraphql.Transport
}

func newStreams(a *auth.Authenticator, logger *slog.Logger, cfg config.Config) *streams {
	ctx, cancel := context.WithCancel(context.Background())
	s := &streams{auth: a, logger: logger, cfg: cfg, open: map[string]int{}, ctx: ctx, end: cancel}
	s.ws = s.websocketTransport()
	return s
}

// shutdown ends every WebSocket (1001) and event stream.
func (s *streams) shutdown() { s.end() }

// wait returns once every WebSocket has closed, or when ctx ends.
func (s *streams) wait(ctx context.Context) error { return s.ws.Wait(ctx) }

// admit counts one more connection for c, refusing one over the limit.
func (s *streams) admit(c *viewer.Caller) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open[c.ID()] >= s.cfg.MaxConnectionsPerCaller {
		return false
	}
	s.open[c.ID()]++
	return true
}

func (s *streams) release(c *viewer.Caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open[c.ID()]--; s.open[c.ID()] <= 0 {
		delete(s.open, c.ID())
	}
}

// connection is one WebSocket or event stream, in its context.
type connection struct {
	caller *viewer.Caller
	ws     bool
	subs   atomic.Int32 // subscriptions running
	ops    atomic.Int32 // queries and mutations running
}

type connectionKey struct{}

// session is the live.Session of a connection authenticated with authorization.
func (s *streams) session(authorization, origin, userAgent string, ws bool) *live.Session {
	return &live.Session{
		Key: token.Hash(authorization),
		Reauthenticate: func(ctx context.Context) (context.Context, error) {
			c, err := s.auth.Authenticate(ctx, authorization)
			if err != nil {
				return nil, err
			}
			c.Origin, c.UserAgent = origin, userAgent
			return viewer.NewContext(ctx, c), nil
		},
		Report: func(ctx context.Context, err error) {
			switch endReason(err) {
			case endCompleted, endAccessLost:
				// The stream completes: the caller may no longer read it.
				return
			case endDropped:
				s.logger.InfoContext(ctx, "subscription cut off: the client did not keep up")
				if ws {
					e := gqlerror.Errorf("subscription cut off: the client did not take events within %s", s.cfg.SubscriptionSendTimeout)
					e.Extensions = map[string]any{"code": CodeSlowSubscriber}
					wsgraphql.EndWith(ctx, e)
				}
			default:
				s.logger.ErrorContext(ctx, "subscription failed", "error", err)
				if ws {
					e := gqlerror.Errorf("the subscription failed: subscribe again")
					e.Extensions = map[string]any{"code": apperr.CodeInternal}
					wsgraphql.EndWith(ctx, e)
				}
			}
		},
	}
}

// Why a subscription ended: the reason label of orgql_subscriptions_ended_total.
const (
	endCompleted  = "completed"   // the client stopped it or went away, or the server shut down
	endAccessLost = "access_lost" // the caller may no longer read it
	endDropped    = "dropped"     // the client did not keep up: cut off
	endError      = "error"
)

func endReason(err error) string {
	switch {
	case err == nil:
		return endCompleted
	case errors.Is(err, live.ErrAccess), errors.Is(err, auth.ErrBadCredentials):
		return endAccessLost
	case errors.Is(err, live.ErrSlow):
		return endDropped
	}
	return endError
}

// subscriptionMetrics is the live.Observer that counts subscriptions in
// the server's metrics, by transport and field.
type subscriptionMetrics struct{ m *metrics.Metrics }

// transportOf is the transport label of a subscription's context.
func transportOf(ctx context.Context) string {
	c, ok := ctx.Value(connectionKey{}).(*connection)
	switch {
	case !ok:
		return "other"
	case c.ws:
		return "websocket"
	}
	return "sse"
}

func (o subscriptionMetrics) Started(ctx context.Context, field string) {
	o.m.SubscriptionStarted(transportOf(ctx), field)
}

func (o subscriptionMetrics) Sent(ctx context.Context, field string, committed time.Time) {
	o.m.Delivered(transportOf(ctx), field)
	if !committed.IsZero() {
		o.m.Lag(time.Since(committed))
	}
}

func (o subscriptionMetrics) Ended(ctx context.Context, field string, err error) {
	o.m.SubscriptionEnded(transportOf(ctx), field, endReason(err))
}

// websocketTransport serves WebSockets (graphql-transport-ws and the legacy
// graphql-ws protocol) with origins checked against the CORS list,
// credentials taken from connection_init (or the session cookie of the
// upgrade) through the same authentication as HTTP, and the limits.
func (s *streams) websocketTransport() *wsgraphql.Transport {
	return &wsgraphql.Transport{
		OriginPatterns: originPatterns(s.cfg.CORSOrigins),
		Init:           s.initWebsocket,
		Closed: func(ctx context.Context) {
			if c, ok := ctx.Value(connectionKey{}).(*connection); ok {
				s.release(c.caller)
			}
		},
		InitTimeout:  s.cfg.WSInitTimeout,
		KeepAlive:    s.cfg.WSKeepAlive,
		WriteTimeout: s.cfg.SubscriptionSendTimeout,
		ReadLimit:    s.cfg.MaxBodyBytes,
		Shutdown:     s.ctx,
	}
}

// originPatterns are the CORS origins as coder/websocket matches them
// (scheme://host); the page's own origin is always allowed.
func originPatterns(origins []string) []string {
	out := make([]string, 0, len(origins))
	for _, o := range origins {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			out = append(out, u.Scheme+"://"+u.Host)
		} else {
			out = append(out, o)
		}
	}
	return out
}

// initWebsocket authenticates a connection_init: with its Authorization,
// else with the upgrade's session cookie if its origin may use it.
func (s *streams) initWebsocket(ctx context.Context, r *http.Request, p transport.InitPayload) (context.Context, error) {
	authorization := p.Authorization()
	if authorization == "" {
		if tok := s.auth.CookieToken(r); tok != "" {
			if !cookieOriginAllowed(r, s.cfg.CORSOrigins) {
				return nil, &wsgraphql.Refusal{Code: closeForbidden, Reason: "Forbidden",
					Message: "forbidden: the session cookie is not accepted from this origin; send a credential in connection_init's Authorization"}
			}
			authorization = "Bearer " + tok
		}
	}
	unauthorized := &wsgraphql.Refusal{Code: closeUnauthorized, Reason: "Unauthorized", Message: "unauthorized: send a valid credential in connection_init's Authorization"}
	if authorization == "" {
		return nil, unauthorized
	}
	c, err := s.auth.Authenticate(ctx, authorization)
	switch {
	case errors.Is(err, auth.ErrBadCredentials):
		return nil, unauthorized
	case err != nil:
		s.logger.ErrorContext(ctx, "authenticate: credentials could not be checked", "error", err)
		return nil, err // closes with 1011: clients retry
	}
	if !s.admit(c) {
		return nil, &wsgraphql.Refusal{Code: closeTooManyRequests, Reason: "too many connections", Message: "too many connections for this caller"}
	}
	c.Origin, c.UserAgent = remoteHost(r), r.UserAgent()
	ctx = viewer.NewContext(ctx, c)
	ctx = context.WithValue(ctx, connectionKey{}, &connection{caller: c, ws: true})
	return live.WithSession(ctx, s.session(authorization, c.Origin, c.UserAgent, true)), nil
}

// cookieOriginAllowed reports whether the session cookie of an upgrade may
// authenticate it: from no page (a non-browser client), the server's own
// page, or an origin the CORS list names exactly. A pattern (*) lets a page
// open a WebSocket but not with the cookie, as for cookie-carrying POSTs
// (csrf.go; docs/security.md S5).
func cookieOriginAllowed(r *http.Request, corsOrigins []string) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if u, err := url.Parse(origin); err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, o := range corsOrigins {
		if !strings.Contains(o, "*") && strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true
		}
	}
	return false
}

func remoteHost(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// sseTransport serves Server-Sent Events (graphql-sse's distinct-connections
// mode): a POST with a JSON body, or a GET with the parameters in the query
// string, asking for text/event-stream. The credential is the request's
// (header or cookie), authenticated by the middleware; without one the
// answer is 401 and nothing runs.
type sseTransport struct {
	s   *streams
	sse transport.SSE
}

func (t sseTransport) Supports(r *http.Request) bool {
	if !strings.Contains(r.Header.Get("Accept"), "text/event-stream") || r.Header.Get("Upgrade") != "" {
		return false
	}
	return r.Method == http.MethodPost || r.Method == http.MethodGet
}

func (t sseTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	c := viewer.FromContext(r.Context())
	if c == nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="orgql"`)
		e := gqlerror.Errorf("authentication required")
		e.Extensions = map[string]any{"code": apperr.CodeUnauthenticated}
		w.Header().Set("Content-Type", mediaJSON)
		w.WriteHeader(http.StatusUnauthorized)
		writeJSON(w, &graphql.Response{Errors: gqlerror.List{e}})
		return
	}
	var body []byte
	switch r.Method {
	case http.MethodGet:
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			sendRequestError(w, mediaJSON, http.StatusBadRequest, "the query string is malformed")
			return
		}
		m := map[string]any{"query": q.Get("query"), "operationName": q.Get("operationName")}
		for _, name := range []string{"variables", "extensions"} {
			if raw := q.Get(name); raw != "" {
				m[name] = json.RawMessage(raw)
			}
		}
		if body, err = json.Marshal(m); err != nil {
			sendRequestError(w, mediaJSON, http.StatusBadRequest, `"variables" and "extensions" must be JSON objects`)
			return
		}
	default:
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			sendRequestError(w, mediaJSON, http.StatusBadRequest, "cannot read the request body")
			return
		}
	}
	// gqlgen's SSE transport quotes a body it cannot read: refuse one first.
	if _, _, msg := decodeBody(body); msg != "" {
		sendRequestError(w, mediaJSON, http.StatusBadRequest, msg)
		return
	}
	if !t.s.admit(c) {
		sendRequestError(w, mediaJSON, http.StatusTooManyRequests, "too many connections for this caller")
		return
	}
	defer t.s.release(c)
	authorization := r.Header.Get("Authorization")
	if authorization == "" {
		if tok := t.s.auth.CookieToken(r); tok != "" {
			authorization = "Bearer " + tok
		}
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(t.s.ctx, cancel)
	defer stop()
	ctx = context.WithValue(ctx, connectionKey{}, &connection{caller: c})
	ctx = live.WithSession(ctx, t.s.session(authorization, c.Origin, c.UserAgent, false))
	r2 := r.Clone(ctx)
	r2.Method = http.MethodPost
	r2.Header.Set("Content-Type", mediaJSON)
	r2.Body = io.NopCloser(strings.NewReader(string(body)))
	r2.ContentLength = int64(len(body))
	t.sse.Do(w, r2, exec)
}

// limitOperations refuses, before it runs, an operation over its
// connection's limits: subscriptions running at once (maxSubs), and queries
// and mutations running at once (maxOps), so that one WebSocket cannot hold
// an unbounded number of operations waiting for their turn.
func limitOperations(maxSubs, maxOps int) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		op := graphql.GetOperationContext(ctx).Operation
		c, ok := ctx.Value(connectionKey{}).(*connection)
		if op == nil || !ok {
			return next(ctx)
		}
		running, max, code, what := &c.ops, maxOps, CodeTooManyOperations, "queries and mutations"
		if op.Operation == ast.Subscription {
			running, max, code, what = &c.subs, maxSubs, CodeTooManySubscriptions, "subscriptions"
		}
		if int(running.Add(1)) > max {
			running.Add(-1)
			e := gqlerror.Errorf("too many %s on this connection: at most %d at once", what, max)
			e.Extensions = map[string]any{"code": code}
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{e}})
		}
		var once sync.Once
		done := func() { once.Do(func() { running.Add(-1) }) }
		context.AfterFunc(ctx, done)
		return next(ctx)
	}
}
