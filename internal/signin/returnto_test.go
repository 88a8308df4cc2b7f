package signin_test

import (
	"testing"

	"github.com/orgql/orgql/internal/signin"
)

// hostileReturnTo are open redirects and their disguises: every one is refused.
var hostileReturnTo = []string{
	"https://evil.example/",
	"http://evil.example",
	"//evil.example",
	"///evil.example",
	"////evil.example/x",
	"/\\evil.example",
	"\\\\evil.example",
	"\\/evil.example",
	"/%2F/evil.example",
	"/%2f%2fevil.example",
	"%2F%2Fevil.example",
	"/%252F%252Fevil.example",
	"/%5Cevil.example",
	"/%5cevil.example",
	"/\t/evil.example",
	"/\n/evil.example",
	"/\r\n/evil.example",
	" //evil.example",
	"/ /evil.example",
	"javascript:alert(1)",
	"JavaScript:alert(1)",
	"data:text/html,<script>alert(1)</script>",
	"evil.example",
	"relative/path",
	"?x=1",
	"#frag",
	"/..//evil.example",
	"/./evil",
	"/a/../../evil",
	"/%2e%2e//evil.example",
	"/x:y@evil.example",
	"https:/evil.example",
	"/\x00/evil.example",
	"/\u3002evil.example",
	"/\uff0f\uff0fevil.example",
	"/%E3%80%82evil",
	"/%zz",
	"/%",
	"/" + string(make([]byte, 2100)),
}

func TestSafePathRefusesOpenRedirects(t *testing.T) {
	if len(hostileReturnTo) < 15 {
		t.Fatal("too few cases")
	}
	for _, raw := range hostileReturnTo {
		if got, ok := signin.SafePath(raw); ok {
			t.Errorf("SafePath(%q) = %q, accepted", raw, got)
		}
	}
}

func TestSafePathKeepsPlainPaths(t *testing.T) {
	for raw, want := range map[string]string{
		"":          "/",
		"/":         "/",
		"/projects": "/projects",
		"/orgs/org_1/settings?tab=members&x=%20y": "/orgs/org_1/settings?tab=members&x=%20y",
		"/a/b/?next=//not-a-host":                 "/a/b/?next=//not-a-host",
		"/page#section":                           "/page#section",
		"/a%20b":                                  "/a%20b",
	} {
		if got, ok := signin.SafePath(raw); !ok || got != want {
			t.Errorf("SafePath(%q) = %q, %v; want %q", raw, got, ok, want)
		}
	}
}
