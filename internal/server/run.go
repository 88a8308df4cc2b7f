package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Run serves srv on ln until ctx is done (SIGTERM), then shuts down in two
// steps, all within grace: for drain, readiness answers 503 while requests
// are still accepted and served, so a load balancer sees the instance leave
// and stops sending it traffic before its listener goes; then the listener
// closes, in-flight requests finish, and Run returns. Connections still open
// when grace is up are closed and Run reports the deadline.
func Run(ctx context.Context, srv *Server, ln net.Listener, drain, grace time.Duration, logger *slog.Logger) error {
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	logger.Info("shutting down: readiness fails, still serving", "drain", drain, "grace", grace)
	srv.Drain()
	select {
	case <-time.After(min(drain, grace)):
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("shutting down: no new connections, finishing in-flight requests")
	srv.EndStreams() // WebSockets close with 1001, event streams end
	if err := hs.Shutdown(shutdownCtx); err != nil {
		_ = hs.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	// WebSockets are hijacked connections, which hs.Shutdown does not wait for.
	if err := srv.WaitStreams(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: WebSockets still closing: %w", err)
	}
	logger.Info("shut down cleanly")
	return nil
}
