package auth

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/requestid"
	"github.com/orgql/orgql/internal/viewer"
)

// Middleware authenticates each request once and puts the caller in its
// context. A request without credentials, or with credentials that are not
// valid (unknown, expired, revoked, malformed), goes on anonymously: the
// GraphQL layer answers UNAUTHENTICATED, in one shape, for whatever needs a
// caller, and serves what does not. When the credentials cannot be checked
// at all (the database failed), the answer is 503 with the request id, never
// one that would make a client sign its user out.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		authorization := r.Header.Get("Authorization")
		if authorization == "" {
			if tok := a.CookieToken(r); tok != "" {
				authorization = "Bearer " + tok
			}
		}
		if authorization == "" || isWebSocketUpgrade(r) {
			// WebSocket clients authenticate in connection_init instead.
			next.ServeHTTP(w, r)
			return
		}
		c, err := a.Authenticate(r.Context(), authorization)
		switch {
		case errors.Is(err, ErrBadCredentials):
			next.ServeHTTP(w, r)
			return
		case err != nil:
			a.logger().ErrorContext(r.Context(), "authenticate: credentials could not be checked", "error", err)
			WriteUnavailable(w, requestid.From(r.Context()))
			return
		}
		c.Origin = clientIP(r)
		c.UserAgent = r.UserAgent()
		next.ServeHTTP(w, r.WithContext(viewer.NewContext(r.Context(), c)))
	})
}

// CookieName is the name of the session cookie: __Host-orgql_session, or
// orgql_session when the cookie cannot be Secure (development on http).
func (a *Authenticator) CookieName() string {
	if a.InsecureCookie {
		return SessionCookie
	}
	return SecureSessionCookie
}

// CookieToken returns the session token of r's session cookie, or "".
func (a *Authenticator) CookieToken(r *http.Request) string {
	c, err := r.Cookie(a.CookieName())
	if err != nil {
		return ""
	}
	return c.Value
}

// SetSessionCookie gives the browser the session tok: HttpOnly, Secure
// (unless InsecureCookie), SameSite=Lax, for the whole host, for as long as
// the session lasts (docs/security.md S22).
func (a *Authenticator) SetSessionCookie(w http.ResponseWriter, tok string) {
	c := a.sessionCookie(tok)
	if a.SessionTTL > 0 {
		c.MaxAge = int(a.SessionTTL / time.Second)
	}
	http.SetCookie(w, c)
}

// ClearSessionCookie tells the browser to forget its session cookie.
func (a *Authenticator) ClearSessionCookie(w http.ResponseWriter) {
	c := a.sessionCookie("")
	c.MaxAge = -1
	http.SetCookie(w, c)
}

func (a *Authenticator) sessionCookie(value string) *http.Cookie {
	return &http.Cookie{Name: a.CookieName(), Value: value, Path: "/", HttpOnly: true, Secure: !a.InsecureCookie, SameSite: http.SameSiteLaxMode}
}

// ClientOf describes r's client for the session it signs in.
func ClientOf(r *http.Request) Client {
	return Client{UserAgent: r.UserAgent(), Origin: clientIP(r)}
}

// WriteUnavailable answers 503 with a GraphQL-shaped INTERNAL_SERVER_ERROR
// carrying the request id: the server could not decide, the client may retry.
func WriteUnavailable(w http.ResponseWriter, id string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Retry-After", "1")
	w.WriteHeader(http.StatusServiceUnavailable)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []any{map[string]any{
			"message":    "the server could not check the credentials: retry",
			"extensions": map[string]any{"code": "INTERNAL_SERVER_ERROR", "requestId": id},
		}},
		"data": nil,
	})
}

func isWebSocketUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// WriteUnauthenticated answers 401 with a GraphQL-shaped error body.
func WriteUnauthenticated(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte(`{"errors":[{"message":"invalid or expired credentials","extensions":{"code":"UNAUTHENTICATED"}}],"data":null}`))
}

var devLogin = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,38}$`)

// DevLoginHandler serves POST /auth/dev/login {"login": "alice"}: it signs in
// as any login without a provider and answers {"token": "..."}. Mount it only
// when the operator turned development mode on.
func (a *Authenticator) DevLoginHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use POST"})
			return
		}
		var body struct {
			Login string `json:"login"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&body); err != nil || !devLogin.MatchString(body.Login) {
			writeJSON(w, http.StatusBadRequest, map[string]string{
				"error": `send {"login": "<name>"}: letters, digits and dashes, at most 39 characters`,
			})
			return
		}
		tok, _, err := a.SignInFrom(r.Context(), Profile{
			Provider:       user.ProviderDEV,
			ProviderUserID: strings.ToLower(body.Login),
			Login:          body.Login,
			Name:           body.Login,
			Email:          strings.ToLower(body.Login) + "@dev.orgql.local",
		}, ClientOf(r))
		if err != nil {
			a.logger().ErrorContext(r.Context(), "dev sign-in", "error", err)
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "sign-in failed"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"token": tok})
	})
}

// LogoutHandler serves POST /auth/logout: it revokes the session of the
// request's bearer token or cookie, and clears the cookie. It answers 204,
// or, with a return_to path that passes safePath (a form in a page), a 303
// redirect there.
func (a *Authenticator) LogoutHandler(safePath func(string) (string, bool)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use POST"})
			return
		}
		tok := ""
		if scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
			tok = strings.TrimSpace(cred)
		} else {
			tok = a.CookieToken(r)
		}
		err := a.SignOut(r.Context(), tok)
		if err != nil && !errors.Is(err, ErrBadCredentials) {
			a.logger().ErrorContext(r.Context(), "sign out", "error", err)
			WriteUnavailable(w, requestid.From(r.Context()))
			return
		}
		// A cookie whose session is gone is cleared all the same.
		if tok != "" && tok == a.CookieToken(r) {
			a.ClearSessionCookie(w)
		}
		if err != nil {
			WriteUnauthenticated(w)
			return
		}
		if to, ok := safePath(r.URL.Query().Get("return_to")); ok && r.URL.Query().Has("return_to") {
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
