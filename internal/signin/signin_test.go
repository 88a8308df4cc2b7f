package signin_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/auth"
	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/signin"
	"github.com/orgql/orgql/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

const publicURL = "https://orgql.example"

var kinds = []string{"github", "gitlab", "bitbucket"}

// browser keeps cookies across requests to the server, as a browser does.
type browser struct {
	e       *testkit.Env
	cookies map[string]*http.Cookie
	// set is every Set-Cookie the server sent, by name, last first.
	set map[string]*http.Cookie
}

func newBrowser(e *testkit.Env) *browser {
	return &browser{e: e, cookies: map[string]*http.Cookie{}, set: map[string]*http.Cookie{}}
}

func (b *browser) do(req *http.Request) *httptest.ResponseRecorder {
	for _, c := range b.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := b.e.Serve(req)
	for _, c := range rec.Result().Cookies() {
		b.set[c.Name] = c
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return rec
}

func (b *browser) get(t *testing.T, target string) *httptest.ResponseRecorder {
	t.Helper()
	return b.do(httptest.NewRequest(http.MethodGet, target, nil))
}

// login starts a sign-in and returns the provider's authorize URL.
func (b *browser) login(t *testing.T, kind, returnTo string) string {
	t.Helper()
	rec := b.get(t, "/auth/"+kind+"/login?return_to="+url.QueryEscape(returnTo))
	if rec.Code != http.StatusFound {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	return rec.Header().Get("Location")
}

// consent visits the provider's authorize URL and returns the callback path
// (with its query) the provider sends the browser back to.
func consent(t *testing.T, authorizeURL string) string {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(authorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d", res.StatusCode)
	}
	back, err := url.Parse(res.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(back.String(), publicURL+"/auth/") {
		t.Fatalf("provider redirected to %q", res.Header.Get("Location"))
	}
	return back.RequestURI()
}

// signIn runs the whole flow and returns the callback's answer.
func (b *browser) signIn(t *testing.T, kind, returnTo string) *httptest.ResponseRecorder {
	t.Helper()
	return b.get(t, consent(t, b.login(t, kind, returnTo)))
}

// viewer asks who the browser is signed in as, with its cookie.
func (b *browser) viewer(t *testing.T) (login, email string, ok bool) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ viewer { user { login email } } }"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := b.do(req)
	body := rec.Body.String()
	if strings.Contains(body, "UNAUTHENTICATED") {
		return "", "", false
	}
	var out struct {
		Data struct {
			Viewer struct{ User struct{ Login, Email string } }
		}
	}
	decode(t, rec, &out)
	return out.Data.Viewer.User.Login, out.Data.Viewer.User.Email, true
}

// withProviders runs fn on each backend with a fake of each kind configured.
func withProviders(t *testing.T, change func(*config.Config), fn func(t *testing.T, e *testkit.Env, fakes map[string]*fakeProvider)) {
	fakes := map[string]*fakeProvider{}
	for _, k := range kinds {
		fakes[k] = newFakeProvider(t, k)
	}
	testkit.RunWith(t, func(c *config.Config) {
		c.PublicURL = publicURL
		for _, f := range fakes {
			f.configure(c)
		}
		if change != nil {
			change(c)
		}
	}, func(t *testing.T, e *testkit.Env) { fn(t, e, fakes) })
}

func uniqueID() string {
	return strings.ReplaceAll(strings.TrimPrefix(testkit.Unique(""), " "), " ", "")
}

// numericID is a fresh provider user id made of digits (GitHub's and GitLab's are numbers).
func numericID() string {
	return "1" + time.Now().Format("0405") + strings.Map(func(r rune) rune {
		if r >= 'a' {
			return '0' + (r-'a')%10
		}
		return r
	}, uniqueID())
}

func usersWithID(t *testing.T, e *testkit.Env, kind user.Provider, id string) int {
	t.Helper()
	n, err := e.DB.Client.User.Query().Where(user.ProviderEQ(kind), user.ProviderUserID(id)).Count(testkit.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func providerUserID(kind, id string) string {
	if kind == "bitbucket" {
		return "{" + id + "}"
	}
	return id
}

var kindOf = map[string]user.Provider{"github": user.ProviderGITHUB, "gitlab": user.ProviderGITLAB, "bitbucket": user.ProviderBITBUCKET}

// The whole flow with each provider: the state and PKCE S256 on the way
// out, the verifier checked by the provider, the user made from the
// profile and the primary verified e-mail, a session cookie with
// HttpOnly, Secure, SameSite=Lax and the __Host- prefix, and a redirect to
// return_to. The same provider account signing in again with a new login
// is the same user, with the new login.
func TestSignInWithEachProvider(t *testing.T) {
	withProviders(t, nil, func(t *testing.T, e *testkit.Env, fakes map[string]*fakeProvider) {
		for _, kind := range kinds {
			t.Run(kind, func(t *testing.T) {
				f := fakes[kind]
				id := numericID()
				f.setNext(fakeUser{ID: id, Login: "octo" + id, Name: "Octo Cat", Email: id + "@example.com", Avatar: "https://img.example/" + id, Verified: true})
				b := newBrowser(e)
				authorize := b.login(t, kind, "/projects?tab=all")
				u, _ := url.Parse(authorize)
				q := u.Query()
				if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || len(q.Get("state")) != 43 {
					t.Fatalf("authorize URL without PKCE S256 or state: %s", authorize)
				}
				if q.Get("redirect_uri") != publicURL+"/auth/"+kind+"/callback" {
					t.Fatalf("redirect_uri %q", q.Get("redirect_uri"))
				}
				bc := b.set[signin.BrowserCookie]
				if bc == nil || !bc.HttpOnly || !bc.Secure || bc.SameSite != http.SameSiteLaxMode || bc.Path != "/" || bc.MaxAge <= 0 || bc.MaxAge > 600 {
					t.Fatalf("browser cookie %+v", bc)
				}
				before := f.verifiedCount()
				rec := b.get(t, consent(t, authorize))
				if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/projects?tab=all" {
					t.Fatalf("callback: %d %q %s", rec.Code, rec.Header().Get("Location"), rec.Body)
				}
				if f.verifiedCount() != before+1 {
					t.Fatal("the provider did not check a PKCE verifier")
				}
				c := b.set[auth.SecureSessionCookie]
				if c == nil || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" || c.MaxAge <= 0 {
					t.Fatalf("session cookie %+v", c)
				}
				login, email, ok := b.viewer(t)
				if !ok || login != "octo"+id || email != id+"@example.com" {
					t.Fatalf("signed in as %q <%s> (%v)", login, email, ok)
				}
				first := e.DB.Client.User.Query().Where(user.ProviderUserID(providerUserID(kind, id))).OnlyX(testkit.System(context.Background()))
				if first.Provider != kindOf[kind] || first.Name != "Octo Cat" || first.AvatarURL != "https://img.example/"+id {
					t.Fatalf("user %+v", first)
				}

				// Renamed at the provider: the same user, refreshed.
				f.setNext(fakeUser{ID: id, Login: "renamed" + id, Name: "New Name", Email: id + "@example.com", Verified: true})
				b2 := newBrowser(e)
				if rec := b2.signIn(t, kind, "/"); rec.Code != http.StatusSeeOther {
					t.Fatalf("second sign-in: %d %s", rec.Code, rec.Body)
				}
				again := e.DB.Client.User.Query().Where(user.ProviderUserID(providerUserID(kind, id))).OnlyX(testkit.System(context.Background()))
				if again.ID != first.ID || again.Login != "renamed"+id || again.Name != "New Name" || again.AvatarURL != "" {
					t.Fatalf("renamed account: %+v, first %+v", again, first)
				}
			})
		}
	})
}

// Two providers' accounts with one e-mail address are two users; an
// address the provider has not verified is not taken as the user's.
func TestEmailNeitherMatchesUsersNorIsTakenUnverified(t *testing.T) {
	withProviders(t, nil, func(t *testing.T, e *testkit.Env, fakes map[string]*fakeProvider) {
		id := numericID()
		email := id + "@example.com"
		users := map[string]string{}
		for _, kind := range kinds {
			fakes[kind].setNext(fakeUser{ID: id, Login: "same" + id, Email: email, Verified: true})
			if rec := newBrowser(e).signIn(t, kind, "/"); rec.Code != http.StatusSeeOther {
				t.Fatalf("%s: %d %s", kind, rec.Code, rec.Body)
			}
			u := e.DB.Client.User.Query().Where(user.ProviderEQ(kindOf[kind]), user.ProviderUserID(providerUserID(kind, id))).OnlyX(testkit.System(context.Background()))
			users[u.ID] = kind
		}
		if len(users) != 3 {
			t.Fatalf("three providers' accounts with one e-mail made %d users", len(users))
		}
		for _, kind := range kinds {
			uid := numericID()
			fakes[kind].setNext(fakeUser{ID: uid, Login: "unverified" + uid, Email: uid + "@example.com", Verified: false})
			b := newBrowser(e)
			if rec := b.signIn(t, kind, "/"); rec.Code != http.StatusSeeOther {
				t.Fatalf("%s: %d %s", kind, rec.Code, rec.Body)
			}
			if _, got, _ := b.viewer(t); got != "" {
				t.Errorf("%s: the unverified address %q was taken", kind, got)
			}
		}
	})
}

// failure is a sign-in that must end on the error page with code, having
// created no user and no session.
func expectFailure(t *testing.T, e *testkit.Env, rec *httptest.ResponseRecorder, code string, kind, id string) {
	t.Helper()
	if rec.Code < 400 || rec.Header().Get("X-Sign-In-Error") != code || !strings.Contains(rec.Body.String(), code) {
		t.Fatalf("want the error page with %s, got %d %q: %s", code, rec.Code, rec.Header().Get("X-Sign-In-Error"), rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		if strings.Contains(c.Name, "session") && c.MaxAge >= 0 {
			t.Fatalf("a failed sign-in set %s", c.Name)
		}
	}
	if id != "" && usersWithID(t, e, kindOf[kind], providerUserID(kind, id)) != 0 {
		t.Fatal("a failed sign-in created its user")
	}
}

// The state is required, single use, expiring, of its provider, and bound
// to the browser that started the sign-in.
func TestStateIsRequiredSingleUseExpiringAndBoundToTheBrowser(t *testing.T) {
	withProviders(t, nil, func(t *testing.T, e *testkit.Env, fakes map[string]*fakeProvider) {
		for _, kind := range kinds {
			t.Run(kind, func(t *testing.T) {
				f := fakes[kind]
				next := func() string {
					id := numericID()
					f.setNext(fakeUser{ID: id, Login: "s" + id, Verified: true})
					return id
				}

				// Missing.
				id := next()
				b := newBrowser(e)
				cb := consent(t, b.login(t, kind, "/"))
				u, _ := url.Parse(cb)
				q := u.Query()
				q.Del("state")
				expectFailure(t, e, b.get(t, u.Path+"?"+q.Encode()), signin.ErrStateMissing, kind, id)

				// Unknown, and malformed.
				for _, bad := range []string{strings.Repeat("A", 43), "x", strings.Repeat("%", 43), "../../etc"} {
					q.Set("state", bad)
					expectFailure(t, e, b.get(t, u.Path+"?"+q.Encode()), signin.ErrStateInvalid, kind, id)
				}

				// Reused: the second callback with the same state fails, and the first's session stands.
				id = next()
				b = newBrowser(e)
				cb = consent(t, b.login(t, kind, "/"))
				if rec := b.get(t, cb); rec.Code != http.StatusSeeOther {
					t.Fatalf("first callback: %d %s", rec.Code, rec.Body)
				}
				n := usersWithID(t, e, kindOf[kind], providerUserID(kind, id))
				expectFailure(t, e, b.get(t, cb), signin.ErrStateInvalid, kind, "")
				if usersWithID(t, e, kindOf[kind], providerUserID(kind, id)) != n {
					t.Fatal("a reused state changed the users")
				}

				// From another browser: without the cookie, or with another browser's.
				id = next()
				b = newBrowser(e)
				cb = consent(t, b.login(t, kind, "/"))
				other := newBrowser(e)
				expectFailure(t, e, other.get(t, cb), signin.ErrStateInvalid, kind, id)
				id = next()
				b = newBrowser(e)
				cb = consent(t, b.login(t, kind, "/"))
				other = newBrowser(e)
				other.login(t, kind, "/") // other has a browser cookie of its own
				expectFailure(t, e, other.get(t, cb), signin.ErrStateInvalid, kind, id)
				// ... and the state is spent: its own browser cannot use it after.
				expectFailure(t, e, b.get(t, cb), signin.ErrStateInvalid, kind, id)

				// Expired.
				id = next()
				b = newBrowser(e)
				cb = consent(t, b.login(t, kind, "/"))
				ageStates(t, e)
				expectFailure(t, e, b.get(t, cb), signin.ErrStateInvalid, kind, id)

				// Another provider's callback.
				for _, otherKind := range kinds {
					if otherKind == kind {
						continue
					}
					id = next()
					b = newBrowser(e)
					cb = consent(t, b.login(t, kind, "/"))
					wrong := strings.Replace(cb, "/auth/"+kind+"/", "/auth/"+otherKind+"/", 1)
					expectFailure(t, e, b.get(t, wrong), signin.ErrStateInvalid, kind, id)
					break
				}
			})
		}
	})
}

// ageStates moves every stored sign-in state past its expiry.
func ageStates(t *testing.T, e *testkit.Env) {
	t.Helper()
	past := time.Now().Add(-signin.StateTTL - time.Minute)
	if _, err := e.DB.SQL.ExecContext(context.Background(), rebind(e, "UPDATE oauth_states SET expires_at = ?"), past); err != nil {
		t.Fatal(err)
	}
}

func rebind(e *testkit.Env, q string) string {
	if e.Backend == testkit.Postgres {
		return strings.Replace(q, "?", "$1", 1)
	}
	return q
}

func decode(t *testing.T, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
}

// The sign-up flow: a user signing in for the first time is told by the API
// that they belong to no organization, and creates the first one with its
// first project and plan in one mutation, with the cookie alone.
func TestSignUpFlow(t *testing.T) {
	withProviders(t, nil, func(t *testing.T, e *testkit.Env, fakes map[string]*fakeProvider) {
		id := numericID()
		fakes["gitlab"].setNext(fakeUser{ID: id, Login: "new" + id, Email: id + "@example.com", Verified: true})
		b := newBrowser(e)
		if rec := b.signIn(t, "gitlab", "/welcome"); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/welcome" {
			t.Fatalf("sign-in: %d %s", rec.Code, rec.Body)
		}
		gql := func(query string, v any) {
			t.Helper()
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":`+jsonString(query)+`}`))
			req.Header.Set("Content-Type", "application/json")
			rec := b.do(req)
			var out struct {
				Data   json.RawMessage
				Errors []any
			}
			decode(t, rec, &out)
			if len(out.Errors) > 0 {
				t.Fatalf("%s: %s", query, rec.Body)
			}
			if err := json.Unmarshal(out.Data, v); err != nil {
				t.Fatal(err)
			}
		}
		var before struct {
			Viewer struct {
				Organizations       struct{ TotalCount int }
				CurrentOrganization *struct{ ID string }
			}
		}
		gql(`{ viewer { organizations { totalCount } currentOrganization { id } } }`, &before)
		if before.Viewer.Organizations.TotalCount != 0 || before.Viewer.CurrentOrganization != nil {
			t.Fatalf("a new user: %+v", before)
		}
		var created struct {
			CreateOrganization struct {
				ID       string
				Plan     struct{ Code string }
				Projects struct{ TotalCount int }
			}
		}
		gql(`mutation { createOrganization(input: {name: "`+testkit.Unique("Signup")+`", plan: TEAM, firstProject: {name: "web"}}) { id plan { code } projects { totalCount } } }`, &created)
		if created.CreateOrganization.Plan.Code != "TEAM" || created.CreateOrganization.Projects.TotalCount != 1 {
			t.Fatalf("created %+v", created)
		}
		var after struct {
			Viewer struct{ CurrentOrganization struct{ ID string } }
		}
		gql(`{ viewer { currentOrganization { id } } }`, &after)
		if after.Viewer.CurrentOrganization.ID != created.CreateOrganization.ID {
			t.Fatalf("current organization %+v", after)
		}
	})
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
