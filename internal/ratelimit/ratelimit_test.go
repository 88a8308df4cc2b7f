package ratelimit

import (
	"net/http/httptest"
	"testing"
)

func TestClientAddress(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.1:555"
	if got := ClientAddress(r, ""); got != "10.0.0.1" {
		t.Fatal(got)
	}
	r.Header.Add("X-Forwarded-For", "1.1.1.1, 2.2.2.2")
	r.Header.Add("X-Forwarded-For", "3.3.3.3, 198.51.100.9")
	if got := ClientAddress(r, "X-Forwarded-For"); got != "198.51.100.9" {
		t.Fatal(got)
	}
	if got := ClientAddress(r, ""); got != "10.0.0.1" {
		t.Fatalf("the header is read only when configured: %s", got)
	}
	r.Header.Set("X-Real-IP", "not an address")
	if got := ClientAddress(r, "X-Real-IP"); got != "10.0.0.1" {
		t.Fatalf("a header that is not an address: %s", got)
	}
}

func TestStateRemaining(t *testing.T) {
	if s := (State{Limit: 10, Used: 12}); s.Remaining() != 0 || !s.Over() {
		t.Fatal(s)
	}
	if s := (State{Limit: 10, Used: 10}); s.Remaining() != 0 || s.Over() {
		t.Fatal(s)
	}
}
