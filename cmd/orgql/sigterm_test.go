package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// On SIGTERM the process exits only after its WebSockets are closed with
// 1001: a client never sees the connection simply drop (hijacked
// connections are not what http.Server.Shutdown waits for).
func TestSIGTERMClosesWebSocketsBeforeExit(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "ORGQL_TEST_MAIN_ARGS=serve --dev --addr 127.0.0.1:0 --drain-delay 10ms --max-connections-per-caller 1000 --log-format json --database-url "+filepath.Join(t.TempDir(), "orgql.db"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() //nolint:errcheck
	logs := &syncBuffer{}
	lines := bufio.NewScanner(stderr)
	base := ""
	for base == "" && lines.Scan() {
		_, _ = logs.Write(append(lines.Bytes(), '\n'))
		if m := listeningAddr.FindStringSubmatch(lines.Text()); m != nil {
			base = "http://" + m[1]
		}
	}
	if base == "" {
		t.Fatalf("orgql did not start:\n%s", logs)
	}
	go func() { _, _ = io.Copy(logs, stderr) }()

	_, token := devLogin(t, base, "alice")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const n = 50
	conns := make([]*websocket.Conn, n)
	for i := range conns {
		c, _, err := websocket.Dial(ctx, strings.Replace(base, "http", "ws", 1)+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		write := func(m string) {
			if err := c.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
				t.Fatal(err)
			}
		}
		write(`{"type":"connection_init","payload":{"Authorization":"Bearer ` + token + `"}}`)
		write(`{"id":"1","type":"subscribe","payload":{"query":"subscription { currentOrganizationChanged { id } }"}}`)
		for _, want := range []string{"connection_ack", `"next"`} {
			if _, m, err := c.Read(ctx); err != nil || !strings.Contains(string(m), want) {
				t.Fatalf("want %s: %s %v", want, m, err)
			}
		}
		conns[i] = c
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for i, c := range conns {
		_, _, err := c.Read(ctx)
		if got := websocket.CloseStatus(err); got != websocket.StatusGoingAway {
			t.Errorf("connection %d: %v (%v), want 1001", i, got, err)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("orgql exited with %v:\n%s", err, logs)
	}
}
