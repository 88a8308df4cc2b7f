package server_test

import (
	"context"
	"fmt"
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

func dialWS(t *testing.T, url string, h http.Header) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, strings.Replace(url, "http", "ws", 1)+"/graphql",
		&websocket.DialOptions{HTTPHeader: h, Subprotocols: []string{"graphql-transport-ws"}})
	return c, err
}

func wsRead(t *testing.T, c *websocket.Conn) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, m, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return string(m)
}

// Every operation sent over a WebSocket is charged to the caller the connection authenticated, not once per connection (docs/security.md S4).
func TestEveryWebSocketOperationIsCharged(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { rateLimited(c, 10) }, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		ts := httptest.NewServer(e.Server)
		defer ts.Close()
		c, err := dialWS(t, ts.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		ctx := context.Background()
		_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init","payload":{"Authorization":"Bearer `+alice.Token+`"}}`))
		if m := wsRead(t, c); !strings.Contains(m, "connection_ack") {
			t.Fatal(m)
		}
		answered := 0
		for i := range 100 {
			_ = c.Write(ctx, websocket.MessageText, []byte(fmt.Sprintf(`{"id":"%d","type":"subscribe","payload":{"query":"{ viewer { user { id } } }"}}`, i)))
			for {
				m := wsRead(t, c)
				if strings.Contains(m, `"complete"`) {
					break
				}
				if strings.Contains(m, `"next"`) && !strings.Contains(m, server.CodeRateLimited) {
					answered++
				}
			}
		}
		if answered > 10 {
			t.Fatalf("a budget of 10 points: %d operations answered over one WebSocket", answered)
		}
	})
}

// The session cookie authenticates a WebSocket only from the server's own
// page or an origin the CORS list names exactly: a page at an origin a
// pattern matches may open one, but not as the cookie's user, as a
// cookie-carrying POST from it is refused (docs/security.md S5, S6).
func TestWebSocketCookieOnlyFromExactOrigins(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) {
		c.CORSOrigins = []string{"https://*.example.com", "https://console.example.org"}
	}, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		ts := httptest.NewServer(e.Server)
		defer ts.Close()
		cookie := e.Server.Auth.CookieName() + "=" + alice.Token
		for origin, accepted := range map[string]bool{
			"https://attacker.example.com": false, // matched by a pattern only
			"https://console.example.org":  true,
			ts.URL:                         true, // the server's own page
		} {
			c, err := dialWS(t, ts.URL, http.Header{"Origin": {origin}, "Cookie": {cookie}})
			if err != nil {
				if accepted {
					t.Fatalf("%s: %v", origin, err)
				}
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init","payload":{}}`))
			_, m, err := c.Read(ctx)
			cancel()
			c.CloseNow()
			switch {
			case accepted && (err != nil || !strings.Contains(string(m), "connection_ack")):
				t.Fatalf("%s: want connection_ack, got %s %v", origin, m, err)
			case !accepted && websocket.CloseStatus(err) != 4403: // forbidden: a credential this origin may not use
				t.Fatalf("%s: the cookie authenticated the WebSocket: %s %v", origin, m, err)
			}
		}
	})
}

// An anonymous budget covers an IPv6 /64, not each /128 of it (docs/security.md S4).
func TestAnonymousBudgetCoversAnIPv6Slash64(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { rateLimited(c, 3) }, func(t *testing.T, e *testkit.Env) {
		refused := 0
		for i := range 20 {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ plans { code } }"}`))
			req.Header.Set("Content-Type", "application/json")
			req.RemoteAddr = fmt.Sprintf("[2001:db8:1:2::%x]:4444", i+1)
			if rec := e.Serve(req); strings.Contains(rec.Body.String(), server.CodeRateLimited) {
				refused++
			}
		}
		if refused == 0 {
			t.Fatal("20 anonymous requests from one /64 with a budget of 3: none refused")
		}
	})
}
