package signin

import (
	"net/url"
	"strings"
)

// maxReturnTo bounds a return_to value.
const maxReturnTo = 2048

// SafePath reports whether raw is a path on this server that a sign-in may
// redirect to, and returns it ("/" for an empty value). It accepts only an
// absolute path with an optional query and fragment, in printable ASCII:
// no scheme, no host, no "//" or backslash at all, no dot segments, and the
// same for every percent-decoding of it, so that no browser's or proxy's
// reading turns it into another origin (docs/security.md S21).
func SafePath(raw string) (string, bool) {
	if raw == "" {
		return "/", true
	}
	if len(raw) > maxReturnTo || !safeText(raw) {
		return "", false
	}
	// Check the value and each decoding of it: "%2F%2Fevil" and "%252F..."
	// are refused as "//evil" is.
	s := raw
	for range 4 {
		if !safeShape(s) {
			return "", false
		}
		d, err := url.PathUnescape(s)
		if err != nil || !safeText(strings.ReplaceAll(d, " ", "")) {
			return "", false
		}
		if d == s {
			break
		}
		s = d
	}
	if strings.Contains(s, "%") {
		return "", false // still encoded after four decodings: nothing legitimate is
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return "", false
	}
	return raw, true
}

// safeText accepts printable ASCII without spaces or backslashes: browsers
// drop tabs and newlines and read "\" as "/". (A decoded form may hold the
// spaces its %20s stand for.)
func safeText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

// safeShape accepts "/" followed by non-empty segments that are not dot
// segments; the query and fragment may hold anything safeText allows but "//"
// right after the path is not special there.
func safeShape(s string) bool {
	if !strings.HasPrefix(s, "/") {
		return false
	}
	path := s
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		path = s[:i]
	}
	if strings.Contains(path, "//") || strings.Contains(path, ":") {
		return false
	}
	for _, seg := range strings.Split(path[1:], "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}
