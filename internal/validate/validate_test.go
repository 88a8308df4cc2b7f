package validate

import (
	"testing"

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

func FuzzEmail(f *testing.F) {
	f.Add("ops@acme.dev")
	f.Add("<>@")
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Email("f", s)
		if err == nil && e == "" {
			t.Fatal("accepted an empty address")
		}
	})
}

func FuzzHTTPURL(f *testing.F) {
	f.Add("https://acme.dev")
	f.Fuzz(func(t *testing.T, s string) {
		u, err := HTTPURL("f", s)
		if err == nil && s != "" && u == "" {
			t.Fatal("accepted URL lost")
		}
	})
}
