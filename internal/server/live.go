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
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/auth"
	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/live"
	"github.com/orgql/orgql/internal/metrics"
	"github.com/orgql/orgql/internal/token"
	"github.com/orgql/orgql/internal/viewer"
)

// The codes a subscription ends with (docs/errors.md).
const (
	// CodeSlowSubscriber: the client did not take an event within --subscription-send-timeout.
	CodeSlowSubscriber = "SLOW_SUBSCRIBER"
	// CodeTooManySubscriptions: the WebSocket already runs --max-subscriptions-per-connection.
	CodeTooManySubscriptions = "TOO_MANY_SUBSCRIPTIONS"
)

// WebSocket close codes (graphql-transport-ws's, and 1001 from RFC 6455).
const (
	closeUnauthorized    = 4401 // a missing or bad credential, or a subscribe before connection_ack: clients do not retry
	closeForbidden       = 4403 // a credential this connection may not use (the cookie from an origin not named exactly)
	closeBadMessage      = 4400 // a message that is not JSON, or of an unknown type
	closeInitTimeout     = 4408 // no connection_init within --ws-init-timeout
	closeTooManyRequests = 4429 // over --max-connections-per-caller; and a second connection_init
	closeInternal        = 1011 // the credential could not be checked: clients retry
	closeGoingAway       = 1001 // the server shuts down
)

// streams is what the subscription transports share: authentication, the
// count of open connections per caller, and the end of every stream at shutdown.
type streams struct {
	auth   *auth.Authenticator
	logger *slog.Logger
	cfg    config.Config

	mu      sync.Mutex
	open    map[string]int // connections per caller (user or API token ID), on this instance
	closing atomic.Bool
	ctx     context.Context // cancelled when the server shuts down
	end     context.CancelFunc
}

func newStreams(a *auth.Authenticator, logger *slog.Logger, cfg config.Config) *streams {
	ctx, cancel := context.WithCancel(context.Background())
	return &streams{auth: a, logger: logger, cfg: cfg, open: map[string]int{}, ctx: ctx, end: cancel}
}

// shutdown ends every WebSocket (1001) and event stream.
func (s *streams) shutdown() {
	s.closing.Store(true)
	s.end()
}

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
	subs   atomic.Int32
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
					transport.AddSubscriptionError(ctx, e)
				}
			default:
				s.logger.ErrorContext(ctx, "subscription failed", "error", err)
				if ws {
					e := gqlerror.Errorf("the subscription failed: subscribe again")
					e.Extensions = map[string]any{"code": apperr.CodeInternal}
					transport.AddSubscriptionError(ctx, e)
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

// websocketTransport is gqlgen's WebSocket transport (graphql-transport-ws
// and the legacy graphql-ws protocol) with origins checked against the CORS
// list, credentials taken from connection_init (or the session cookie of the
// upgrade) through the same authentication as HTTP, and the limits.
func (s *streams) websocketTransport() transport.Websocket {
	return transport.Websocket{
		Implementation: shutdownCloser{
			inner:   transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{OriginPatterns: originPatterns(s.cfg.CORSOrigins)}},
			closing: &s.closing,
		},
		InitFunc:              s.initWebsocket,
		ErrorFunc:             noteBadMessage,
		InitTimeout:           s.cfg.WSInitTimeout,
		KeepAlivePingInterval: s.cfg.WSKeepAlive,
		PingPongInterval:      s.cfg.WSKeepAlive,
		CloseFunc: func(ctx context.Context, _ int) {
			if c, ok := ctx.Value(connectionKey{}).(*connection); ok {
				s.release(c.caller)
			}
		},
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

// upgraded holds, in the connection's context, its WebSocket once accepted.
type upgraded struct{ conn *closingConn }

type (
	upgradedKey      struct{}
	upgradeCookieKey struct{}
	cookieRefusedKey struct{} // the upgrade carried a session cookie its origin may not use
)

func (s *streams) initWebsocket(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	authorization := p.Authorization()
	if authorization == "" {
		authorization, _ = ctx.Value(upgradeCookieKey{}).(string)
	}
	if refused, _ := ctx.Value(cookieRefusedKey{}).(bool); refused && authorization == "" {
		ctx = transport.WithWebsocketCloseCode(ctx, closeForbidden)
		return transport.AppendCloseReason(ctx, "Forbidden"), nil, errors.New("forbidden: the session cookie is not accepted from this origin; send a credential in connection_init's Authorization")
	}
	c, err := s.auth.Authenticate(ctx, authorization)
	switch {
	case errors.Is(err, auth.ErrBadCredentials) || authorization == "":
		ctx = transport.WithWebsocketCloseCode(ctx, closeUnauthorized)
		return transport.AppendCloseReason(ctx, "Unauthorized"), nil, errors.New("unauthorized: send a valid credential in connection_init's Authorization")
	case err != nil:
		s.logger.ErrorContext(ctx, "authenticate: credentials could not be checked", "error", err)
		ctx = transport.WithWebsocketCloseCode(ctx, closeInternal)
		return transport.AppendCloseReason(ctx, "the server could not check the credentials: retry"), nil, errors.New("the server could not check the credentials")
	}
	if !s.admit(c) {
		ctx = transport.WithWebsocketCloseCode(ctx, closeTooManyRequests)
		return transport.AppendCloseReason(ctx, "too many connections"), nil, errors.New("too many connections for this caller")
	}
	origin, userAgent := "", ""
	if info, ok := ctx.Value(requestInfoKey{}).(requestInfo); ok {
		origin, userAgent = info.origin, info.userAgent
	}
	c.Origin, c.UserAgent = origin, userAgent
	ctx = viewer.NewContext(ctx, c)
	ctx = context.WithValue(ctx, connectionKey{}, &connection{caller: c, ws: true})
	ctx = live.WithSession(ctx, s.session(authorization, origin, userAgent, true))
	// The connection ends with the server: closeOnCancel closes it.
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.ctx, cancel)
	context.AfterFunc(ctx, func() { stop() })
	return ctx, nil, nil
}

type requestInfoKey struct{}

type requestInfo struct{ origin, userAgent string }

// withUpgradeRequest keeps what the upgrade request tells for connection_init:
// the session cookie, and the address and user agent for audit events.
func withUpgradeRequest(a *auth.Authenticator, corsOrigins []string, r *http.Request) *http.Request {
	ctx := context.WithValue(r.Context(), upgradedKey{}, &upgraded{})
	if tok := a.CookieToken(r); tok != "" {
		if cookieOriginAllowed(r, corsOrigins) {
			ctx = context.WithValue(ctx, upgradeCookieKey{}, "Bearer "+tok)
		} else {
			ctx = context.WithValue(ctx, cookieRefusedKey{}, true)
		}
	}
	ctx = context.WithValue(ctx, requestInfoKey{}, requestInfo{origin: remoteHost(r), userAgent: r.UserAgent()})
	return r.WithContext(ctx)
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

// wsTransport serves WebSocket upgrades.
type wsTransport struct {
	transport.Websocket
	auth        *auth.Authenticator
	corsOrigins []string
}

func (t wsTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	t.Websocket.Do(w, withUpgradeRequest(t.auth, t.corsOrigins, r), exec)
}

// shutdownCloser closes WebSockets with 1001 (going away) instead of 1000
// once the server shuts down, and, on graphql-transport-ws, with the
// protocol's codes where gqlgen closes with 1002 (protocolCloseCode).
type shutdownCloser struct {
	inner   transport.WebsocketImplementation
	closing *atomic.Bool
}

func (i shutdownCloser) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	c, err := i.inner.Accept(w, r, o)
	if err != nil {
		return nil, err
	}
	conn := &closingConn{WebsocketConn: c, closing: i.closing}
	if u, ok := r.Context().Value(upgradedKey{}).(*upgraded); ok {
		u.conn = conn
	}
	return conn, nil
}

// noteBadMessage is gqlgen's error callback: after connection_ack, a
// message that is not JSON or of an unknown type ends the connection with
// a normal closure, which graphql-transport-ws closes with 4400.
func noteBadMessage(ctx context.Context, err error) {
	var wsErr transport.WebsocketError
	if !errors.As(err, &wsErr) || !wsErr.IsReadError || wsErr.Err == nil || wsErr.Err.Error() != "invalid message received" {
		return
	}
	if u, ok := ctx.Value(upgradedKey{}).(*upgraded); ok && u.conn != nil {
		u.conn.badMessage.Store(true)
	}
}

type closingConn struct {
	transport.WebsocketConn
	closing    *atomic.Bool
	acked      atomic.Bool // connection_ack was sent
	badMessage atomic.Bool // the client sent a message that is not JSON or of an unknown type
	// last holds the start of the message gqlgen reads now (from the
	// ack on): gqlgen refuses a second connection_init as any unexpected
	// message, where graphql-transport-ws closes with 4429.
	last lastMessage
}

// lastMessage keeps the first bytes of the message being read.
type lastMessage struct {
	mu  sync.Mutex
	buf []byte
}

const lastMessageBytes = 256

func (l *lastMessage) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := lastMessageBytes - len(l.buf); room > 0 {
		l.buf = append(l.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// isInit reports whether the message read last is a connection_init.
func (l *lastMessage) isInit() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	var m struct {
		Type string `json:"type"`
	}
	// A message cut at lastMessageBytes does not parse, and is not one:
	// a connection_init's type comes first in every client we know, and
	// the protocol's answer for the others (4400) is as good.
	return json.Unmarshal(l.buf, &m) == nil && m.Type == "connection_init"
}

// NextReader, once the connection is acknowledged, keeps the start of each
// message as gqlgen reads it (see last).
func (c *closingConn) NextReader() (int, io.Reader, error) {
	typ, r, err := c.WebsocketConn.NextReader()
	if err != nil || !c.acked.Load() || c.Subprotocol() != "graphql-transport-ws" {
		return typ, r, err
	}
	c.last.mu.Lock()
	c.last.buf = c.last.buf[:0]
	c.last.mu.Unlock()
	return typ, io.TeeReader(r, &c.last), nil
}

// WriteJSON notes the connection_ack, which gqlgen writes as any message.
func (c *closingConn) WriteJSON(v any) error {
	if !c.acked.Load() {
		if b, err := json.Marshal(v); err == nil && strings.Contains(string(b), `"type":"connection_ack"`) {
			c.acked.Store(true)
		}
	}
	return c.WebsocketConn.WriteJSON(v)
}

func (c *closingConn) WriteClose(code int, message string) error {
	switch {
	case c.closing.Load() && code == transport.WebsocketCloseNormalClosure:
		code, message = closeGoingAway, "the server is shutting down"
	case code == transport.WebsocketCloseProtocolError && c.Subprotocol() == "graphql-transport-ws" && c.acked.Load() && c.last.isInit():
		code, message = closeTooManyRequests, "Too many initialisation requests"
	case code == transport.WebsocketCloseProtocolError && c.Subprotocol() == "graphql-transport-ws":
		code, message = protocolCloseCode(message, c.acked.Load())
	case c.badMessage.Load() && c.Subprotocol() == "graphql-transport-ws":
		code, message = closeBadMessage, "Invalid message received"
	}
	return c.WebsocketConn.WriteClose(code, message)
}

// protocolCloseCode is graphql-transport-ws's close code for a connection
// gqlgen closes with 1002 and message: 4408 when no connection_init came in
// time, 4401 for a subscribe (any message) before connection_ack, 4400 for
// a message that is not JSON or of an unknown type.
func protocolCloseCode(message string, acked bool) (int, string) {
	switch {
	case message == "connection initialisation timeout":
		return closeInitTimeout, "Connection initialisation timeout"
	case message == "unexpected message" && !acked:
		return closeUnauthorized, "Unauthorized"
	}
	return closeBadMessage, "Invalid message received"
}

func (c *closingConn) SetReadLimit(n int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(n)
	}
}

func (c *closingConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
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

// limitSubscriptions refuses a subscription over the connection's limit,
// before it runs.
func limitSubscriptions(max int) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		op := graphql.GetOperationContext(ctx).Operation
		c, ok := ctx.Value(connectionKey{}).(*connection)
		if op == nil || op.Operation != ast.Subscription || !ok {
			return next(ctx)
		}
		if int(c.subs.Add(1)) > max {
			c.subs.Add(-1)
			e := gqlerror.Errorf("too many subscriptions on this connection: at most %d at once", max)
			e.Extensions = map[string]any{"code": CodeTooManySubscriptions}
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{e}})
		}
		var once sync.Once
		done := func() { once.Do(func() { c.subs.Add(-1) }) }
		context.AfterFunc(ctx, done)
		return next(ctx)
	}
}
