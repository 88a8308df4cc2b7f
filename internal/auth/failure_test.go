package auth_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orgql/orgql/ent/session"
	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/testkit"
	"github.com/orgql/orgql/internal/token"
)

type lockedLog struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// When the database fails while a valid session is being checked, the
// answer is not "bad credentials" (which makes clients sign their users
// out) but a retryable 503 carrying the request id, and the log line of the
// failure carries the same id.
func TestDatabaseFailureIsNotBadCredentials(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		db, err := database.Open(context.Background(), testkit.DatabaseURL(t, e.Backend))
		if err != nil {
			t.Fatal(err)
		}
		var logs lockedLog
		srv, err := server.New(e.Config, db, server.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Keys: e.Keys})
		if err != nil {
			t.Fatal(err)
		}
		db.Close() // the database is gone from under the server

		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ viewer { id } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+alice.Token)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("HTTP %d %s, want 503", rec.Code, rec.Body)
		}
		var body struct {
			Errors []struct {
				Extensions map[string]any
			}
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 {
			t.Fatalf("body %s: %v", rec.Body, err)
		}
		id := rec.Header().Get("X-Request-ID")
		if body.Errors[0].Extensions["code"] != "INTERNAL_SERVER_ERROR" || body.Errors[0].Extensions["requestId"] != id || id == "" {
			t.Fatalf("error %v, X-Request-ID %q", body.Errors[0].Extensions, id)
		}
		if strings.Contains(rec.Body.String(), "database is closed") || strings.Contains(rec.Body.String(), "sql:") {
			t.Fatalf("internal text reached the client: %s", rec.Body)
		}
		found := false
		for _, line := range strings.Split(logs.String(), "\n") {
			found = found || (strings.Contains(line, "request_id="+id) && strings.Contains(line, "database is closed"))
		}
		if !found {
			t.Fatalf("no log line with the request id and the failure:\n%s", logs.String())
		}
	})
}

// Concurrent first sign-ins of one new user all succeed and make one user:
// the user is written by an upsert on (provider, provider user id).
func TestConcurrentFirstSignInsMakeOneUser(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		login := "race-" + strings.ReplaceAll(testkit.Unique("u"), " ", "-")
		var wg sync.WaitGroup
		codes := make([]int, 10)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec := e.Serve(httptest.NewRequest(http.MethodPost, "/auth/dev/login", strings.NewReader(`{"login":"`+login+`"}`)))
				codes[i] = rec.Code
			}()
		}
		wg.Wait()
		for i, c := range codes {
			if c != http.StatusOK {
				t.Errorf("sign-in %d: HTTP %d", i, c)
			}
		}
		n, err := e.DB.Client.User.Query().Where(user.Login(login)).Count(testkit.System(context.Background()))
		if err != nil || n != 1 {
			t.Fatalf("%d users for one login (%v), want 1", n, err)
		}
	})
}

// The "at most once a minute" activity write happens once per interval per
// session however many requests race for it: of 20 concurrent requests with
// one stale session, one writes the members' last activity.
func TestActivityIsWrittenOnceWhenRequestsRace(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		for range 3 {
			alice.CreateOrg(t)
		}
		ctx := testkit.System(context.Background())
		stale := time.Now().Add(-time.Hour)
		e.DB.Client.Session.Update().Where(session.TokenHash(token.Hash(alice.Token))).SetLastUsedAt(stale).ExecX(ctx)

		var stmts testkit.Statements
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				alice.WithStatements(&stmts).Do(t, `{ viewer { id } }`, nil).OK(t, nil)
			}()
		}
		wg.Wait()
		writes := 0
		for _, s := range stmts.List() {
			if strings.Contains(s, "UPDATE") && strings.Contains(strings.ReplaceAll(s, "`", `"`), `"memberships"`) {
				writes++
			}
		}
		if writes != 1 {
			t.Fatalf("%d members' activity writes for one stale session, want 1", writes)
		}
	})
}
