package server_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/testkit"
)

const currentOrgSub = `{"query":"subscription { currentOrganizationChanged { id } }"}`

// wsSession is a graphql-transport-ws connection past its connection_ack.
func wsSession(t *testing.T, url, authorization string) *websocket.Conn {
	t.Helper()
	c, err := dialWS(t, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	wsWrite(t, c, `{"type":"connection_init","payload":{"Authorization":"`+authorization+`"}}`)
	if m := wsRead(t, c); !strings.Contains(m, `"connection_ack"`) {
		t.Fatalf("want connection_ack, got %s", m)
	}
	return c
}

func wsWrite(t *testing.T, c *websocket.Conn, m string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
		t.Fatal(err)
	}
}

// wsClosed reads until the server closes c and returns the close code.
func wsClosed(t *testing.T, c *websocket.Conn) websocket.StatusCode {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		if _, _, err := c.Read(ctx); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatal("the server did not close the connection")
			}
			return websocket.CloseStatus(err)
		}
	}
}

// expectClose sends messages on c and expects the server to close it with want.
func expectClose(t *testing.T, name string, c *websocket.Conn, messages []string, want websocket.StatusCode) {
	t.Helper()
	for _, m := range messages {
		wsWrite(t, c, m)
	}
	if got := wsClosed(t, c); got != want {
		t.Errorf("%s: closed with %v, want %v", name, got, want)
	}
}

// A ping is answered in order: what comes back before its pong is all the
// server sent until then.
func untilPong(t *testing.T, c *websocket.Conn) []string {
	t.Helper()
	wsWrite(t, c, `{"type":"ping","payload":{"n":1}}`)
	var got []string
	for {
		m := wsRead(t, c)
		if strings.Contains(m, `"pong"`) {
			if !strings.Contains(m, `"n":1`) {
				t.Fatalf("the pong does not carry the ping's payload: %s", m)
			}
			return got
		}
		got = append(got, m)
	}
}

// graphql-transport-ws: an operation's end is told once and only when the
// server ends it. An operation the client completes gets no complete back;
// one refused before it runs (invalid) ends with its error and nothing
// after; a query or mutation ends with complete.
func TestWebSocketOperationsEndOnce(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		ts := httptest.NewServer(e.Server)
		defer ts.Close()
		c := wsSession(t, ts.URL, alice.Authorization())

		wsWrite(t, c, `{"id":"s","type":"subscribe","payload":`+currentOrgSub+`}`)
		if m := wsRead(t, c); !strings.Contains(m, `"next"`) {
			t.Fatalf("want the current organization, got %s", m)
		}
		wsWrite(t, c, `{"id":"s","type":"complete"}`)
		if got := untilPong(t, c); len(got) > 0 {
			t.Errorf("after the client's complete, the server sent %q", got)
		}

		wsWrite(t, c, `{"id":"bad","type":"subscribe","payload":{"query":"subscription { noSuchField }"}}`)
		if got := untilPong(t, c); len(got) != 1 || !strings.Contains(got[0], `"type":"error"`) || !strings.Contains(got[0], `"id":"bad"`) {
			t.Errorf("an invalid operation: want one error message, got %q", got)
		}

		// Operations run side by side: the query's answer may come after the pong.
		wsWrite(t, c, `{"id":"q","type":"subscribe","payload":{"query":"{ viewer { user { login } } }"}}`)
		got := untilPong(t, c)
		for len(got) < 2 {
			got = append(got, wsRead(t, c))
		}
		if len(got) != 2 || !strings.Contains(got[0], `"next"`) || !strings.Contains(got[0], `"login":"alice`) || !strings.Contains(got[1], `"complete"`) {
			t.Errorf("a query: want next then complete, got %q", got)
		}
		if got := untilPong(t, c); len(got) > 0 {
			t.Errorf("after the query's complete, the server sent %q", got)
		}

		// The id is free again once its operation ended.
		wsWrite(t, c, `{"id":"s","type":"subscribe","payload":`+currentOrgSub+`}`)
		if m := wsRead(t, c); !strings.Contains(m, `"next"`) || !strings.Contains(m, `"id":"s"`) {
			t.Fatalf("subscribing again with an ended id: %s", m)
		}
	})
}

// graphql-transport-ws closes a connection whose subscribe message is
// malformed (4400) or takes the id of a running operation (4409); the
// operations it ran end with it.
func TestWebSocketMalformedSubscribeCloses(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		ts := httptest.NewServer(e.Server)
		defer ts.Close()
		for name, tc := range map[string]struct {
			send []string
			want websocket.StatusCode
		}{
			"the id of a running subscription":   {[]string{`{"id":"1","type":"subscribe","payload":` + currentOrgSub + `}`, `{"id":"1","type":"subscribe","payload":` + currentOrgSub + `}`}, 4409},
			"no id":                              {[]string{`{"type":"subscribe","payload":` + currentOrgSub + `}`}, 4400},
			"an id over 256 bytes":               {[]string{`{"id":"` + strings.Repeat("i", 257) + `","type":"subscribe","payload":` + currentOrgSub + `}`}, 4400},
			"an id of 256 bytes, twice":          {[]string{`{"id":"` + strings.Repeat("i", 256) + `","type":"subscribe","payload":` + currentOrgSub + `}`, `{"id":"` + strings.Repeat("i", 256) + `","type":"subscribe","payload":` + currentOrgSub + `}`}, 4409},
			"an id that is no string":            {[]string{`{"id":1,"type":"subscribe","payload":` + currentOrgSub + `}`}, 4400},
			"a payload that is no object":        {[]string{`{"id":"1","type":"subscribe","payload":"subscription { currentOrganizationChanged { id } }"}`}, 4400},
			"a payload whose query is no string": {[]string{`{"id":"1","type":"subscribe","payload":{"query":["{ viewer { user { id } } }"]}}`}, 4400},
			"a message that is no object":        {[]string{`["subscribe"]`}, 4400},
		} {
			expectClose(t, name, wsSession(t, ts.URL, alice.Authorization()), tc.send, tc.want)
		}
	})
}

// Keep-alive: graphql-transport-ws pings each --ws-keepalive and closes a
// client that answers none of two; one that answers stays; the legacy
// protocol sends "ka" after connection_ack and then each interval.
func TestWebSocketKeepAlive(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { c.WSKeepAlive = 20 * time.Millisecond }, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		ts := httptest.NewServer(e.Server)
		defer ts.Close()

		silent := wsSession(t, ts.URL, alice.Authorization())
		pings := 0
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for {
			_, m, err := silent.Read(ctx)
			if err != nil {
				if errors.Is(err, context.DeadlineExceeded) {
					t.Fatal("a client that answers no ping was not closed")
				}
				break
			}
			if strings.Contains(string(m), `"ping"`) {
				pings++
			}
		}
		if pings < 2 {
			t.Errorf("closed after %d pings, want 2 unanswered first", pings)
		}

		answering := wsSession(t, ts.URL, alice.Authorization())
		for range 6 {
			m := wsRead(t, answering)
			if !strings.Contains(m, `"ping"`) {
				t.Fatalf("want a ping, got %s", m)
			}
			wsWrite(t, answering, `{"type":"pong"}`)
		}

		ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel2()
		legacy, _, err := websocket.Dial(ctx2, strings.Replace(ts.URL, "http", "ws", 1)+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-ws"}})
		if err != nil {
			t.Fatal(err)
		}
		defer legacy.CloseNow()
		wsWrite(t, legacy, `{"type":"connection_init","payload":{"Authorization":"`+alice.Authorization()+`"}}`)
		want := []string{"connection_ack", "ka", "ka", "ka"}
		for _, w := range want {
			if m := wsRead(t, legacy); !strings.Contains(m, `"type":"`+w+`"`) {
				t.Fatalf("legacy protocol: want %s, got %s", w, m)
			}
		}
	})
}

// A client may send its first messages right behind its upgrade request,
// before it has read the server's answer: they are read as sent.
func TestWebSocketMessagesRightAfterTheUpgrade(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		ts := httptest.NewServer(e.Server)
		defer ts.Close()
		// A big first message too: more than any buffer the server reads with.
		init := `{"type":"connection_init","payload":{"Authorization":"` + alice.Authorization() + `","padding":"` + strings.Repeat("x", 9000) + `"}}`
		query := `{"id":"q","type":"subscribe","payload":{"query":"{ viewer { user { login } } }"}}`
		_, br := rawUpgrade(t, ts, append(clientFrame(init), clientFrame(query)...))
		var got []string
		for len(got) < 3 {
			got = append(got, string(serverFrame(t, br)))
		}
		if !strings.Contains(got[0], "connection_ack") || !strings.Contains(got[1], `"login":"alice`) || !strings.Contains(got[2], `"complete"`) {
			t.Fatalf("want connection_ack, the query's answer and complete, got %q", got)
		}
	})
}

// Messages that arrive together are all read, whatever their sizes: one
// larger than any read buffer, then a small one, in one write, with nothing
// after them to wake the server.
func TestWebSocketMessagesThatArriveTogether(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		ts := httptest.NewServer(e.Server)
		defer ts.Close()
		for _, size := range []int{100, 511, 512, 513, 2047, 4096, 70000} {
			nc, br := rawUpgrade(t, ts, nil)
			if _, err := nc.Write(clientFrame(`{"type":"connection_init","payload":{"Authorization":"` + alice.Authorization() + `"}}`)); err != nil {
				t.Fatal(err)
			}
			if m := string(serverFrame(t, br)); !strings.Contains(m, "connection_ack") {
				t.Fatalf("want connection_ack, got %s", m)
			}
			ping := `{"type":"ping","payload":{"padding":"` + strings.Repeat("p", size) + `"}}`
			query := `{"id":"q","type":"subscribe","payload":{"query":"{ viewer { user { login } } }"}}`
			if _, err := nc.Write(append(clientFrame(ping), clientFrame(query)...)); err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for range 3 {
				m := string(serverFrame(t, br))
				for _, typ := range []string{"pong", "next", "complete"} {
					if strings.Contains(m, `"type":"`+typ+`"`) {
						got[typ] = true
					}
				}
			}
			if len(got) != 3 {
				t.Errorf("a ping of %d bytes and a query in one write: got %v", size, got)
			}
			nc.Close()
		}
	})
}

// rawUpgrade opens a graphql-transport-ws connection over plain TCP,
// sending first along with its upgrade request, in one write.
func rawUpgrade(t *testing.T, ts *httptest.Server, first []byte) (net.Conn, *bufio.Reader) {
	t.Helper()
	nc, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
	key := make([]byte, 16)
	_, _ = rand.Read(key)
	upgrade := "GET /graphql HTTP/1.1\r\nHost: " + ts.Listener.Addr().String() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + base64.StdEncoding.EncodeToString(key) + "\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
	if _, err := nc.Write(append([]byte(upgrade), first...)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	return nc, br
}

// clientFrame is a masked text frame holding msg.
func clientFrame(msg string) []byte {
	p := []byte(msg)
	f := []byte{0x81}
	switch {
	case len(p) < 126:
		f = append(f, 0x80|byte(len(p)))
	case len(p) <= 0xffff:
		f = append(f, 0x80|126)
		f = binary.BigEndian.AppendUint16(f, uint16(len(p)))
	default:
		f = append(f, 0x80|127)
		f = binary.BigEndian.AppendUint64(f, uint64(len(p)))
	}
	mask := []byte{1, 2, 3, 4}
	f = append(f, mask...)
	for i, b := range p {
		f = append(f, b^mask[i%4])
	}
	return f
}

// serverFrame reads one unmasked, unfragmented frame's payload.
func serverFrame(t *testing.T, br *bufio.Reader) []byte {
	t.Helper()
	var h [2]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		t.Fatal(err)
	}
	n := int(h[1] & 0x7f)
	switch n {
	case 126:
		var l [2]byte
		_, _ = io.ReadFull(br, l[:])
		n = int(binary.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		_, _ = io.ReadFull(br, l[:])
		n = int(binary.BigEndian.Uint64(l[:]))
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(br, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// The legacy protocol (subscriptions-transport-ws) breaks off as
// docs/errors.md says: 4408 without connection_init, 4401 for an operation
// before it, connection_error and 1002 for a message that is not JSON or of
// an unknown type; a second connection_init changes nothing, and a start
// that is malformed or takes a running id is answered with an error.
func TestLegacyProtocolRules(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { c.WSInitTimeout = 200 * time.Millisecond }, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		ts := httptest.NewServer(e.Server)
		defer ts.Close()
		dial := func() *websocket.Conn {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			c, _, err := websocket.Dial(ctx, strings.Replace(ts.URL, "http", "ws", 1)+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-ws"}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.CloseNow() })
			return c
		}
		init := `{"type":"connection_init","payload":{"Authorization":"` + alice.Authorization() + `"}}`
		start := `{"id":"1","type":"start","payload":` + currentOrgSub + `}`
		for name, tc := range map[string]struct {
			send []string
			want websocket.StatusCode
		}{
			"no connection_init":         {nil, 4408},
			"start before init":          {[]string{start}, 4401},
			"not JSON":                   {[]string{init, `{"type":`}, websocket.StatusProtocolError},
			"unknown type after the ack": {[]string{init, `{"type":"subscribe"}`}, websocket.StatusProtocolError},
		} {
			expectClose(t, name, dial(), tc.send, tc.want)
		}

		c := dial()
		wsWrite(t, c, init)
		wsWrite(t, c, init)
		wsWrite(t, c, start)
		wsWrite(t, c, start)
		wsWrite(t, c, `{"id":"2","type":"start","payload":"{ viewer { user { id } } }"}`)
		var got []string
		for len(got) < 3 {
			if m := wsRead(t, c); !strings.Contains(m, `"ka"`) && !strings.Contains(m, "connection_ack") {
				got = append(got, m)
			}
		}
		joined := strings.Join(got, "\n")
		if !strings.Contains(joined, `"id":"1","type":"data"`) || !strings.Contains(joined, `"id":"1","type":"error"`) || !strings.Contains(joined, `"id":"2","type":"error"`) {
			t.Errorf("want data for 1, an error for the second 1 and one for 2, got %q", got)
		}
	})
}

// One WebSocket runs at most --max-operations-per-connection queries and
// mutations at once: more are refused with TOO_MANY_OPERATIONS before they
// run, and its subscriptions count apart; once one has answered, the next
// runs.
func TestWebSocketOperationsInFlightAreBounded(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { c.MaxOperationsPerConn = 3 }, func(t *testing.T, e *testkit.Env) {
		entered, release := make(chan struct{}, 10), make(chan struct{})
		replaceServer(t, e, server.Options{AroundFields: blockingPlans(entered, release)})
		alice := e.SignIn(t, "alice")
		ts := httptest.NewServer(e.Server)
		defer ts.Close()
		c := wsSession(t, ts.URL, alice.Authorization())
		wsWrite(t, c, `{"id":"s","type":"subscribe","payload":`+currentOrgSub+`}`)
		if m := wsRead(t, c); !strings.Contains(m, `"next"`) {
			t.Fatalf("the subscription: %s", m)
		}
		for i := range 3 {
			wsWrite(t, c, fmt.Sprintf(`{"id":"q%d","type":"subscribe","payload":{"query":"{ plans { code } }"}}`, i))
			<-entered
		}
		for i := 3; i < 5; i++ {
			wsWrite(t, c, fmt.Sprintf(`{"id":"q%d","type":"subscribe","payload":{"query":"{ plans { code } }"}}`, i))
		}
		refused := 0
		for refused < 2 {
			m := wsRead(t, c)
			if strings.Contains(m, `"next"`) && strings.Contains(m, server.CodeTooManyOperations) {
				refused++
			} else if !strings.Contains(m, `"complete"`) {
				t.Fatalf("while three queries run: %s", m)
			}
		}
		if len(entered) > 0 {
			t.Fatal("a refused query ran")
		}
		close(release)
		answered := 0
		for answered < 3 {
			if m := wsRead(t, c); strings.Contains(m, `"next"`) && strings.Contains(m, `"plans"`) {
				answered++
			}
		}
		wsWrite(t, c, `{"id":"after","type":"subscribe","payload":{"query":"{ plans { code } }"}}`)
		for {
			m := wsRead(t, c)
			if strings.Contains(m, `"id":"after"`) {
				if !strings.Contains(m, `"plans"`) {
					t.Fatalf("a query once the others answered: %s", m)
				}
				break
			}
		}
	})
}

// The operations running on one WebSocket carry at most --max-body-bytes
// of documents and variables together: a subscription keeps its own while
// it runs, so one over that is refused (TOO_MANY_OPERATIONS) before it runs,
// and taken once an earlier one has ended.
func TestWebSocketOperationsCarryBoundedBytes(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { c.MaxBodyBytes = 4096 }, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		ts := httptest.NewServer(e.Server)
		defer ts.Close()
		c := wsSession(t, ts.URL, alice.Authorization())
		big := func(id string) string {
			return `{"id":"` + id + `","type":"subscribe","payload":{"query":"subscription { currentOrganizationChanged { id } } # ` + strings.Repeat("x", 2500) + `"}}`
		}
		wsWrite(t, c, big("a"))
		if m := wsRead(t, c); !strings.Contains(m, `"id":"a","type":"next"`) {
			t.Fatalf("the first: %s", m)
		}
		wsWrite(t, c, big("b"))
		if m := wsRead(t, c); !strings.Contains(m, `"id":"b","type":"error"`) || !strings.Contains(m, server.CodeTooManyOperations) {
			t.Fatalf("the second, over 4096 bytes with the first: %s", m)
		}
		wsWrite(t, c, `{"id":"a","type":"complete"}`)
		for i := 0; ; i++ { // the first ends after the client's complete
			wsWrite(t, c, big(fmt.Sprintf("c%d", i)))
			m := wsRead(t, c)
			if strings.Contains(m, `"type":"next"`) {
				break
			}
			if !strings.Contains(m, server.CodeTooManyOperations) || i == 100 {
				t.Fatalf("once the first ended: %s", m)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}
