// Package signin is the OAuth 2 sign-in with GitHub, GitLab and Bitbucket:
// GET /auth/{provider}/login starts it, GET /auth/{provider}/callback ends
// it with a session cookie and a redirect to return_to. Every flow has its
// state (random, single use, expiring, bound to the browser by a cookie) and
// PKCE S256 (docs/security.md S21).
package signin

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sort"
	"time"

	"golang.org/x/oauth2"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/oauthstate"
	"github.com/orgql/orgql/internal/auth"
	"github.com/orgql/orgql/internal/tenancy"
)

// StateTTL is how long a sign-in may take between login and callback.
const StateTTL = 10 * time.Minute

// BrowserCookie binds a sign-in under way to the browser that started it;
// BrowserCookieInsecure is its name where cookies cannot be Secure (--dev on
// http://localhost).
const (
	BrowserCookie         = "__Host-orgql_signin"
	BrowserCookieInsecure = "orgql_signin"
)

// Flow serves the sign-in endpoints.
type Flow struct {
	Client    *ent.Client
	Auth      *auth.Authenticator
	Providers map[string]*Provider
	// Timeout bounds each call to the provider.
	Timeout time.Duration
	// HTTPClient calls the providers; nil: a client of its own.
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Error codes a failed sign-in ends with, on its page and in the
// X-Sign-In-Error header.
const (
	ErrReturnTo            = "invalid_return_to"
	ErrStateMissing        = "state_missing"
	ErrStateInvalid        = "state_invalid" // unknown, used, expired, of another provider or another browser
	ErrAccessDenied        = "access_denied"
	ErrProviderError       = "provider_error"
	ErrProviderUnavailable = "provider_unavailable"
	ErrMalformedAnswer     = "provider_malformed_answer"
	ErrInternal            = "internal_error"
)

// Enabled lists the configured providers, ordered by name.
func (f *Flow) Enabled() []*Provider {
	out := make([]*Provider, 0, len(f.Providers))
	for _, p := range f.Providers {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Register mounts the endpoints on mux; a provider not configured has none,
// so its paths answer 404.
//
// guard, when not nil, wraps both (the server's sign-in rate limit).
func (f *Flow) Register(mux *http.ServeMux, guard func(http.Handler) http.Handler) {
	if guard == nil {
		guard = func(h http.Handler) http.Handler { return h }
	}
	for name := range f.Providers {
		mux.Handle("GET /auth/"+name+"/login", guard(http.HandlerFunc(f.login)))
		mux.Handle("GET /auth/"+name+"/callback", guard(http.HandlerFunc(f.callback)))
	}
}

func (f *Flow) provider(r *http.Request) *Provider {
	// The path is /auth/{name}/...: Register mounted only configured names.
	for name, p := range f.Providers {
		if r.URL.Path == "/auth/"+name+"/login" || r.URL.Path == "/auth/"+name+"/callback" {
			return p
		}
	}
	return nil
}

func (f *Flow) browserCookieName() string {
	if f.Auth.InsecureCookie {
		return BrowserCookieInsecure
	}
	return BrowserCookie
}

func (f *Flow) logger() *slog.Logger {
	if f.Logger != nil {
		return f.Logger
	}
	return slog.Default()
}

// login stores a new state and sends the browser to the provider.
func (f *Flow) login(w http.ResponseWriter, r *http.Request) {
	p := f.provider(r)
	returnTo, ok := SafePath(r.URL.Query().Get("return_to"))
	if !ok {
		f.fail(w, r, http.StatusBadRequest, ErrReturnTo, nil)
		return
	}
	// One browser value serves every sign-in the browser has under way (two
	// tabs), so a second login does not break the first.
	browser := ""
	if c, err := r.Cookie(f.browserCookieName()); err == nil && validState(c.Value) {
		browser = c.Value
	} else {
		browser = newState()
	}
	state, verifier := newState(), oauth2.GenerateVerifier()
	now := time.Now()
	ctx := tenancy.AsSystem(r.Context(), tenancy.SignIn)
	if _, err := f.Client.OAuthState.Delete().Where(oauthstate.ExpiresAtLT(now)).Exec(ctx); err != nil {
		f.fail(w, r, http.StatusServiceUnavailable, ErrInternal, fmt.Errorf("forget expired sign-ins: %w", err))
		return
	}
	err := f.Client.OAuthState.Create().
		SetStateHash(hashState(state)).SetBrowserHash(hashState(browser)).SetProvider(p.Name).
		SetCodeVerifier(verifier).SetReturnTo(returnTo).SetExpiresAt(now.Add(StateTTL)).
		Exec(ctx)
	if err != nil {
		f.fail(w, r, http.StatusServiceUnavailable, ErrInternal, fmt.Errorf("store sign-in state: %w", err))
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: f.browserCookieName(), Value: browser, Path: "/", MaxAge: int(StateTTL / time.Second),
		HttpOnly: true, Secure: !f.Auth.InsecureCookie, SameSite: http.SameSiteLaxMode,
	})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, p.OAuth.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// callback consumes the state, exchanges the code with the PKCE verifier,
// reads the profile, signs the user in and redirects to return_to. Any
// failure ends on the error page and creates nothing.
func (f *Flow) callback(w http.ResponseWriter, r *http.Request) {
	p := f.provider(r)
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		f.fail(w, r, http.StatusBadRequest, ErrStateMissing, nil)
		return
	}
	st, err := f.consume(r, p, state)
	if err != nil {
		f.fail(w, r, http.StatusBadRequest, ErrStateInvalid, err)
		return
	}
	if st == nil {
		f.fail(w, r, http.StatusBadRequest, ErrStateInvalid, nil)
		return
	}
	if e := q.Get("error"); e != "" {
		if e == "access_denied" {
			f.fail(w, r, http.StatusForbidden, ErrAccessDenied, nil)
		} else {
			f.fail(w, r, http.StatusBadGateway, ErrProviderError, fmt.Errorf("%s answered error %q", p.Name, truncate(e, 64)))
		}
		return
	}
	code := q.Get("code")
	if code == "" {
		f.fail(w, r, http.StatusBadGateway, ErrProviderError, fmt.Errorf("%s sent no code", p.Name))
		return
	}
	// Each step waits at most the timeout: the token, then the profile.
	ctx := context.WithValue(r.Context(), oauth2.HTTPClient, f.httpClient())
	exchangeCtx, cancel := context.WithTimeout(ctx, f.timeout())
	defer cancel()
	tok, err := p.OAuth.Exchange(exchangeCtx, code, oauth2.VerifierOption(st.CodeVerifier))
	if err != nil {
		f.providerFailed(w, r, p, "token", err)
		return
	}
	profileCtx, cancel := context.WithTimeout(ctx, f.timeout())
	defer cancel()
	prof, err := p.Profile(profileCtx, p.OAuth.Client(ctx, tok))
	if err != nil {
		f.providerFailed(w, r, p, "profile", err)
		return
	}
	session, _, err := f.Auth.SignInFrom(r.Context(), prof, auth.ClientOf(r))
	if err != nil {
		f.fail(w, r, http.StatusServiceUnavailable, ErrInternal, err)
		return
	}
	f.Auth.SetSessionCookie(w, session)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, st.ReturnTo, http.StatusSeeOther)
}

// consume takes the sign-in state of value state, once: nil when it is
// unknown, already used, expired, of another provider, or not this
// browser's. A state found is spent whatever the outcome. The browser
// cookie stays: other sign-ins of the same browser may be under way.
func (f *Flow) consume(r *http.Request, p *Provider, state string) (*ent.OAuthState, error) {
	if !validState(state) {
		return nil, nil
	}
	c, err := r.Cookie(f.browserCookieName())
	if err != nil || !validState(c.Value) {
		return nil, nil
	}
	ctx := tenancy.AsSystem(r.Context(), tenancy.SignIn)
	st, err := f.Client.OAuthState.Query().Where(oauthstate.StateHash(hashState(state))).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read sign-in state: %w", err)
	}
	// Deleting it is what makes it single use: of two callbacks racing with
	// one state, one deletes it and the other finds nothing to delete.
	n, err := f.Client.OAuthState.Delete().Where(oauthstate.ID(st.ID)).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("consume sign-in state: %w", err)
	}
	if n != 1 || !time.Now().Before(st.ExpiresAt) || st.Provider != p.Name ||
		subtle.ConstantTimeCompare([]byte(st.BrowserHash), []byte(hashState(c.Value))) != 1 {
		return nil, nil
	}
	return st, nil
}

func (f *Flow) timeout() time.Duration {
	if f.Timeout > 0 {
		return f.Timeout
	}
	return 10 * time.Second
}

func (f *Flow) httpClient() *http.Client {
	if f.HTTPClient != nil {
		return f.HTTPClient
	}
	return http.DefaultClient // each call's context carries its deadline
}

// providerFailed ends a sign-in whose call to the provider failed: a
// timeout, an error answer or a malformed one.
func (f *Flow) providerFailed(w http.ResponseWriter, r *http.Request, p *Provider, step string, err error) {
	err = fmt.Errorf("%s %s: %w", p.Name, step, err)
	var netErr interface{ Timeout() bool }
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		f.fail(w, r, http.StatusGatewayTimeout, ErrProviderUnavailable, err)
	case errors.Is(err, errMalformed):
		f.fail(w, r, http.StatusBadGateway, ErrMalformedAnswer, err)
	default:
		f.fail(w, r, http.StatusBadGateway, ErrProviderError, err)
	}
}

var failPage = template.Must(template.New("fail").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in failed</title></head>
<body><h1>Sign-in failed</h1><p>{{.Message}}</p><p>Error code: <code>{{.Code}}</code></p>
<p><a href="/">Back to orgql</a></p></body></html>
`))

var failMessages = map[string]string{
	ErrReturnTo:            "The address to come back to after signing in is not a path on this server.",
	ErrStateMissing:        "The provider's answer carried no state: start the sign-in again.",
	ErrStateInvalid:        "This sign-in is unknown, expired, already used or was started in another browser: start it again.",
	ErrAccessDenied:        "You did not allow orgql to read your profile, so you are not signed in.",
	ErrProviderError:       "The provider refused the sign-in: start it again.",
	ErrProviderUnavailable: "The provider did not answer in time: try again in a moment.",
	ErrMalformedAnswer:     "The provider's answer could not be read: try again, or ask your administrator.",
	ErrInternal:            "orgql could not complete the sign-in: try again in a moment.",
}

// fail ends a sign-in on a page naming the error code; err, if any, goes to
// the log only.
func (f *Flow) fail(w http.ResponseWriter, r *http.Request, status int, code string, err error) {
	if err != nil {
		f.logger().WarnContext(r.Context(), "sign-in failed", "code", code, "error", err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Sign-In-Error", code)
	w.WriteHeader(status)
	_ = failPage.Execute(w, map[string]string{"Code": code, "Message": failMessages[code]})
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
