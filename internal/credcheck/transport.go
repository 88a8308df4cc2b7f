package credcheck

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
)

const (
	// maxBody caps what is read of any answer: enough for a token, a user
	// or the head of a Helm index, and no more.
	maxBody      = 1 << 20
	maxRedirects = 3
	userAgent    = "orgql-credcheck"
)

var (
	errRedirectNotHTTPS = errors.New("redirect to a non-https URL")
	errTooManyRedirects = errors.New("too many redirects")
)

// credentialHeaders are dropped from a redirect to another host. Go drops
// Authorization itself, but not a provider's own header such as GitLab's.
var credentialHeaders = []string{"Authorization", "Private-Token"}

// client builds the HTTP client of one check: no proxy from the
// environment (it would bypass the address guard), the guard at dial time,
// and the redirect rules.
func (c *Checker) client(skipTLSVerification bool) *http.Client {
	dialer := &net.Dialer{}
	if !c.AllowPrivateNetworks {
		dialer.Control = c.dialControl
	}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:       nil,
			DialContext: dialer.DialContext,
			TLSClientConfig: &tls.Config{
				RootCAs:    c.RootCAs,
				MinVersion: tls.VersionTLS12,
				// Only a Helm repository's own setting asks for this.
				InsecureSkipVerify: skipTLSVerification, //nolint:gosec
			},
			ForceAttemptHTTP2:      true,
			MaxResponseHeaderBytes: 64 << 10,
		},
		CheckRedirect: checkRedirect,
	}
}

func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return errTooManyRedirects
	}
	if req.URL.Scheme != "https" {
		return errRedirectNotHTTPS
	}
	if req.URL.Host != via[0].URL.Host {
		for _, h := range credentialHeaders {
			req.Header.Del(h)
		}
	}
	return nil
}

// answer is what a request got back, its body cut at maxBody.
type answer struct {
	status    int
	header    http.Header
	body      []byte
	truncated bool
}

func newRequest(ctx context.Context, method string, u *url.URL) *http.Request {
	return newRequestWithBody(ctx, method, u, nil)
}

func newRequestWithBody(ctx context.Context, method string, u *url.URL, body []byte) *http.Request {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		// Only reachable with a bad method or a nil context: a programming error.
		panic(err)
	}
	req.Header.Set("User-Agent", userAgent)
	return req
}

// send runs req and reads at most maxBody of the answer.
func send(cl *http.Client, req *http.Request) (*answer, error) {
	resp, err := cl.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, err
	}
	a := &answer{status: resp.StatusCode, header: resp.Header, body: body}
	if len(body) > maxBody {
		a.body, a.truncated = body[:maxBody], true
	}
	return a, nil
}

// failure turns a transport error into a Result. It says what happened in
// fixed words: Go's error texts carry URLs and remote text, so none of them
// is ever passed on.
func (c *Checker) failure(ctx context.Context, err error) Result {
	var (
		netErr      net.Error
		dnsErr      *net.DNSError
		unknownCA   x509.UnknownAuthorityError
		hostnameErr x509.HostnameError
		invalidCert x509.CertificateInvalidError
		recordErr   tls.RecordHeaderError
		alertErr    tls.AlertError
		verifyErr   *tls.CertificateVerificationError
	)
	switch {
	case errors.Is(err, errBlockedAddress):
		return result(BlockedAddress, "the host resolves to a private, loopback or otherwise non-public address, which orgql does not connect to")
	case errors.Is(err, errRedirectNotHTTPS):
		return result(UnexpectedResponse, "the host redirected to a non-https address, which orgql does not follow")
	case errors.Is(err, errTooManyRedirects):
		return result(UnexpectedResponse, "the host redirected more than %d times", maxRedirects)
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return result(Timeout, "no answer within %s", c.timeout())
	case ctx.Err() != nil:
		return result(Timeout, "the check was cancelled before an answer came")
	case errors.As(err, &unknownCA):
		return result(TLSError, "the host's TLS certificate is not issued by a trusted authority")
	case errors.As(err, &hostnameErr):
		return result(TLSError, "the host's TLS certificate is not valid for this host name")
	case errors.As(err, &invalidCert):
		return result(TLSError, "the host's TLS certificate is expired or otherwise invalid")
	case errors.As(err, &verifyErr):
		return result(TLSError, "the host's TLS certificate could not be verified")
	case errors.Is(err, http.ErrSchemeMismatch), errors.As(err, &recordErr):
		return result(TLSError, "the host does not speak TLS on this port")
	case errors.As(err, &alertErr):
		return result(TLSError, "the TLS handshake with the host failed")
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return result(Unreachable, "the host name does not resolve")
		}
		return result(Unreachable, "the host name could not be resolved")
	case errors.Is(err, syscall.ECONNREFUSED):
		return result(Unreachable, "the host refused the connection")
	default:
		return result(Unreachable, "the host could not be reached, or closed the connection before answering")
	}
}

// parseHTTPS reads a stored base URL: https only, no credentials in it.
func parseHTTPS(raw, what string) (*url.URL, *Result) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		r := result(InvalidConfiguration, "the %s is not a valid URL", what)
		return nil, &r
	}
	if u.User != nil {
		r := result(InvalidConfiguration, "the %s must not contain credentials", what)
		return nil, &r
	}
	if u.Scheme != "https" {
		r := result(InvalidConfiguration, "the %s must be an https:// URL", what)
		return nil, &r
	}
	return u, nil
}

// endpoint is base with path appended to its own path.
func endpoint(base *url.URL, path string) *url.URL {
	u := *base
	u.RawQuery, u.Fragment, u.RawPath = "", "", ""
	u.Path = trimSlash(u.Path) + path
	return &u
}

func trimSlash(p string) string {
	for len(p) > 0 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	return p
}

// statusResult words an answer's status code nobody expected.
func statusResult(code int, who string) Result {
	switch {
	case code == http.StatusTooManyRequests:
		return result(UnexpectedResponse, "%s is rate limiting requests (429); try again later", who)
	case code >= 500:
		return result(UnexpectedResponse, "%s answered with a server error (%d)", who, code)
	default:
		return result(UnexpectedResponse, "%s answered with an unexpected status (%d)", who, code)
	}
}
