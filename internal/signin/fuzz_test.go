package signin

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzReturnTo: whatever SafePath accepts is a path of this server under
// any reading: it parses with no scheme or host, starts with one "/", has
// no backslash or control character, and resolved against the server's
// URL stays on the server.
func FuzzReturnTo(f *testing.F) {
	for _, s := range []string{"/", "/a?b=c#d", "//evil", "/\\evil", "/%2F%2Fevil", "https://evil", "/..//x"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://orgql.example/auth/github/callback")
	f.Fuzz(func(t *testing.T, raw string) {
		got, ok := SafePath(raw)
		if !ok {
			return
		}
		if raw != "" && got != raw {
			t.Fatalf("SafePath(%q) changed it to %q", raw, got)
		}
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\t\r\n ") {
			t.Fatalf("SafePath accepted %q", raw)
		}
		for s := got; ; {
			u, err := url.Parse(s)
			if err != nil {
				t.Fatalf("accepted %q does not parse: %v", s, err)
			}
			if u.Scheme != "" || u.Host != "" || u.User != nil {
				t.Fatalf("accepted %q names a scheme, host or user", s)
			}
			if r := base.ResolveReference(u); r.Host != base.Host || r.Scheme != base.Scheme {
				t.Fatalf("accepted %q resolves to %s", s, r)
			}
			d, err := url.PathUnescape(s)
			if err != nil || d == s {
				break
			}
			s = d
		}
	})
}

// FuzzState: validState accepts exactly the values newState makes (32
// bytes in canonical unpadded base64url), and never panics.
func FuzzState(f *testing.F) {
	f.Add(newState())
	f.Add("")
	f.Add(strings.Repeat("A", 43))
	f.Add(strings.Repeat("_", 43))
	f.Add(strings.Repeat("A", 42) + "B") // non-canonical last character
	f.Fuzz(func(t *testing.T, s string) {
		if !validState(s) {
			return
		}
		b, err := base64Strict.DecodeString(s)
		if err != nil || len(b) != stateBytes || base64Strict.EncodeToString(b) != s {
			t.Fatalf("validState accepted %q", s)
		}
	})
}
