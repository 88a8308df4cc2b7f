package validate

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/orgql/orgql/internal/apperr"
)

func field(t *testing.T, err error) string {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.CodeBadUserInput {
		t.Fatalf("want BAD_USER_INPUT, got %v", err)
	}
	return e.Field
}

func TestHTTPURL(t *testing.T) {
	for _, ok := range []string{"", "https://acme.dev", "http://acme.dev/about?x=1"} {
		if _, err := HTTPURL("input.websiteURL", ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"acme.dev", "ftp://acme.dev", "javascript:alert(1)", "https://", "http//x"} {
		_, err := HTTPURL("input.websiteURL", bad)
		if f := field(t, err); f != "input.websiteURL" {
			t.Errorf("%q: field %q", bad, f)
		}
	}
}

func TestEmails(t *testing.T) {
	got, err := Emails("input.adminContactEmails", []string{"Ops@Acme.dev", "ops@acme.dev", "cto@acme.dev"})
	if err != nil || len(got) != 2 || got[0] != "ops@acme.dev" {
		t.Fatalf("got %v, %v", got, err)
	}
	for i, bad := range []string{"not-an-email", "a@b", "Bob <bob@acme.dev>", ""} {
		_, err := Emails("input.adminContactEmails", []string{"ok@acme.dev", bad})
		if f := field(t, err); f != "input.adminContactEmails.1" {
			t.Errorf("case %d %q: field %q", i, bad, f)
		}
	}
}

func TestName(t *testing.T) {
	if _, err := Name("input.name", "Acme", 255); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "   ", " Acme", string(make([]rune, 256))} {
		if f := field(t, func() error { _, err := Name("input.name", bad, 255); return err }()); f != "input.name" {
			t.Errorf("%q: field %q", bad, f)
		}
	}
}

// An accepted address is lower case, single-line, at most 254 bytes, with
// a dot in its domain, and accepted again as itself.
func FuzzEmail(f *testing.F) {
	for _, seed := range []string{"ops@acme.dev", "<>@", "Ops <ops@acme.dev>", "ops@acme", "OPS@ACME.DEV", "o\u202eps@acme.dev", "\"a b\"@acme.dev"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Email("f", s)
		if err != nil {
			if field(t, err) != "f" {
				t.Fatalf("refusal of %q names another field", s)
			}
			return
		}
		if e == "" || e != strings.ToLower(e) || len(e) > 254 || lineRule(e) != nil || !strings.Contains(e[strings.LastIndexByte(e, '@'):], ".") {
			t.Fatalf("Email(%q) accepted %q", s, e)
		}
		if again, err := Email("f", e); err != nil || again != e {
			t.Fatalf("Email(%q) = %q, which is not accepted as itself: %q, %v", s, e, again, err)
		}
	})
}

// An accepted URL is http or https with a host, single-line, at most MaxURL
// bytes, and kept as given.
func FuzzHTTPURL(f *testing.F) {
	for _, seed := range []string{"https://acme.dev", "http://acme.dev/about?x=1", "javascript:alert(1)", "https:///x", "//acme.dev", "HTTPS://ACME.DEV", "https://acme.dev/\u2028"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := HTTPURL("f", s)
		if err != nil {
			if field(t, err) != "f" {
				t.Fatalf("refusal of %q names another field", s)
			}
			return
		}
		if u != s {
			t.Fatalf("HTTPURL(%q) changed it to %q", s, u)
		}
		if s == "" {
			return
		}
		p, perr := url.Parse(s)
		if perr != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || len(s) > MaxURL || lineRule(s) != nil {
			t.Fatalf("HTTPURL accepted %q", s)
		}
	})
}

// An accepted name is non-empty, trimmed, single-line and within its length;
// an accepted text within its length and free of refused controls.
func FuzzNameAndText(f *testing.F) {
	for _, seed := range []string{"Acme", " Acme", "Ac\u200bme", "アクメ", "👩\u200d💻 team", "a\tb", "line\nbreak", "\xff\xfe"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := Name("input.name", s, 20); err == nil {
			if strings.TrimSpace(s) != s || s == "" || utf8.RuneCountInString(s) > 20 || strings.IndexFunc(s, refusedInLine) >= 0 {
				t.Fatalf("Name accepted %q", s)
			}
		} else if field(t, err) != "input.name" {
			t.Fatalf("refusal of %q names another field", s)
		}
		if _, err := Text("input.description", s, 20); err == nil {
			if utf8.RuneCountInString(s) > 20 || strings.IndexFunc(s, refusedInText) >= 0 {
				t.Fatalf("Text accepted %q", s)
			}
		} else if field(t, err) != "input.description" {
			t.Fatalf("refusal of %q names another field", s)
		}
	})
}

func TestNameKeyMakesLookAlikesCollide(t *testing.T) {
	for _, tc := range []struct{ name, lookAlike string }{
		{"Owner", "owner"},
		{"Owner", "OWNER"},
		{"Owner", "\u041ewner"},                     // Cyrillic capital O
		{"Owner", "\u043ewner"},                     // Cyrillic small o
		{"Owner", "Own\u0435r"},                     // Cyrillic small ie
		{"Owner", "\u039fwner"},                     // Greek capital omicron
		{"Owner", "\u03bfwner"},                     // Greek small omicron
		{"Owner", "\uff2f\uff57\uff4e\uff45\uff52"}, // fullwidth
		{"Owner", "0wner"},                          // the skeleton maps 0 to O
		{"Owner", "Ow\u200bner"},                    // zero-width space
		{"Owner", "Ow\u200dner"},                    // zero-width joiner
		{"Owner", "Own\u00ader"},                    // soft hyphen
		{"Owner", "O\ufe0fwner"},                    // variation selector
		{"Owner", "O\u034fwner"},                    // combining grapheme joiner
		{"Owner", " Owner "},
		{"\u00d6wner", "O\u0308wner"}, // precomposed and combining diaeresis
		{"Billing Manager", "Billing  Manager"},
		{"Billing Manager", "Billing\u00a0Manager"},
		{"Acme", "Acrne"},
		{"Hello", "\u041dello"},   // Cyrillic capital en
		{"Paypal", "\u03a1aypal"}, // Greek capital rho
		{"Viewer", "V\u0456ewer"}, // Cyrillic i
		{"DevOps", "\u13a0evOps"}, // Cherokee D
		{"Straße", "STRASSE"},
		{"file", "\ufb01le"}, // ligature
		{"l", "1"},
		{"DevOps", "De\u03bdOps"},                       // Greek nu
		{"BMW KTH", "\u0412\u041cW \u041a\u0422\u041d"}, // Cyrillic capitals
		{"bmw kth", "\u0432\u043cw \u043a\u0442\u043d"}, // their folded forms
	} {
		if a, b := NameKey(tc.name), NameKey(tc.lookAlike); a != b {
			t.Errorf("%q and %q look alike but have keys %q and %q", tc.name, tc.lookAlike, a, b)
		}
	}
	for _, tc := range []struct{ a, b string }{
		{"Owner", "Owners"},
		{"Owner", "\u00d6wner"},
		{"Acme", "Acne"},
		{"Ops", "Dev Ops"},
		{"Billing Manager", "BillingManager"},
	} {
		if NameKey(tc.a) == NameKey(tc.b) {
			t.Errorf("%q and %q differ but share the key %q", tc.a, tc.b, NameKey(tc.a))
		}
	}
}

func FuzzNameKeyIsStable(f *testing.F) {
	f.Add("\u041ewner")
	f.Add("Acme")
	f.Add("\uab73") // CHEROKEE SMALL LETTER: its key and its capital's mapped onto each other
	f.Fuzz(func(t *testing.T, s string) {
		if k := NameKey(s); NameKey(k) != k {
			t.Fatalf("NameKey(%q) = %q, but NameKey of that is %q", s, k, NameKey(k))
		}
	})
}

func TestSingleLineFieldsRefuseControlAndInvisibleCharacters(t *testing.T) {
	bad := []string{"\x00", "\x01", "\t", "\n", "\r", "\x1b", "\x7f", "\u0085", "\u009f",
		"\u2028", "\u2029", "\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c",
		"\u200b", "\u2060", "\ufeff"}
	checks := map[string]func(string) error{
		"name":  func(s string) error { _, err := Name("input.name", "Ac"+s+"me", 100); return err },
		"url":   func(s string) error { _, err := HTTPURL("input.name", "https://acme.dev/"+s); return err },
		"email": func(s string) error { _, err := Email("input.name", "ops"+s+"@acme.dev"); return err },
	}
	for kind, check := range checks {
		for _, c := range bad {
			if f := field(t, check(c)); f != "input.name" {
				t.Errorf("%s with %q: field %q", kind, c, f)
			}
		}
	}
	// Letters of every script, emoji with joiners, and ZWNJ that Persian needs pass.
	for _, ok := range []string{"Акме", "アクメ", "👩\u200d💻 team", "می\u200cخواهم", "Ö"} {
		if _, err := Name("input.name", ok, 100); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
}

func TestTextKeepsLineBreaksAndTabsOnly(t *testing.T) {
	if _, err := Text("input.description", "Rockets\n\tand\r\nroller skates \u202eRTL\u202c", 100); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"\x00", "\x01", "\x1b", "\x7f", "\u0085", "\u009b"} {
		_, err := Text("input.description", "a"+c+"b", 100)
		if f := field(t, err); f != "input.description" {
			t.Errorf("%q: field %q", c, f)
		}
	}
}

func TestNoNUL(t *testing.T) {
	if err := NoNUL("where.nameContains", "acme"); err != nil {
		t.Fatal(err)
	}
	if f := field(t, NoNUL("where.nameContains", "ac\x00me")); f != "where.nameContains" {
		t.Fatalf("field %q", f)
	}
}

func TestStorable(t *testing.T) {
	for _, ok := range []string{"", "acme", "été", "👩\u200d💻"} {
		if err := Storable("f", ok); err != nil {
			t.Errorf("Storable(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"a\x00", "\xff", "a\xc3", "\xed\xa0\x80", "\xf0\x9f"} {
		if f := field(t, Storable("f", bad)); f != "f" {
			t.Errorf("Storable(%q): field %q", bad, f)
		}
	}
}
