package server

import (
	"context"
	"net/http"

	"github.com/rs/cors"

	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/requestid"
)

// RequestID returns the id of the request in ctx.
func RequestID(ctx context.Context) string { return requestid.From(ctx) }

// withRequestID gives every request an id, returned in X-Request-ID and
// logged with every line written for the request (see requestid.LogHandler).
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, id := requestid.New(r.Context())
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// corsHandler answers cross-origin requests from the configured origins
// (exact, or with a * as rs/cors matches it) and from no other: rs/cors reads
// an empty list as every origin, so no origin configured allows none.
func corsHandler(cfg config.Config, next http.Handler) http.Handler {
	var noOrigin func(string) bool
	if len(cfg.CORSOrigins) == 0 {
		noOrigin = func(string) bool { return false }
	}
	return cors.New(cors.Options{
		AllowedOrigins:   cfg.CORSOrigins,
		AllowOriginFunc:  noOrigin,
		AllowedMethods:   []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders:   []string{"Authorization", "Content-Type", "Accept", "GraphQL-Require-Preflight", "Apollo-Require-Preflight", "apollographql-client-name", "apollographql-client-version"},
		ExposedHeaders:   []string{"X-Request-ID", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"},
		AllowCredentials: cfg.CORSAllowCredentials,
		MaxAge:           600,
	}).Handler(next)
}
