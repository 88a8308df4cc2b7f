package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/ent/session"
	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/auth"
	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/testkit"
	"github.com/orgql/orgql/internal/token"
)

func TestMain(m *testing.M) { testkit.Main(m) }

const viewerQuery = `{ viewer { user { login } } }`

func TestSessionTokenIsStoredOnlyAsItsHash(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		if err := token.Check(token.Session, alice.Token); err != nil {
			t.Fatalf("session token %q: %v", alice.Token, err)
		}
		ctx := testkit.System(context.Background())
		s, err := e.DB.Client.Session.Query().Where(session.TokenHash(token.Hash(alice.Token))).Only(ctx)
		if err != nil {
			t.Fatalf("no session stored under the token's hash: %v", err)
		}
		if strings.Contains(s.TokenHash, alice.Token[len(token.Session):]) {
			t.Fatal("the stored hash contains the token")
		}
	})
}

func TestSignOutRevokesTheSession(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		bob := e.SignIn(t, "bob")
		alice.Do(t, viewerQuery, nil).OK(t, nil)

		req := httptest.NewRequest(http.MethodPost, "/auth/logout", nil)
		req.Header.Set("Authorization", "Bearer "+alice.Token)
		if rec := e.Serve(req); rec.Code != http.StatusNoContent {
			t.Fatalf("logout: %d %s", rec.Code, rec.Body)
		}
		alice.Do(t, viewerQuery, nil).Err(t, "UNAUTHENTICATED")
		// Logging out twice, or someone else's session, changes nothing more.
		if rec := e.Serve(req); rec.Code != http.StatusUnauthorized {
			t.Fatalf("second logout: %d", rec.Code)
		}
		bob.Do(t, viewerQuery, nil).OK(t, nil)
	})
}

// A credential that is not valid answers exactly like no credential at all
// (one UNAUTHENTICATED error, no data, the same status), so a client's one
// error handler signs the user in again in both cases; and a malformed one
// is refused without a database query.
func TestBadCredentialsAnswerLikeMissingOnes(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		unknown := token.New(token.Session)
		tampered := alice.Token[:len(alice.Token)-1] + flip(alice.Token[len(alice.Token)-1])
		send := func(authorization, accept string, stmts *testkit.Statements) *testkit.Response {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"`+viewerQuery+`"}`))
			req.Header.Set("Content-Type", "application/json")
			if accept != "" {
				req.Header.Set("Accept", accept)
			}
			if authorization != "" {
				req.Header.Set("Authorization", authorization)
			}
			return e.Anonymous().WithStatements(stmts).Send(t, req)
		}
		for _, accept := range []string{"", "application/json", "application/graphql-response+json"} {
			missing := send("", accept, &testkit.Statements{})
			missing.Err(t, "UNAUTHENTICATED")
			// GraphQL over HTTP: 401 for its own media type, 200 for plain JSON.
			if want := map[bool]int{true: http.StatusUnauthorized, false: http.StatusOK}[accept == "application/graphql-response+json"]; missing.Status != want {
				t.Fatalf("accept %q: no credential answered HTTP %d, want %d", accept, missing.Status, want)
			}
			if len(missing.Data) != 0 && string(missing.Data) != "null" {
				t.Fatalf("accept %q: no credential answered with data %s", accept, missing.Data)
			}
			for name, authorization := range map[string]string{
				"unknown token":         "Bearer " + unknown,
				"bad checksum":          "Bearer " + tampered,
				"invitation token":      "Bearer " + token.New(token.Invitation),
				"unknown scheme":        "Basic " + alice.Token,
				"no token after scheme": "Bearer",
			} {
				stmts := &testkit.Statements{}
				resp := send(authorization, accept, stmts)
				if resp.Status != missing.Status || string(resp.Body) != string(missing.Body) {
					t.Fatalf("accept %q, %s: HTTP %d %s; without a credential: HTTP %d %s", accept, name, resp.Status, resp.Body, missing.Status, missing.Body)
				}
				if name != "unknown token" && stmts.Count() != 0 {
					t.Fatalf("%s: refused after %d statements, want none: %v", name, stmts.Count(), stmts.List())
				}
			}
		}
	})
}

func flip(b byte) string {
	if b == 'A' {
		return "B"
	}
	return "A"
}

func TestExpiredSessionIsRefused(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		ctx := testkit.System(context.Background())
		err := e.DB.Client.Session.Update().
			Where(session.TokenHash(token.Hash(alice.Token))).
			SetExpiresAt(time.Now().Add(-time.Minute)).
			Exec(ctx)
		if err != nil {
			t.Fatal(err)
		}
		alice.Do(t, viewerQuery, nil).Err(t, "UNAUTHENTICATED")
	})
}

func TestSessionTTLIsConfigurable(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { c.SessionTTL = time.Hour }, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		s, err := e.DB.Client.Session.Query().Where(session.TokenHash(token.Hash(alice.Token))).Only(testkit.System(context.Background()))
		if err != nil {
			t.Fatal(err)
		}
		if s.ExpiresAt == nil || s.ExpiresAt.After(time.Now().Add(time.Hour)) || s.ExpiresAt.Before(time.Now().Add(50*time.Minute)) {
			t.Fatalf("expires at %v, want in about an hour", s.ExpiresAt)
		}
	})
}

func TestSessionCookieAuthenticates(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"`+viewerQuery+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: alice.Token})
		var out struct {
			Viewer struct{ User struct{ Login string } }
		}
		e.Anonymous().Send(t, req).OK(t, &out)
		if out.Viewer.User.Login != alice.Login {
			t.Fatalf("cookie signed in as %q", out.Viewer.User.Login)
		}
	})
}

func TestAnonymousCallersReachOnlyPublicFields(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		anon := e.Anonymous()
		anon.Do(t, viewerQuery, nil).Err(t, "UNAUTHENTICATED")
		anon.Do(t, `mutation { createOrganization(input: {name: "x"}) { id } }`, nil).Err(t, "UNAUTHENTICATED")
		var out struct{ Plans []struct{ Code string } }
		anon.Do(t, `{ plans { code } }`, nil).OK(t, &out)
		if len(out.Plans) != 3 {
			t.Fatalf("plans: %+v", out.Plans)
		}
	})
}

// Users are matched by (provider, provider user id), never by e-mail: a
// renamed account is the same user, another account with the same e-mail is not.
func TestUsersAreKeyedByProviderAndProviderUserID(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		ctx := context.Background()
		id := strings.ReplaceAll(testkit.Unique("gh"), " ", "-")
		email := id + "@example.com"
		_, first, err := e.Server.Auth.SignIn(ctx, auth.Profile{Provider: user.ProviderGITHUB, ProviderUserID: id, Login: "octo", Email: email})
		if err != nil {
			t.Fatal(err)
		}
		_, renamed, err := e.Server.Auth.SignIn(ctx, auth.Profile{Provider: user.ProviderGITHUB, ProviderUserID: id, Login: "octo-renamed", Email: email})
		if err != nil {
			t.Fatal(err)
		}
		_, other, err := e.Server.Auth.SignIn(ctx, auth.Profile{Provider: user.ProviderGITLAB, ProviderUserID: id, Login: "octo", Email: email})
		if err != nil {
			t.Fatal(err)
		}
		if renamed.ID != first.ID || renamed.Login != "octo-renamed" {
			t.Fatalf("renamed account is another user: %s vs %s", renamed.ID, first.ID)
		}
		if other.ID == first.ID {
			t.Fatal("another provider's account with the same e-mail became the same user")
		}
	})
}

func TestDevSignInRefusesBadLogins(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		for _, body := range []string{`{}`, `{"login":""}`, `{"login":"a b"}`, `{"login":"` + strings.Repeat("a", 40) + `"}`, `not json`} {
			rec := e.Serve(httptest.NewRequest(http.MethodPost, "/auth/dev/login", strings.NewReader(body)))
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("%s: %d", body, rec.Code)
			}
		}
		if rec := e.Serve(httptest.NewRequest(http.MethodGet, "/auth/dev/login", nil)); rec.Code != http.StatusMethodNotAllowed {
			t.Fatalf("GET: %d", rec.Code)
		}
	})
}
