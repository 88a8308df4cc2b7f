package server_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/testkit"
)

// A graphql-transport-ws connection that breaks the protocol is closed with
// the protocol's code for it, as the graphql-ws client reads them: 4408
// when connection_init does not come in time, 4401 for a subscribe before
// connection_ack, 4400 for a message that is not JSON or of an unknown type.
// None runs anything.
func TestWebSocketProtocolCloseCodes(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { c.WSInitTimeout = 200 * time.Millisecond }, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		ts := httptest.NewServer(e.Server)
		defer ts.Close()
		init := `{"type":"connection_init","payload":{"Authorization":"` + alice.Authorization() + `"}}`
		subscribe := `{"id":"1","type":"subscribe","payload":{"query":"subscription { currentOrganizationChanged { id } }"}}`
		for name, tc := range map[string]struct {
			send []string
			want websocket.StatusCode
		}{
			"no connection_init":           {nil, 4408},
			"subscribe before init":        {[]string{subscribe}, 4401},
			"not JSON before init":         {[]string{`{"type":`}, 4400},
			"not JSON after the ack":       {[]string{init, `not json`}, 4400},
			"unknown type after the ack":   {[]string{init, `{"type":"hello"}`}, 4400},
			"unknown type before the ack":  {[]string{`{"type":"hello"}`}, 4400},
			"a second connection_init":     {[]string{init, init}, 4429},
			"connection_init after a ping": {[]string{init, `{"type":"ping"}`, `{"payload":{},"type":"connection_init"}`}, 4429},
		} {
			c, err := dialWS(t, ts.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			for _, m := range tc.send {
				if err := c.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
					t.Fatal(err)
				}
			}
			var got error
			for got == nil {
				var m []byte
				if _, m, got = c.Read(ctx); got == nil && strings.Contains(string(m), `"next"`) {
					t.Errorf("%s: ran the subscription: %s", name, m)
				}
			}
			cancel()
			c.CloseNow()
			if s := websocket.CloseStatus(got); s != tc.want {
				t.Errorf("%s: closed with %v (%v), want %v", name, s, got, tc.want)
			}
		}
	})
}
