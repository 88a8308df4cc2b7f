package credcheck_test

import (
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/credcheck"
)

// Distinctive secret values: every check runs with these, and no Result
// message may ever contain one of them.
const (
	secretPassword = "pw-S3CR3T-d41d8cd98f"
	secretToken    = "tok-S3CR3T-9e107d9d37"
	secretAWSKey   = "aws-S3CR3T-e4d909c290"
	secretScaleway = "scw-S3CR3T-0cc175b9c0"
	secretJSONKey  = `{"type":"service_account","private_key":"gcp-S3CR3T-92eb5ffee6"}`
	secretECRLogin = "ecr-login-S3CR3T-7215ee9c7d"
	registryUser   = "robot"
	awsKeyID       = "AKIAFAKEKEYID"
	bitbucketSpace = "acme-team"
	fakeService    = "fake-registry"
)

var allSecrets = []string{secretPassword, secretToken, secretAWSKey, secretScaleway, secretJSONKey, "gcp-S3CR3T-92eb5ffee6", secretECRLogin}

// fake is a TLS server on loopback that records what it was asked.
type fake struct {
	*httptest.Server
	requests chan *http.Request
}

func newFake(t *testing.T, h http.HandlerFunc) *fake {
	t.Helper()
	f := &fake{requests: make(chan *http.Request, 100)}
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case f.requests <- r.Clone(r.Context()):
		default:
		}
		h(w, r)
	}))
	// The fakes' own TLS handshake complaints are not the checker's logs.
	f.Config.ErrorLog = log.New(io.Discard, "", 0)
	f.StartTLS()
	t.Cleanup(f.Close)
	return f
}

// host is the fake's host:port.
func (f *fake) host() string { return strings.TrimPrefix(f.URL, "https://") }

// seen lists the requests the fake received so far.
func (f *fake) seen() []*http.Request {
	var out []*http.Request
	for {
		select {
		case r := <-f.requests:
			out = append(out, r)
		default:
			return out
		}
	}
}

// checker trusts the fakes' certificate (httptest servers share one) and
// lets the checks reach loopback.
func checker(f *fake) *credcheck.Checker {
	pool := x509.NewCertPool()
	pool.AddCert(f.Certificate())
	return &credcheck.Checker{RootCAs: pool, AllowPrivateNetworks: true, Timeout: 5 * time.Second}
}

// hang never answers: it waits until the client gives up (which the server
// notices only once the request's body is read), then drops the connection.
// Returning would write a 200 that can still beat the client's close.
func hang(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(30 * time.Second):
	}
	panic(http.ErrAbortHandler)
}

// closedURL is the address of a server that is gone: the connection is
// refused.
func closedURL(t *testing.T) string {
	t.Helper()
	s := httptest.NewTLSServer(http.NotFoundHandler())
	u := s.URL
	s.Close()
	return u
}

// expect asserts a Result's status and that its message says something and
// holds no secret.
func expect(t *testing.T, r credcheck.Result, want credcheck.Status) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status = %s (%q), want %s", r.Status, r.Message, want)
	}
	if strings.TrimSpace(r.Message) == "" {
		t.Fatalf("status %s has no message", r.Status)
	}
	noSecret(t, r.Message)
}

func noSecret(t *testing.T, s string) {
	t.Helper()
	for _, secret := range allSecrets {
		if strings.Contains(s, secret) {
			t.Fatalf("a secret leaked into %q", s)
		}
	}
}

// newPlainServer is a plain-HTTP server answering everyone 200; its
// host:port does not speak TLS. It counts the requests it gets.
func newPlainServer(t *testing.T) (hostport string, requests func() int) {
	t.Helper()
	var mu sync.Mutex
	n := 0
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		mu.Unlock()
		fmt.Fprint(w, helmIndex)
	}))
	t.Cleanup(s.Close)
	return strings.TrimPrefix(s.URL, "http://"), func() int {
		mu.Lock()
		defer mu.Unlock()
		return n
	}
}
