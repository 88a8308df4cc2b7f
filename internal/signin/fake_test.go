package signin_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/orgql/orgql/internal/config"
)

// fakeUser is who the fake provider signs in next.
type fakeUser struct {
	ID, Login, Name, Email, Avatar string
	Verified                       bool
}

// fakeProvider is an OAuth provider on loopback, shaped like GitHub, GitLab
// or Bitbucket: authorize, token, user and e-mail endpoints. It checks the
// client's credentials and the PKCE verifier as the real ones do.
type fakeProvider struct {
	kind string
	srv  *httptest.Server

	mu       sync.Mutex
	next     fakeUser
	codes    map[string]fakeCode     // code -> what it was issued for
	tokens   map[string]fakeUser     // access token -> user
	verified int                     // token requests whose PKCE verifier matched
	issued   int                     // codes issued
	fail     map[string]http.Handler // path -> a handler answering instead
}

type fakeCode struct {
	challenge, redirect string
	user                fakeUser
}

const (
	fakeClientID     = "client-id"
	fakeClientSecret = "client-secret"
)

func newFakeProvider(t *testing.T, kind string) *fakeProvider {
	f := &fakeProvider{kind: kind, codes: map[string]fakeCode{}, tokens: map[string]fakeUser{}, fail: map[string]http.Handler{}}
	mux := http.NewServeMux()
	authorize := map[string]string{"github": "/login/oauth/authorize", "gitlab": "/oauth/authorize", "bitbucket": "/site/oauth2/authorize"}[kind]
	mux.HandleFunc("GET "+authorize, f.authorize)
	mux.HandleFunc("POST "+f.tokenPath(), f.token)
	switch kind {
	case "github":
		mux.HandleFunc("GET /api/v3/user", f.withUser(func(u fakeUser) any {
			return map[string]any{"id": json.Number(u.ID), "login": u.Login, "name": u.Name, "avatar_url": u.Avatar, "email": u.Email}
		}))
		mux.HandleFunc("GET /api/v3/user/emails", f.withUser(func(u fakeUser) any {
			return []map[string]any{
				{"email": "other-" + u.Email, "primary": false, "verified": true},
				{"email": u.Email, "primary": true, "verified": u.Verified},
			}
		}))
	case "gitlab":
		mux.HandleFunc("GET /api/v4/user", f.withUser(func(u fakeUser) any {
			var confirmed any
			if u.Verified {
				confirmed = "2024-01-02T03:04:05Z"
			}
			return map[string]any{"id": json.Number(u.ID), "username": u.Login, "name": u.Name, "avatar_url": u.Avatar, "email": u.Email, "confirmed_at": confirmed}
		}))
	case "bitbucket":
		mux.HandleFunc("GET /2.0/user", f.withUser(func(u fakeUser) any {
			return map[string]any{"uuid": "{" + u.ID + "}", "username": u.Login, "display_name": u.Name,
				"links": map[string]any{"avatar": map[string]any{"href": u.Avatar}}}
		}))
		mux.HandleFunc("GET /2.0/user/emails", f.withUser(func(u fakeUser) any {
			return map[string]any{"values": []map[string]any{
				{"email": "other-" + u.Email, "is_primary": false, "is_confirmed": true},
				{"email": u.Email, "is_primary": true, "is_confirmed": u.Verified},
			}}
		}))
	}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		h := f.fail[r.URL.Path]
		f.mu.Unlock()
		if h != nil {
			h.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// configure points cfg's sign-in for f's kind at f.
func (f *fakeProvider) configure(cfg *config.Config) {
	app := config.OAuthApp{ClientID: fakeClientID, ClientSecret: fakeClientSecret, URL: f.srv.URL, Scopes: "read"}
	switch f.kind {
	case "github":
		cfg.SignIn.GitHub, cfg.GitHubAPIURL = app, f.srv.URL+"/api/v3"
	case "gitlab":
		cfg.SignIn.GitLab, cfg.GitLabURL = app, f.srv.URL
	case "bitbucket":
		cfg.SignIn.Bitbucket, cfg.BitbucketAPIURL = app, f.srv.URL
	}
}

// failAt makes path answer with h.
func (f *fakeProvider) failAt(path string, h http.HandlerFunc) {
	f.mu.Lock()
	f.fail[path] = h
	f.mu.Unlock()
}

func (f *fakeProvider) userPath() string {
	return map[string]string{"github": "/api/v3/user", "gitlab": "/api/v4/user", "bitbucket": "/2.0/user"}[f.kind]
}

func (f *fakeProvider) tokenPath() string {
	return map[string]string{"github": "/login/oauth/access_token", "gitlab": "/oauth/token", "bitbucket": "/site/oauth2/access_token"}[f.kind]
}

func (f *fakeProvider) setNext(u fakeUser) {
	f.mu.Lock()
	f.next = u
	f.mu.Unlock()
}

func (f *fakeProvider) verifiedCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.verified
}

// authorize is the consent page, consented at once: it issues a code bound
// to the PKCE challenge and redirects back with the state.
func (f *fakeProvider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != fakeClientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "bad authorize request", http.StatusBadRequest)
		return
	}
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.issued++
	code := fmt.Sprintf("code-%d", f.issued)
	f.codes[code] = fakeCode{challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri"), user: f.next}
	f.mu.Unlock()
	v := back.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token exchanges a code once, for the client that has it and the verifier
// of its challenge.
func (f *fakeProvider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	id, secret, basic := r.BasicAuth()
	if f.kind == "bitbucket" && !basic {
		f.tokenError(w, "invalid_client")
		return
	}
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != fakeClientID || secret != fakeClientSecret {
		f.tokenError(w, "invalid_client")
		return
	}
	f.mu.Lock()
	c, ok := f.codes[r.PostForm.Get("code")]
	delete(f.codes, r.PostForm.Get("code"))
	f.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case r.PostForm.Get("grant_type") != "authorization_code" || !ok || r.PostForm.Get("redirect_uri") != c.redirect:
		f.tokenError(w, "invalid_grant")
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge:
		f.tokenError(w, "invalid_grant") // the PKCE verifier does not match
		return
	}
	access := "access-" + r.PostForm.Get("code")
	f.mu.Lock()
	f.verified++
	f.tokens[access] = c.user
	f.mu.Unlock()
	if f.kind == "github" { // GitHub answers form-encoded unless asked for JSON
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
		fmt.Fprintf(w, "access_token=%s&scope=read&token_type=bearer", access)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": access, "token_type": "bearer", "expires_in": 7200})
}

func (f *fakeProvider) tokenError(w http.ResponseWriter, code string) {
	if f.kind == "github" { // GitHub reports errors with 200
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
		fmt.Fprintf(w, "error=%s", code)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, `{"error":%q}`, code)
}

func (f *fakeProvider) withUser(shape func(fakeUser) any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		f.mu.Lock()
		u, known := f.tokens[tok]
		f.mu.Unlock()
		if !ok || !known {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(shape(u))
	}
}
