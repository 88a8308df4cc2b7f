// Package wsgraphql serves GraphQL over WebSocket, on coder/websocket, for
// gqlgen's executor: graphql-transport-ws (the graphql-ws library, Apollo
// Client's default) and the legacy graphql-ws protocol
// (subscriptions-transport-ws).
//
// It is built for many idle subscribers (docs/architecture.md "WebSocket
// transport"): a connection reads on one goroutine of its own (the HTTP
// handler returns at the upgrade), parked shallow between messages; its
// keep-alive and its initialisation timeout are timers; an operation runs
// on a goroutine that writes what it yields, except a subscription whose
// source takes the operation's push.Sink and delivers from its own.
package wsgraphql

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/orgql/orgql/internal/push"
)

// The subprotocols.
const (
	TransportWS = "graphql-transport-ws"
	LegacyWS    = "graphql-ws" // also what a client that names none speaks
)

// Close codes: graphql-transport-ws's, and RFC 6455's.
const (
	CloseBadRequest      websocket.StatusCode = 4400 // a message that is not JSON, of an unknown type, or malformed
	CloseUnauthorized    websocket.StatusCode = 4401 // a missing or bad credential, or an operation before connection_ack
	CloseForbidden       websocket.StatusCode = 4403
	CloseInitTimeout     websocket.StatusCode = 4408 // no connection_init within InitTimeout
	CloseDuplicateID     websocket.StatusCode = 4409 // a subscribe with the id of a running operation
	CloseTooManyRequests websocket.StatusCode = 4429 // a second connection_init
	CloseInternal        websocket.StatusCode = 1011
	CloseGoingAway       websocket.StatusCode = 1001 // the server shuts down
)

// CodeTooManyOperations refuses an operation that would take the
// connection's running operations over ReadLimit bytes together.
const CodeTooManyOperations = "TOO_MANY_OPERATIONS"

// Refusal is the error Init returns to close the connection with Code and
// Reason (a close frame's reason: at most 123 bytes); Message is what the
// legacy protocol's connection_error says.
type Refusal struct {
	Code    websocket.StatusCode
	Reason  string
	Message string
}

func (r *Refusal) Error() string { return r.Message }

// Transport is a gqlgen transport for WebSocket upgrades.
type Transport struct {
	// OriginPatterns are the origins besides the page's own that may open
	// a WebSocket (coder/websocket's patterns).
	OriginPatterns []string
	// Init authenticates connection_init's payload on the upgrade request
	// r (whose context has ended: ctx has its values) and returns the
	// context, derived from ctx, the connection's operations run in. An
	// error closes the connection: a *Refusal with its code, any other
	// with CloseInternal.
	Init func(ctx context.Context, r *http.Request, payload transport.InitPayload) (context.Context, error)
	// Closed is told, with Init's context, when a connection Init accepted ends.
	Closed func(ctx context.Context)
	// InitTimeout: a connection without connection_init by then closes with 4408.
	InitTimeout time.Duration
	// KeepAlive is the interval of graphql-transport-ws pings (a client that
	// answers none of two is closed) and of the legacy protocol's "ka".
	KeepAlive time.Duration
	// WriteTimeout: a message the client does not take within it closes the connection.
	WriteTimeout time.Duration
	// ReadLimit is the largest message read, in bytes; also the most that
	// the operations running at once on a connection may carry together
	// (their subscribe messages' payloads: documents and variables, which
	// they keep while they run). One over it is refused before it runs with
	// CodeTooManyOperations.
	ReadLimit int64
	// Shutdown: once it is done, every connection closes with 1001.
	Shutdown context.Context

	open sync.WaitGroup // the connections being served
}

// Wait returns once every connection has ended, or with ctx's error.
func (t *Transport) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		t.open.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

var _ graphql.Transport = (*Transport)(nil)

func (t *Transport) Supports(r *http.Request) bool { return r.Header.Get("Upgrade") != "" }

func (t *Transport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	lean := &leanBuffers{ResponseWriter: w}
	ws, err := websocket.Accept(lean, r, &websocket.AcceptOptions{
		Subprotocols:   []string{TransportWS, LegacyWS},
		OriginPatterns: t.OriginPatterns,
	})
	if err != nil {
		return // Accept answered the request
	}
	ws.SetReadLimit(t.ReadLimit)
	// The connection outlives the handler: it runs on a goroutine of its
	// own, so that the HTTP server's goroutine, its deep stack and the
	// request's buffers go now (the request is logged as its upgrade).
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	c := &conn{t: t, ws: ws, nc: lean.nc, br: lean.br, exec: exec, legacy: ws.Subprotocol() != TransportWS, ctx: ctx, cancel: cancel, ops: map[string]*operation{}}
	t.open.Add(1)
	go func() {
		defer t.open.Done()
		c.serve(r)
	}()
}

// serve runs the connection until it ends.
func (c *conn) serve(r *http.Request) {
	defer c.finish()
	stop := context.AfterFunc(c.t.Shutdown, func() { c.end(CloseGoingAway, "the server is shutting down") })
	defer stop()
	if c.t.InitTimeout > 0 {
		c.mu.Lock()
		c.initTimer = time.AfterFunc(c.t.InitTimeout, func() {
			if !c.acked() {
				c.end(CloseInitTimeout, "Connection initialisation timeout")
			}
		})
		c.mu.Unlock()
	}
	c.read(r)
}

// leanBuffers hands coder/websocket, at the upgrade, buffers sized for
// small messages instead of net/http's 4 KiB ones: a larger message is
// read and written past them, and an idle connection holds less.
type leanBuffers struct {
	http.ResponseWriter
	nc net.Conn      // the connection, once hijacked
	br *bufio.Reader // what coder/websocket reads it through
}

const (
	readBuffer  = 512
	writeBuffer = 2048
)

func (l *leanBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(l.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(nc, readBuffer)
	if n := brw.Reader.Buffered(); n > 0 {
		// What the client sent right after its upgrade request: in the
		// new buffer (coder/websocket keeps what is buffered, and reads
		// the rest from the connection).
		b, _ := brw.Reader.Peek(n)
		br = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(b)), nc), max(readBuffer, n))
		if _, err := br.Peek(n); err != nil {
			nc.Close()
			return nil, nil, err
		}
	}
	l.nc, l.br = nc, br
	return nc, bufio.NewReadWriter(br, bufio.NewWriterSize(nc, writeBuffer)), nil
}

// conn is one connection.
type conn struct {
	t      *Transport
	ws     *websocket.Conn
	nc     net.Conn      // under ws
	br     *bufio.Reader // ws reads nc through it
	exec   graphql.GraphExecutor
	legacy bool

	mu         sync.Mutex
	ctx        context.Context // the connection's; Init's once acknowledged
	cancel     context.CancelFunc
	initCtx    context.Context       // Init's, for Closed (nil before the ack)
	ops        map[string]*operation // the running operations, by id
	held       int64                 // the bytes their payloads carry
	ended      bool
	initTimer  *time.Timer
	keepAlive  *time.Timer
	unanswered int // pings sent since the last pong
}

type message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func (c *conn) acked() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.initCtx != nil
}

// bufferedOrEnded reports whether bytes wait in the connection's read
// buffer, or the connection is ending: either way the next read must not
// wait on the socket. Under c.mu: once end has marked the connection ended,
// the close handshake reads through the same buffer.
func (c *conn) bufferedOrEnded() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ended || c.br == nil || c.br.Buffered() > 0
}

// read handles the client's messages until the connection ends.
func (c *conn) read(r *http.Request) {
	for {
		if !c.bufferedOrEnded() {
			awaitData(c.nc)
		}
		// Not the connection's context: a read whose context ends closes
		// the socket at once, before end's close frame could go out.
		_, b, err := c.ws.Read(context.Background())
		if err != nil {
			c.end(websocket.StatusNormalClosure, "")
			return
		}
		var m message
		if err := json.Unmarshal(b, &m); err != nil {
			c.protocolError("the message is not JSON, or not a protocol message")
			return
		}
		if !c.handle(r, m) {
			return
		}
		if r != nil && c.acked() {
			r = nil // only Init reads the upgrade request: let it go
		}
	}
}

// handle answers one message; false when it ended the connection.
func (c *conn) handle(r *http.Request, m message) bool {
	acked := c.acked()
	switch {
	case m.Type == "connection_init" && acked:
		if c.legacy {
			return true // subscriptions-transport-ws ignores it
		}
		c.end(CloseTooManyRequests, "Too many initialisation requests")
		return false
	case m.Type == "connection_init":
		return c.init(r, m.Payload)
	case m.Type == "ping" && !c.legacy:
		c.write(message{Type: "pong", Payload: m.Payload})
	case m.Type == "pong" && !c.legacy:
		c.mu.Lock()
		c.unanswered = 0
		c.mu.Unlock()
	case m.Type == "connection_terminate" && c.legacy:
		c.end(websocket.StatusNormalClosure, "terminated")
		return false
	case (m.Type == "subscribe" && !c.legacy || m.Type == "start" && c.legacy) && !acked:
		c.end(CloseUnauthorized, "Unauthorized")
		return false
	case m.Type == "subscribe" && !c.legacy || m.Type == "start" && c.legacy:
		return c.start(m.ID, m.Payload)
	case m.Type == "complete" && !c.legacy || m.Type == "stop" && c.legacy:
		c.mu.Lock()
		op := c.ops[m.ID]
		delete(c.ops, m.ID) // the client stopped it: no complete goes back
		c.mu.Unlock()
		if op != nil {
			op.cancel()
		}
	default:
		c.protocolError("unknown message type")
		return false
	}
	return true
}

func (c *conn) protocolError(msg string) {
	if c.legacy {
		c.write(message{Type: "connection_error", Payload: errorPayload(msg)})
		c.end(websocket.StatusProtocolError, "Invalid message received")
		return
	}
	c.end(CloseBadRequest, "Invalid message received")
}

func errorPayload(msg string) json.RawMessage {
	b, _ := json.Marshal(map[string]string{"message": msg})
	return b
}

// init authenticates the connection; false when it refused it.
func (c *conn) init(r *http.Request, raw json.RawMessage) bool {
	var payload transport.InitPayload
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &payload); err != nil {
			c.protocolError("connection_init's payload must be a JSON object")
			return false
		}
	}
	ctx, err := c.t.Init(c.ctx, r, payload)
	if err != nil {
		refusal := &Refusal{Code: CloseInternal, Reason: "the server could not check the credentials: retry", Message: "the server could not check the credentials"}
		errors.As(err, &refusal)
		if c.legacy {
			c.write(message{Type: "connection_error", Payload: errorPayload(refusal.Message)})
		}
		c.end(refusal.Code, refusal.Reason)
		return false
	}
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return false
	}
	if c.initTimer != nil {
		c.initTimer.Stop()
	}
	c.initCtx = ctx
	// The operations run in Init's context (derived from the connection's).
	opCtx, cancel := context.WithCancel(ctx)
	connCancel := c.cancel
	c.ctx, c.cancel = opCtx, func() { cancel(); connCancel() }
	c.mu.Unlock()
	c.write(message{Type: "connection_ack"})
	if c.legacy {
		c.write(message{Type: "ka"})
	}
	if c.t.KeepAlive > 0 {
		c.mu.Lock()
		c.keepAlive = time.AfterFunc(c.t.KeepAlive, c.keepAliveTick)
		c.mu.Unlock()
	}
	return true
}

// keepAliveTick sends a ping (a "ka" on the legacy protocol), or closes a
// graphql-transport-ws connection that answered none of the last two.
func (c *conn) keepAliveTick() {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	dead := !c.legacy && c.unanswered >= 2
	c.unanswered++
	c.mu.Unlock()
	if dead {
		c.end(websocket.StatusGoingAway, "no pong")
		return
	}
	if c.legacy {
		c.write(message{Type: "ka"})
	} else {
		c.write(message{Type: "ping"})
	}
	c.mu.Lock()
	if !c.ended {
		c.keepAlive.Reset(c.t.KeepAlive)
	}
	c.mu.Unlock()
}

// maxIDBytes bounds an operation's id: it is kept while the operation runs
// and sent back with each of its messages.
const maxIDBytes = 256

// start runs operation id; false when it ended the connection.
func (c *conn) start(id string, raw json.RawMessage) bool {
	begin := graphql.Now()
	params := &graphql.RawParams{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if id == "" || len(id) > maxIDBytes || dec.Decode(params) != nil {
		if !c.legacy {
			c.end(CloseBadRequest, "Invalid message received")
			return false
		}
		c.writeErrors(truncate(id, maxIDBytes), gqlerror.List{badRequest("the id must be a string of 1 to 256 bytes, and the payload a JSON object with a query")})
		return true
	}
	size := int64(len(raw))
	c.mu.Lock()
	_, running := c.ops[id]
	over := c.held+size > c.t.ReadLimit
	ctx := c.ctx
	c.mu.Unlock()
	if running {
		if c.legacy {
			c.writeErrors(id, gqlerror.List{badRequest("an operation with this id is running")})
			return true
		}
		c.end(CloseDuplicateID, "Subscriber for "+truncate(id, 90)+" already exists")
		return false
	}
	if over {
		e := gqlerror.Errorf("the operations running on this connection carry too much: at most %d bytes of documents and variables together", c.t.ReadLimit)
		e.Extensions = map[string]any{"code": CodeTooManyOperations}
		c.writeErrors(id, gqlerror.List{e})
		return true
	}
	params.ReadTime = graphql.TraceTiming{Start: begin, End: graphql.Now()}
	ctx = graphql.StartOperationTrace(ctx)
	rc, errs := c.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := c.exec.DispatchError(graphql.WithOperationContext(ctx, rc), errs)
		if errcode.GetErrorKind(errs) == errcode.KindProtocol {
			c.writeErrors(id, resp.Errors)
		} else {
			c.writeResponse(id, resp)
			c.write(message{ID: id, Type: "complete"})
		}
		return true
	}
	ctx, cancel := context.WithCancel(graphql.WithOperationContext(ctx, rc))
	op := &operation{cancel: cancel, size: size}
	c.mu.Lock()
	c.ops[id] = op
	c.held += size
	c.mu.Unlock()
	go c.run(ctx, op, id, rc)
	return true
}

// operation is a running operation: its entry in conn.ops, until the
// client stops it, the connection ends, or it ends by itself.
type operation struct {
	cancel   context.CancelFunc
	size     int64 // of its subscribe message's payload
	finished atomic.Bool
}

// run executes one operation and writes what it yields, then its end. A
// subscription whose source takes the operation's push.Sink delivers each
// value itself, and run returns as soon as the operation is dispatched.
func (c *conn) run(ctx context.Context, op *operation, id string, rc *graphql.OperationContext) {
	ending := &ending{}
	ctx = context.WithValue(ctx, endingKey{}, ending)
	sink := push.NewSink()
	ctx = push.WithSink(ctx, sink)
	done := func() { c.endOperation(op, id, ending) }
	var responses graphql.ResponseHandler
	if !c.recovering(ctx, rc, ending, func() { responses, ctx = c.exec.DispatchOperation(ctx, rc) }) {
		done()
		if sink.Taken() {
			sink.Serve(func() error { return push.ErrGone }) // the source stops at its first value
		}
		return
	}
	if sink.Taken() {
		sink.Serve(func() error {
			var resp *graphql.Response
			if !c.recovering(ctx, rc, ending, func() { resp = responses(ctx) }) || resp == nil {
				done()
				return push.ErrGone
			}
			return c.writeResponse(id, resp)
		})
		return
	}
	defer done()
	for {
		var resp *graphql.Response
		if !c.recovering(ctx, rc, ending, func() { resp = responses(ctx) }) || resp == nil {
			return
		}
		_ = c.writeResponse(id, resp)
	}
}

// recovering runs f; a panic in it becomes the operation's error (false).
func (c *conn) recovering(ctx context.Context, rc *graphql.OperationContext, ending *ending, f func()) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			var gqlErr *gqlerror.Error
			if !errors.As(rc.Recover(ctx, r), &gqlErr) {
				gqlErr = gqlerror.Errorf("internal system error")
			}
			ending.add(gqlErr)
			ok = false
		}
	}()
	f()
	return true
}

// endOperation ends operation id, once: its error if it failed, else
// complete, unless the client stopped it or the connection ended.
func (c *conn) endOperation(op *operation, id string, ending *ending) {
	if !op.finished.CompareAndSwap(false, true) {
		return
	}
	c.mu.Lock()
	stopped := c.ops[id] != op // by the client, or with the connection
	if !stopped {
		delete(c.ops, id)
	}
	c.held -= op.size
	c.mu.Unlock()
	op.cancel()
	switch errs := ending.list(); {
	case len(errs) > 0:
		_ = c.writeErrors(id, errs)
	case !stopped:
		_ = c.write(message{ID: id, Type: "complete"})
	}
}

func (c *conn) writeResponse(id string, resp *graphql.Response) error {
	b, err := json.Marshal(resp)
	if err != nil {
		return c.writeErrors(id, gqlerror.List{gqlerror.Errorf("internal system error")})
	}
	typ := "next"
	if c.legacy {
		typ = "data"
	}
	return c.write(message{ID: id, Type: typ, Payload: b})
}

func (c *conn) writeErrors(id string, errs gqlerror.List) error {
	b, _ := json.Marshal(errs)
	return c.write(message{ID: id, Type: "error", Payload: b})
}

// write sends m; a client that does not take it within WriteTimeout is
// disconnected (coder/websocket closes a connection whose write expires):
// push.ErrTimeout. Any other failure is push.ErrGone.
func (c *conn) write(m message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.t.WriteTimeout)
	defer cancel()
	switch err := c.ws.Write(ctx, websocket.MessageText, b); {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		c.end(websocket.StatusPolicyViolation, "too slow")
		return push.ErrTimeout
	default:
		c.end(websocket.StatusNormalClosure, "")
		return push.ErrGone
	}
}

// end closes the connection with code and reason, once, and stops its operations.
func (c *conn) end(code websocket.StatusCode, reason string) {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.ended = true
	clear(c.ops) // operations stopped with the connection send no complete
	cancel := c.cancel
	if c.initTimer != nil {
		c.initTimer.Stop()
	}
	if c.keepAlive != nil {
		c.keepAlive.Stop()
	}
	c.mu.Unlock()
	cancel()
	// The close handshake waits for the client's close frame, up to
	// 5 s: the reading goroutine does not wait with it.
	go c.ws.Close(code, reason)
}

// finish runs when the handler returns: the connection is over.
func (c *conn) finish() {
	c.end(websocket.StatusNormalClosure, "")
	c.mu.Lock()
	initCtx := c.initCtx
	c.mu.Unlock()
	if initCtx != nil && c.t.Closed != nil {
		c.t.Closed(initCtx)
	}
}

func badRequest(msg string) *gqlerror.Error {
	e := gqlerror.Errorf("%s", msg)
	e.Extensions = map[string]any{"code": "BAD_REQUEST"}
	return e
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// ending collects the errors an operation ends with.
type ending struct {
	mu   sync.Mutex
	errs gqlerror.List
}

type endingKey struct{}

func (e *ending) add(err *gqlerror.Error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.errs = append(e.errs, err)
}

func (e *ending) list() gqlerror.List {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.errs
}

// EndWith has the operation of ctx end with err: an error message instead
// of complete. It does nothing outside an operation of this transport.
func EndWith(ctx context.Context, err *gqlerror.Error) {
	if e, ok := ctx.Value(endingKey{}).(*ending); ok {
		e.add(err)
	}
}
