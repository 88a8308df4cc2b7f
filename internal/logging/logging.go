package logging

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// New is orgql's logger: JSON (for production) or text, at level.
func New(w io.Writer, format, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: l}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// ErrorChain lists every error err wraps, outermost first, each with its
// Go type, so an internal error's log line shows where each layer came from.
func ErrorChain(err error) []string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		for e != nil && len(out) < 32 {
			out = append(out, fmt.Sprintf("%T: %s", e, e.Error()))
			switch u := e.(type) {
			case interface{ Unwrap() []error }:
				for _, inner := range u.Unwrap() {
					walk(inner)
				}
				return
			default:
				e = errors.Unwrap(e)
			}
		}
	}
	walk(err)
	return out
}

// ErrorAttrs are the attributes of an internal error's log line: its text
// and its chain.
func ErrorAttrs(err error) []any {
	return []any{"error", err.Error(), "error_chain", strings.Join(ErrorChain(err), " <- ")}
}
