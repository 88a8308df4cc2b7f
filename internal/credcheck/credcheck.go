// Package credcheck checks a stored third-party credential against the real
// service: a container registry's /v2/ endpoint, a git provider's user
// endpoint, a Helm repository's index or OCI endpoint. A check answers a
// Result, never an error: a status, a short message saying what happened and,
// for git tokens, the expiry the provider reports.
//
// A check never puts a secret into its Result, never echoes what the remote
// answered, and logs nothing. It fetches URLs an organization's settings
// manager chose, so unless AllowPrivateNetworks is set it refuses, at dial
// time, every address that is not public (loopback, private, link-local,
// cloud metadata...), follows at most three redirects and only to https, and
// speaks only https.
package credcheck

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/netip"
	"time"
)

// Status is the outcome of a check.
type Status string

const (
	// OK: the service accepted the credential (or, with no credential,
	// anonymous access works).
	OK Status = "OK"
	// InvalidCredentials: the service refused the credential, or asked for
	// one and none is stored.
	InvalidCredentials Status = "INVALID_CREDENTIALS"
	// Forbidden: the service knows the credential but it does not allow what
	// orgql needs (403, or a token without a required scope).
	Forbidden Status = "FORBIDDEN"
	// NotFound: no registry, repository, workspace or API at that address.
	NotFound Status = "NOT_FOUND"
	// Unreachable: the host name does not resolve, or the host refused or
	// dropped the connection.
	Unreachable Status = "UNREACHABLE"
	// TLSError: the TLS handshake failed (untrusted or mismatched
	// certificate, or the host does not speak TLS).
	TLSError Status = "TLS_ERROR"
	// Timeout: no answer within the check's time.
	Timeout Status = "TIMEOUT"
	// BlockedAddress: the host resolved to an address orgql refuses to
	// connect to (loopback, private, link-local, metadata...).
	BlockedAddress Status = "BLOCKED_ADDRESS"
	// UnexpectedResponse: the service answered something orgql does not
	// understand (an unexpected status, a malformed body, a bad redirect).
	UnexpectedResponse Status = "UNEXPECTED_RESPONSE"
	// InvalidConfiguration: the stored settings cannot be checked as they
	// are (not an https URL, a required credential missing...).
	InvalidConfiguration Status = "INVALID_CONFIGURATION"
	// NotSupported: orgql cannot check this kind of credential; the message
	// says why.
	NotSupported Status = "NOT_SUPPORTED"
)

// Statuses are every Status a check answers.
var Statuses = []Status{OK, InvalidCredentials, Forbidden, NotFound, Unreachable, TLSError, Timeout,
	BlockedAddress, UnexpectedResponse, InvalidConfiguration, NotSupported}

// Result is what a check answers. Message is short, human-readable and never
// contains a secret or anything the remote sent.
type Result struct {
	Status  Status
	Message string
	// ExpiresAt is the git token's expiry, when the provider reports it.
	ExpiresAt *time.Time
}

// OK reports whether the credential works.
func (r Result) OK() bool { return r.Status == OK }

func result(s Status, format string, args ...any) Result {
	return Result{Status: s, Message: fmt.Sprintf(format, args...)}
}

// DefaultTimeout bounds a whole check when Checker.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Checker runs checks. The zero value checks the real services with the
// address guard on; set the URL fields to point a check at fakes. Once set
// up, a Checker is safe for concurrent use. Keep Timeout below the caller's
// own deadline (a GraphQL operation's, say), or that deadline answers first.
type Checker struct {
	// RootCAs are the certificate authorities trusted for TLS; nil means the
	// system's. (The checker always builds its own client, so that the
	// address guard, the redirect rules and per-check TLS settings apply to
	// every request; tests trust their fake's certificate through this.)
	RootCAs *x509.CertPool
	// Timeout bounds a whole check, every request included; zero means
	// DefaultTimeout.
	Timeout time.Duration
	// AllowPrivateNetworks turns the address guard off, for tests and
	// development against services on loopback or a private network.
	AllowPrivateNetworks bool

	// Default base URLs; empty means the real service.
	GitHubAPI         string // https://api.github.com
	GitLabURL         string // https://gitlab.com
	BitbucketAPI      string // https://api.bitbucket.org
	DockerHubRegistry string // https://registry-1.docker.io, what the stored https://docker.io means
	// ECREndpoint replaces https://api.ecr.<region>.amazonaws.com and
	// ECRPublicEndpoint https://api.ecr-public.us-east-1.amazonaws.com.
	ECREndpoint       string
	ECRPublicEndpoint string

	// now is the clock for request signing; nil means time.Now.
	now func() time.Time
	// treatAsPublic lets tests put a loopback fake on the "public" side of
	// the address guard, to prove what lies behind it is refused.
	treatAsPublic map[netip.AddrPort]bool
}

func (c *Checker) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

func (c *Checker) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

func orDefault(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// bounded gives a check its deadline.
func (c *Checker) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout())
}
