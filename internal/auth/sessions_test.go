package auth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/ent/session"
	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
	"github.com/orgql/orgql/internal/token"
)

// signInAs opens another session for login (the dev sign-in) from a
// browser with userAgent, and returns its token.
func signInAs(t *testing.T, e *testkit.Env, login, userAgent string) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/auth/dev/login", strings.NewReader(`{"login":"`+login+`"}`))
	req.Header.Set("User-Agent", userAgent)
	req.RemoteAddr = "203.0.113.7:4242"
	rec := e.Serve(req)
	var body struct{ Token string }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Token == "" {
		t.Fatalf("dev sign-in: %d %s", rec.Code, rec.Body)
	}
	return body.Token
}

type sessionOut struct {
	ID         string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	ExpiresAt  *time.Time
	UserAgent  string
	Origin     string
	Current    bool
}

const sessionsQuery = `{ viewer { sessions { id createdAt lastUsedAt expiresAt userAgent origin current } } }`

func sessionsOf(t *testing.T, c *testkit.Client) []sessionOut {
	t.Helper()
	var out struct {
		Viewer struct{ Sessions []sessionOut }
	}
	c.Do(t, sessionsQuery, nil).OK(t, &out)
	return out.Viewer.Sessions
}

// viewer.sessions lists the user's live sessions with their browser and
// origin and which one is calling; another user sees none of them and
// cannot revoke them; revokeSession and revokeOtherSessions end sessions,
// whose token is refused from then on.
func TestUsersSeeAndRevokeTheirOwnSessions(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		laptop := &testkit.Client{}
		*laptop = *alice
		laptop.Token = signInAs(t, e, alice.Login, "Firefox/140 laptop")
		phone := &testkit.Client{}
		*phone = *alice
		phone.Token = signInAs(t, e, alice.Login, "Safari phone")
		bob := e.SignIn(t, "bob")

		got := sessionsOf(t, laptop)
		if len(got) != 3 {
			t.Fatalf("alice has %d sessions, want 3: %+v", len(got), got)
		}
		current, agents := 0, map[string]string{}
		for _, s := range got {
			if s.Current {
				current++
				if s.UserAgent != "Firefox/140 laptop" {
					t.Fatalf("the current session is %+v", s)
				}
			}
			agents[s.UserAgent] = s.ID
			if s.CreatedAt.IsZero() || s.ExpiresAt == nil {
				t.Fatalf("session %+v", s)
			}
		}
		if current != 1 || agents["Safari phone"] == "" {
			t.Fatalf("sessions %+v", got)
		}
		for _, s := range got {
			if s.UserAgent == "Safari phone" && s.Origin != "203.0.113.7" {
				t.Fatalf("origin %q", s.Origin)
			}
		}
		phoneID := agents["Safari phone"]

		// Bob sees only his own, and cannot end alice's.
		for _, s := range sessionsOf(t, bob) {
			if _, ok := agents[s.UserAgent]; ok && s.UserAgent != "" {
				t.Fatalf("bob sees %+v", s)
			}
			for _, id := range agents {
				if s.ID == id {
					t.Fatalf("bob sees alice's session %s", id)
				}
			}
		}
		bob.Do(t, `mutation($id: ID!) { revokeSession(id: $id) }`, map[string]any{"id": phoneID}).Err(t, "NOT_FOUND")
		phone.Do(t, viewerQuery, nil).OK(t, nil)
		if n := len(sessionsOf(t, bob)); n != 1 {
			t.Fatalf("bob has %d sessions", n)
		}

		// Alice ends her phone's session from the laptop.
		var rev struct{ RevokeSession string }
		laptop.Do(t, `mutation($id: ID!) { revokeSession(id: $id) }`, map[string]any{"id": phoneID}).OK(t, &rev)
		if rev.RevokeSession != phoneID {
			t.Fatalf("revoked %q", rev.RevokeSession)
		}
		phone.Do(t, viewerQuery, nil).Err(t, "UNAUTHENTICATED")
		laptop.Do(t, `mutation($id: ID!) { revokeSession(id: $id) }`, map[string]any{"id": phoneID}).Err(t, "NOT_FOUND")
		if n := len(sessionsOf(t, laptop)); n != 2 {
			t.Fatalf("after revoking one: %d sessions", n)
		}

		// Then every other one.
		var others struct{ RevokeOtherSessions int }
		laptop.Do(t, `mutation { revokeOtherSessions }`, nil).OK(t, &others)
		if others.RevokeOtherSessions != 1 {
			t.Fatalf("revokeOtherSessions ended %d", others.RevokeOtherSessions)
		}
		alice.Do(t, viewerQuery, nil).Err(t, "UNAUTHENTICATED")
		laptop.Do(t, viewerQuery, nil).OK(t, nil)
		bob.Do(t, viewerQuery, nil).OK(t, nil)
		if s := sessionsOf(t, laptop); len(s) != 1 || !s[0].Current {
			t.Fatalf("after revoking the others: %+v", s)
		}

		// Its own session too: the caller is signed out.
		var self struct{ RevokeSession string }
		bobSessions := sessionsOf(t, bob)
		bob.Do(t, `mutation($id: ID!) { revokeSession(id: $id) }`, map[string]any{"id": bobSessions[0].ID}).OK(t, &self)
		bob.Do(t, viewerQuery, nil).Err(t, "UNAUTHENTICATED")

		// An API token has no sessions and ends none.
		org := laptop.CreateOrg(t)
		tok, _ := laptop.CreateAPIToken(t, org, e.RoleID(t, org, rbac.Viewer))
		if s := sessionsOf(t, tok); len(s) != 0 {
			t.Fatalf("an API token lists sessions: %+v", s)
		}
		tok.Do(t, `mutation { revokeOtherSessions }`, nil).Err(t, "FORBIDDEN")
		laptop.Do(t, viewerQuery, nil).OK(t, nil)
	})
}

// A session unused for longer than the idle timeout is refused, as is one
// past its lifetime; one used within it goes on.
func TestSessionIdleTimeoutIsConfigurable(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { c.SessionIdleTimeout = time.Hour }, func(t *testing.T, e *testkit.Env) {
		ctx := testkit.System(context.Background())
		active, idle := e.SignIn(t, "active"), e.SignIn(t, "idle")
		set := func(c *testkit.Client, last time.Time) {
			e.DB.Client.Session.Update().Where(session.TokenHash(token.Hash(c.Token))).SetLastUsedAt(last).ExecX(ctx)
		}
		set(active, time.Now().Add(-50*time.Minute))
		set(idle, time.Now().Add(-61*time.Minute))
		active.Do(t, viewerQuery, nil).OK(t, nil)
		idle.Do(t, viewerQuery, nil).Err(t, "UNAUTHENTICATED")
		// Using it moved its last use: it is good for another hour.
		active.Do(t, viewerQuery, nil).OK(t, nil)
		s := e.DB.Client.Session.Query().Where(session.TokenHash(token.Hash(active.Token))).OnlyX(ctx)
		if s.LastUsedAt == nil || time.Since(*s.LastUsedAt) > time.Minute {
			t.Fatalf("last use not recorded: %v", s.LastUsedAt)
		}
	})
}

// Authentication is one SQL statement: the session joined with its user
// (and an API token joined with its roles); a fresh session writes nothing.
func TestAuthenticationIsOneStatement(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		alice.Do(t, `{ __typename }`, nil).OK(t, nil) // records the first use
		org := alice.CreateOrg(t)
		tok, _ := alice.CreateAPIToken(t, org, e.RoleID(t, org, rbac.Viewer))
		tok.Do(t, `{ __typename }`, nil).OK(t, nil)
		for name, c := range map[string]*testkit.Client{"session": alice, "API token": tok} {
			var stmts testkit.Statements
			c.WithStatements(&stmts).Do(t, `{ __typename }`, nil).OK(t, nil)
			if n := stmts.Count(); n != 1 {
				t.Errorf("%s: %d statements, want 1: %q", name, n, stmts.List())
			}
		}
	})
}
