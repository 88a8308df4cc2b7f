package token

import (
	"strings"
	"testing"
)

func TestNewTokensCheck(t *testing.T) {
	for _, kind := range []string{Session, APIToken, Invitation} {
		tok := New(kind)
		if !strings.HasPrefix(tok, kind) || len(tok) != len(kind)+randomLen+checksumLen {
			t.Fatalf("bad shape %q", tok)
		}
		if err := Check(kind, tok); err != nil {
			t.Fatalf("Check(%q) = %v", tok, err)
		}
		if New(kind) == tok {
			t.Fatal("two tokens are equal")
		}
	}
}

func TestCheckRefusesTamperedTokens(t *testing.T) {
	tok := New(Session)
	last := tok[len(tok)-1]
	flip := byte('A')
	if last == 'A' {
		flip = 'B'
	}
	cases := map[string]string{
		"wrong kind":   strings.Replace(tok, Session, APIToken, 1),
		"bad checksum": tok[:len(tok)-1] + string(flip),
		"changed body": tok[:6] + string(rune(tok[6]^1)) + tok[7:],
		"short":        tok[:len(tok)-1],
		"non-alphabet": tok[:8] + "-" + tok[9:],
		"empty":        "",
		"prefix only":  Session,
	}
	for name, bad := range cases {
		if err := Check(Session, bad); err == nil {
			t.Errorf("%s: Check(%q) accepted", name, bad)
		}
	}
}

func TestHashIsStableAndHidesTheToken(t *testing.T) {
	tok := New(Invitation)
	if Hash(tok) != Hash(tok) || len(Hash(tok)) != 64 || strings.Contains(Hash(tok), tok[4:]) {
		t.Fatal("hash is not a stable hex SHA-256")
	}
}

// Check accepts a string only in the one shape New makes, for one kind:
// the prefix, 30 characters of the alphabet and the checksum of those; a
// one-character change to an accepted token is refused.
func FuzzCheck(f *testing.F) {
	for _, kind := range []string{Session, APIToken, Invitation} {
		f.Add(New(kind))
	}
	f.Add("oqs_")
	f.Add("oqs_0000000000000000000000000000000000")
	f.Add("OQS_" + New(Session)[4:])
	f.Add(New(Session) + "\n")
	f.Fuzz(func(t *testing.T, s string) {
		accepted := 0
		for _, kind := range []string{Session, APIToken, Invitation} {
			if Check(kind, s) != nil {
				continue
			}
			accepted++
			body := strings.TrimPrefix(s, kind)
			if !strings.HasPrefix(s, kind) || len(body) != randomLen+checksumLen || strings.Trim(body, alphabet) != "" || checksum(body[:randomLen]) != body[randomLen:] {
				t.Fatalf("Check(%q, %q) accepted it", kind, s)
			}
			for i := len(kind); i < len(s); i++ {
				for _, c := range []byte{'0', 'z', 'Z'} {
					if c == s[i] {
						continue
					}
					if changed := s[:i] + string(c) + s[i+1:]; Check(kind, changed) == nil {
						t.Fatalf("Check accepted both %q and %q", s, changed)
					}
				}
			}
		}
		if accepted > 1 {
			t.Fatalf("%q is a token of %d kinds", s, accepted)
		}
	})
}
