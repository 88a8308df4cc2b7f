package server_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// replaceServer rebuilds e's server with opts, for the test seams of server.Options.
func replaceServer(t *testing.T, e *testkit.Env, opts server.Options) {
	t.Helper()
	if opts.Keys == nil {
		opts.Keys = e.Keys
	}
	srv, err := server.New(e.Config, e.DB, opts)
	if err != nil {
		t.Fatal(err)
	}
	e.Server.Close() // else its background work outlives the test, and logs to it
	e.Server = srv
}

// logBuffer is a logger whose output a test can read.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) Logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// post builds a POST /graphql request with a JSON body.
func post(t testing.TB, body any) *http.Request {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// orgCount is how many organizations c belongs to.
func orgCount(t *testing.T, c *testkit.Client) int {
	t.Helper()
	var out struct {
		Viewer struct {
			Organizations struct{ TotalCount int }
		}
	}
	c.Do(t, `{ viewer { organizations { totalCount } } }`, nil).OK(t, &out)
	return out.Viewer.Organizations.TotalCount
}

func itoa(i int) string { return strconv.Itoa(i) }

// repeat joins n copies of s, each with %d replaced by its index.
func repeat(s string, n int, sep string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = strings.ReplaceAll(s, "%d", strconv.Itoa(i))
	}
	return strings.Join(parts, sep)
}
