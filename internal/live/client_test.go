package live_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/orgql/orgql/internal/testkit"
)

// guard bounds every wait of these tests, so that a bug fails a test
// instead of hanging it; no assertion depends on it being short.
const guard = 20 * time.Second

// serve runs e's real handler on a loopback HTTP server.
func serve(t *testing.T, e *testkit.Env) string {
	t.Helper()
	srv := httptest.NewServer(e.Server)
	t.Cleanup(srv.Close)
	return srv.URL
}

// message is one message of either WebSocket protocol.
type message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsClient speaks graphql-transport-ws (the graphql-ws library's protocol),
// or the legacy subscriptions-transport-ws protocol ("graphql-ws").
type wsClient struct {
	t        testing.TB
	conn     *websocket.Conn
	protocol string
}

func dial(t testing.TB, base, protocol string, header http.Header) (*wsClient, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql", &websocket.DialOptions{
		Subprotocols: []string{protocol}, HTTPHeader: header,
	})
	if err != nil {
		return nil, resp, err
	}
	conn.SetReadLimit(1 << 22)
	t.Cleanup(func() { conn.CloseNow() })
	return &wsClient{t: t, conn: conn, protocol: protocol}, resp, nil
}

// connect dials and sends connection_init with authorization; it returns
// the first answer (connection_ack, or the close).
func connect(t testing.TB, base, protocol, authorization string) (*wsClient, message, error) {
	t.Helper()
	c, _, err := dial(t, base, protocol, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	payload := map[string]any{}
	if authorization != "" {
		payload["Authorization"] = authorization
	}
	c.send(message{Type: "connection_init", Payload: mustJSON(payload)})
	m, err := c.read()
	return c, m, err
}

// mustConnect connects and fails t unless the server acknowledges.
func mustConnect(t testing.TB, base, protocol, authorization string) *wsClient {
	t.Helper()
	c, m, err := connect(t, base, protocol, authorization)
	if err != nil || m.Type != "connection_ack" {
		t.Fatalf("connection_init: %+v %v", m, err)
	}
	return c
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func (c *wsClient) send(m message) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, mustJSON(m)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// read returns the next message that is not a keep-alive; the error is
// the close, if the server closed.
func (c *wsClient) read() (message, error) {
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	for {
		_, b, err := c.conn.Read(ctx)
		if err != nil {
			return message{}, err
		}
		var m message
		if err := json.Unmarshal(b, &m); err != nil {
			return message{}, fmt.Errorf("decode %q: %w", b, err)
		}
		switch m.Type {
		case "ka", "pong":
			continue
		case "ping":
			c.send(message{Type: "pong"})
			continue
		}
		return m, nil
	}
}

// subscribe starts operation id.
func (c *wsClient) subscribe(id, query string, vars map[string]any) {
	typ := "subscribe"
	if c.protocol == "graphql-ws" {
		typ = "start"
	}
	c.send(message{ID: id, Type: typ, Payload: mustJSON(map[string]any{"query": query, "variables": vars})})
}

// result is what a subscription sent: data, errors, or its end.
type result struct {
	Data     json.RawMessage
	Errors   []testkit.Error
	Complete bool
}

// next reads the next result of a subscription (data, error or complete).
func (c *wsClient) next() (result, error) {
	m, err := c.read()
	if err != nil {
		return result{}, err
	}
	switch m.Type {
	case "next", "data":
		var p struct {
			Data   json.RawMessage
			Errors []testkit.Error
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			return result{}, err
		}
		return result{Data: p.Data, Errors: p.Errors}, nil
	case "error":
		var errs []testkit.Error
		if err := json.Unmarshal(m.Payload, &errs); err != nil {
			// The legacy protocol sends one error object.
			var one testkit.Error
			if err := json.Unmarshal(m.Payload, &one); err != nil {
				return result{}, err
			}
			errs = []testkit.Error{one}
		}
		return result{Errors: errs}, nil
	case "complete":
		return result{Complete: true}, nil
	}
	return result{}, fmt.Errorf("unexpected message %+v", m)
}

// closeStatus is the close code of err, -1 when err is no close.
func closeStatus(err error) websocket.StatusCode {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return -1
}

// sseStream is one Server-Sent Events response being read.
type sseStream struct {
	resp *http.Response
	r    *bufio.Reader
}

// sseEvent is one event: its name and data.
type sseEvent struct {
	Event string
	Data  string
}

func (s *sseStream) next() (sseEvent, error) {
	var ev sseEvent
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return ev, err
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			if ev.Event != "" || ev.Data != "" {
				return ev, nil
			}
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "event:"):
			ev.Event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			ev.Data += strings.TrimSpace(strings.TrimPrefix(line, "data:"))
		}
	}
}
