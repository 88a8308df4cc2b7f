package testkit

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/members"
	"github.com/orgql/orgql/internal/requestid"
	"github.com/orgql/orgql/internal/secret"
	"github.com/orgql/orgql/internal/server"
)

// Env is orgql running on one backend: the real HTTP handler and its database.
type Env struct {
	Backend Backend
	DB      *database.DB
	Server  *server.Server
	Config  config.Config
	Mailer  *Mailer
	// Keys seal the stored credentials of this test process.
	Keys    *secret.Keyring
	logs    *logBuffer
	options server.Options

	responsesMu sync.Mutex
	responses   []string
}

var (
	keysOnce sync.Once
	keys     *secret.Keyring
	keyEntry string
)

// TestKeys is the keyring of the test process: one fresh key.
func TestKeys() *secret.Keyring {
	keysOnce.Do(func() {
		var err error
		keyEntry, err = secret.NewKey("test")
		if err == nil {
			keys, err = secret.Parse(keyEntry)
		}
		if err != nil {
			panic(err)
		}
	})
	return keys
}

// TestKeyEntry is TestKeys' key as ORGQL_SECRET_KEYS writes it.
func TestKeyEntry() string {
	TestKeys()
	return keyEntry
}

// Logs returns everything the server logged so far.
func (e *Env) Logs() string { return e.logs.String() }

// logBuffer collects log output from concurrent requests.
type logBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
	t   testing.TB
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if testing.Verbose() {
		b.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Run runs fn as one subtest per backend, each with a fresh server in
// development mode on the package's database for that backend.
func Run(t *testing.T, fn func(t *testing.T, e *Env)) {
	t.Helper()
	RunWith(t, nil, fn)
}

// RunWith is Run with the configuration changed by configure first.
func RunWith(t *testing.T, configure func(*config.Config), fn func(t *testing.T, e *Env)) {
	t.Helper()
	for _, b := range Backends(t) {
		t.Run(string(b), func(t *testing.T) {
			fn(t, New(t, b, configure))
		})
	}
}

// New starts a server on backend b's package database.
func New(t testing.TB, b Backend, configure func(*config.Config)) *Env {
	t.Helper()
	cfg := config.Defaults()
	cfg.Dev = true
	cfg.Introspection = true
	// Budgets are tested where they are the subject (internal/server's rate limit tests).
	cfg.RateLimit = false
	if configure != nil {
		configure(&cfg)
	}
	db := open(t, b)
	mailer := &Mailer{}
	logs := &logBuffer{t: t}
	logger := slog.New(requestid.LogHandler(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	e := &Env{Backend: b, DB: db, Config: cfg, Mailer: mailer, Keys: TestKeys(), logs: logs,
		options: server.Options{Mailer: mailer, Logger: logger, Keys: TestKeys()}}
	e.Reconfigure(t, nil)
	t.Cleanup(func() { e.Server.Close() })
	return e
}

// Reconfigure rebuilds e's server with its options changed by change (nil:
// as they are), for the seams of server.Options (keys, a checker, field
// middleware); the database, mailer and log stay.
func (e *Env) Reconfigure(t testing.TB, change func(*server.Options)) {
	t.Helper()
	if change != nil {
		change(&e.options)
	}
	srv, err := server.New(e.Config, e.DB, e.options)
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	if e.Server != nil {
		e.Server.Close()
	}
	e.Server, e.Keys = srv, e.options.Keys
}

// Serve sends r through the real handler and returns the recorded response.
func (e *Env) Serve(r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.Server.ServeHTTP(rec, r)
	e.responsesMu.Lock()
	e.responses = append(e.responses, rec.Body.String())
	e.responsesMu.Unlock()
	return rec
}

// SignIn signs in as login through the development sign-in and returns a
// client carrying the session. Logins are made unique per call, so tests
// sharing a database never meet each other's users.
func (e *Env) SignIn(t testing.TB, login string) *Client {
	t.Helper()
	login = login + "-" + randomSuffix()
	req := httptest.NewRequest(http.MethodPost, "/auth/dev/login", strings.NewReader(`{"login":"`+login+`"}`))
	rec := e.Serve(req)
	if rec.Code != http.StatusOK {
		t.Fatalf("dev sign-in: %d %s", rec.Code, rec.Body.String())
	}
	var body struct{ Token string }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Token == "" {
		t.Fatalf("dev sign-in: %s", rec.Body.String())
	}
	return &Client{env: e, Token: body.Token, Login: login}
}

// Anonymous returns a client without credentials.
func (e *Env) Anonymous() *Client { return &Client{env: e} }

// Mailer records the invitations the server sends.
type Mailer struct {
	mu   sync.Mutex
	sent []members.InvitationMail
}

// SendInvitation records m.
func (m *Mailer) SendInvitation(_ context.Context, mail members.InvitationMail) error {
	m.mu.Lock()
	m.sent = append(m.sent, mail)
	m.mu.Unlock()
	return nil
}

// Last returns the last invitation sent to address, and whether there was one.
func (m *Mailer) Last(address string) (members.InvitationMail, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.sent) - 1; i >= 0; i-- {
		if strings.EqualFold(m.sent[i].To, address) {
			return m.sent[i], true
		}
	}
	return members.InvitationMail{}, false
}
