package testkit

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http/httptest"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTPServer is an SMTP server on loopback (github.com/emersion/go-smtp)
// that keeps the messages it receives, for tests of the mailer.
type SMTPServer struct {
	Host string
	Port int
	// RootCAs trusts the server's certificate (for 127.0.0.1).
	RootCAs *x509.CertPool

	mu       sync.Mutex
	messages []SMTPMessage
	opts     SMTPOptions
	failures int
}

// SMTPOptions shape the server.
type SMTPOptions struct {
	// TLS: "starttls" (offered; the default), "tls" (from the first byte) or "none".
	TLS string
	// Username and Password, when set, are required (AUTH PLAIN).
	Username, Password string
	// TempFailures is how many messages are answered 451 (try again later) before one is taken.
	TempFailures int
	// Refuse answers every recipient 550.
	Refuse bool
}

// SMTPMessage is one message received.
type SMTPMessage struct {
	From string
	To   []string
	Data []byte
}

// NewSMTPServer starts an SMTP server on 127.0.0.1, stopped at the end of t.
func NewSMTPServer(t testing.TB, opts SMTPOptions) *SMTPServer {
	t.Helper()
	// httptest's certificate is valid for 127.0.0.1.
	certSource := httptest.NewUnstartedServer(nil)
	certSource.StartTLS()
	cert := certSource.TLS.Certificates[0]
	certSource.Close()
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)

	s := &SMTPServer{Host: "127.0.0.1", RootCAs: pool, opts: opts}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = opts.TLS == "none"
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch opts.TLS {
	case "tls":
		ln = tls.NewListener(ln, tlsConfig)
	case "none":
	default:
		srv.TLSConfig = tlsConfig
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	s.Port, _ = strconv.Atoi(port)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Messages returns the messages received so far.
func (s *SMTPServer) Messages() []SMTPMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SMTPMessage(nil), s.messages...)
}

// Attempts counts the messages refused with 451 so far.
func (s *SMTPServer) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failures
}

type smtpSession struct {
	s      *SMTPServer
	authed bool
	msg    SMTPMessage
}

func (x *smtpSession) AuthMechanisms() []string {
	if x.s.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.s.opts.Username || pass != x.s.opts.Password {
			return errors.New("invalid credentials")
		}
		x.authed = true
		return nil
	}), nil
}

func (x *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.opts.Username != "" && !x.authed {
		return smtp.ErrAuthRequired
	}
	x.msg = SMTPMessage{From: from}
	return nil
}

func (x *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if x.s.opts.Refuse {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	x.msg.To = append(x.msg.To, to)
	return nil
}

func (x *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.failures < x.s.opts.TempFailures {
		x.s.failures++
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	x.msg.Data = b
	x.s.messages = append(x.s.messages, x.msg)
	return nil
}

func (x *smtpSession) Reset()        { x.msg = SMTPMessage{} }
func (x *smtpSession) Logout() error { return nil }

// Parts reads a received message: its subject and its text/plain and
// text/html parts, decoded.
func (m SMTPMessage) Parts(t testing.TB) (subject, text, html string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	subject, _ = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mediaType, "multipart/") {
		t.Fatalf("message is %q, not multipart: %v", mediaType, err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			text = string(b)
		case "text/html":
			html = string(b)
		}
	}
	return subject, text, html
}
