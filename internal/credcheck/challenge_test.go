package credcheck

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseWWWAuthenticate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []string
		want   []challenge
	}{
		{"docker hub", []string{`Bearer realm="https://auth.docker.io/token",service="registry.docker.io"`},
			[]challenge{{"bearer", map[string]string{"realm": "https://auth.docker.io/token", "service": "registry.docker.io"}}}},
		{"ghcr with scope", []string{`Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"`},
			[]challenge{{"bearer", map[string]string{"realm": "https://ghcr.io/token", "service": "ghcr.io", "scope": "repository:user/image:pull"}}}},
		{"ecr basic", []string{`Basic realm="https://123456789012.dkr.ecr.eu-west-3.amazonaws.com/",service="ecr.amazonaws.com"`},
			[]challenge{{"basic", map[string]string{"realm": "https://123456789012.dkr.ecr.eu-west-3.amazonaws.com/", "service": "ecr.amazonaws.com"}}}},
		{"scheme case and spacing", []string{`BEARER  Realm = "r" ,  Service=s`},
			[]challenge{{"bearer", map[string]string{"realm": "r", "service": "s"}}}},
		{"two challenges in one value", []string{`Basic realm="a, b", Bearer realm="https://x/token"`},
			[]challenge{{"basic", map[string]string{"realm": "a, b"}}, {"bearer", map[string]string{"realm": "https://x/token"}}}},
		{"two values", []string{`Negotiate`, `Basic realm="r"`},
			[]challenge{{"negotiate", map[string]string{}}, {"basic", map[string]string{"realm": "r"}}}},
		{"escaped quote", []string{`Basic realm="say \"hi\" \\ now"`},
			[]challenge{{"basic", map[string]string{"realm": `say "hi" \ now`}}}},
		{"duplicate parameter keeps the first", []string{`Bearer realm="first",realm="second"`},
			[]challenge{{"bearer", map[string]string{"realm": "first"}}}},
		{"unterminated quote keeps the scheme", []string{`Bearer realm="https://x`},
			[]challenge{{"bearer", map[string]string{}}}},
		{"token68 is not a parameter", []string{`Negotiate abc==`},
			[]challenge{{"negotiate", map[string]string{"abc": ""}}}},
		{"empty", []string{""}, nil},
		{"nothing readable", []string{`"realm"`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseWWWAuthenticate(tc.values); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func FuzzParseWWWAuthenticate(f *testing.F) {
	for _, seed := range []string{
		`Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull"`,
		`Basic realm="a, b", Bearer realm="x"`,
		`Basic realm="say \"hi\""`,
		`Negotiate abc==, Basic`,
		`Bearer realm="unterminated`,
		`,,, = "" ,=`,
		"\x00\xff",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		for _, ch := range parseWWWAuthenticate([]string{header}) {
			if ch.Scheme == "" || ch.Scheme != strings.ToLower(ch.Scheme) {
				t.Fatalf("bad scheme %q", ch.Scheme)
			}
			for _, c := range []byte(ch.Scheme) {
				if !isTokenChar(c) {
					t.Fatalf("scheme %q is not a token", ch.Scheme)
				}
			}
			for name := range ch.Params {
				if name == "" || name != strings.ToLower(name) {
					t.Fatalf("bad parameter name %q", name)
				}
			}
		}
	})
}
