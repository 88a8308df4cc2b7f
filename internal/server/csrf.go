package server

import (
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/orgql/orgql/internal/config"
)

// requirePreflight refuses, before authentication so that nothing is
// written (not even a session's last use), a GET or a POST that is not
// application/json without a non-empty GraphQL-Require-Preflight header: a
// page of another site can send those with the browser's cookie, but
// cannot add a header without a CORS preflight (docs/security.md S5).
// Callers with an Authorization header, which no page sends on its own, and
// WebSocket upgrades (checked against the allowed origins by the WebSocket
// transport) are not concerned.
func requirePreflight(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" && !isUpgrade(r) && simpleRequest(r) &&
			strings.TrimSpace(r.Header.Get("GraphQL-Require-Preflight")) == "" {
			sendRequestError(w, responseMediaType(r), http.StatusBadRequest,
				"a GET, or a POST that is not application/json, must carry a GraphQL-Require-Preflight header")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// simpleRequest reports whether r is one a browser sends cross-site without a
// preflight: a GET, or a POST of another media type than JSON.
func simpleRequest(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return true
	case http.MethodPost:
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		return err != nil || mt != mediaJSON
	}
	return false
}

func isUpgrade(r *http.Request) bool { return r.Header.Get("Upgrade") != "" }

// crossOriginCookies refuses a cross-origin unsafe request (POST) that may
// carry the session cookie, unless it comes from an allowed CORS origin:
// net/http's CrossOriginProtection, which reads Sec-Fetch-Site and Origin.
// Requests with an Authorization header are not concerned.
func crossOriginCookies(cfg config.Config, next http.Handler) (http.Handler, error) {
	p := http.NewCrossOriginProtection()
	for _, o := range cfg.CORSOrigins {
		if strings.Contains(o, "*") {
			continue // a pattern allows no cookie-carrying request
		}
		if err := p.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("cors origin %q: %w", o, err)
		}
	}
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sendRequestError(w, responseMediaType(r), http.StatusForbidden, "cross-origin request refused: its origin is not allowed")
	}))
	protected := p.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			next.ServeHTTP(w, r)
			return
		}
		protected.ServeHTTP(w, r)
	}), nil
}
