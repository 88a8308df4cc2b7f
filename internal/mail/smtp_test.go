package mail_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/mail"
	"github.com/orgql/orgql/internal/members"
	"github.com/orgql/orgql/internal/testkit"
)

var invitation = members.InvitationMail{
	To: "bob@acme.dev", OrganizationName: "Acme & <Co>", InviterName: "Alice", RoleName: "Viewer",
	Link: "https://orgql.example/invitations/accept?token=oqi_0123456789abcdefghijABCDEFGHIJ000000",
}

func mailer(t *testing.T, srv *testkit.SMTPServer, tlsMode, user, pass string, logs *bytes.Buffer) *mail.SMTP {
	t.Helper()
	m, err := mail.NewSMTP(mail.Settings{
		Host: srv.Host, Port: srv.Port, Username: user, Password: pass, From: "orgql <noreply@orgql.example>",
		TLS: tlsMode, Timeout: 5 * time.Second, TLSConfig: &tls.Config{RootCAs: srv.RootCAs, MinVersion: tls.VersionTLS12},
	}, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	m.Backoff = time.Millisecond
	return m
}

// An invitation goes out over STARTTLS or TLS, authenticated, with a
// plain-text and an HTML part that both carry the link; the HTML escapes
// the names; the log holds neither the link nor the token.
func TestInvitationIsSentWithTextAndHTMLParts(t *testing.T) {
	for _, mode := range []string{"starttls", "tls"} {
		t.Run(mode, func(t *testing.T) {
			srv := testkit.NewSMTPServer(t, testkit.SMTPOptions{TLS: mode, Username: "orgql", Password: "s3cret"})
			var logs bytes.Buffer
			if err := mailer(t, srv, mode, "orgql", "s3cret", &logs).SendInvitation(context.Background(), invitation); err != nil {
				t.Fatal(err)
			}
			msgs := srv.Messages()
			if len(msgs) != 1 || msgs[0].From != "noreply@orgql.example" || len(msgs[0].To) != 1 || msgs[0].To[0] != "bob@acme.dev" {
				t.Fatalf("received %+v", msgs)
			}
			subject, text, html := msgs[0].Parts(t)
			if subject != "Alice invited you to Acme & <Co> on orgql" {
				t.Errorf("subject %q", subject)
			}
			if !strings.Contains(text, invitation.Link) || !strings.Contains(text, "Acme & <Co>") || !strings.Contains(text, "Viewer") {
				t.Errorf("text part:\n%s", text)
			}
			if !strings.Contains(html, `href="`+strings.ReplaceAll(invitation.Link, "&", "&amp;")+`"`) || !strings.Contains(html, "Acme &amp; &lt;Co&gt;") {
				t.Errorf("HTML part:\n%s", html)
			}
			if strings.Contains(logs.String(), "oqi_") {
				t.Errorf("the log holds the token:\n%s", logs.String())
			}
		})
	}
}

// STARTTLS is required in starttls mode: a server that does not offer it
// gets nothing, and neither do credentials the server refuses.
func TestNoMailWithoutTLSOrWithBadCredentials(t *testing.T) {
	plain := testkit.NewSMTPServer(t, testkit.SMTPOptions{TLS: "none"})
	if err := mailer(t, plain, "starttls", "", "", &bytes.Buffer{}).SendInvitation(context.Background(), invitation); err == nil || len(plain.Messages()) != 0 {
		t.Fatalf("sent without STARTTLS: %v, %d messages", err, len(plain.Messages()))
	}
	authed := testkit.NewSMTPServer(t, testkit.SMTPOptions{Username: "orgql", Password: "s3cret"})
	var logs bytes.Buffer
	err := mailer(t, authed, "starttls", "orgql", "wrong-password", &logs).SendInvitation(context.Background(), invitation)
	if err == nil || len(authed.Messages()) != 0 {
		t.Fatalf("sent with a wrong password: %v", err)
	}
	if strings.Contains(logs.String()+err.Error(), "wrong-password") {
		t.Fatalf("the password shows: %v\n%s", err, logs.String())
	}
	// Credentials never go over a connection without TLS.
	plainAuth := testkit.NewSMTPServer(t, testkit.SMTPOptions{TLS: "none", Username: "orgql", Password: "s3cret"})
	if err := mailer(t, plainAuth, "none", "orgql", "s3cret", &bytes.Buffer{}).SendInvitation(context.Background(), invitation); err == nil || len(plainAuth.Messages()) != 0 {
		t.Fatalf("authenticated without TLS: %v", err)
	}
	// Plain text on request, for a relay on the same host.
	if err := mailer(t, plain, "none", "", "", &bytes.Buffer{}).SendInvitation(context.Background(), invitation); err != nil || len(plain.Messages()) != 1 {
		t.Fatalf("none: %v, %d messages", err, len(plain.Messages()))
	}
}

// A temporary refusal (4xx) is retried with backoff and the message arrives
// once; a permanent one (5xx) is not retried; after three temporary
// refusals the mailer gives up.
func TestRetries(t *testing.T) {
	flaky := testkit.NewSMTPServer(t, testkit.SMTPOptions{TempFailures: 2})
	var logs bytes.Buffer
	if err := mailer(t, flaky, "starttls", "", "", &logs).SendInvitation(context.Background(), invitation); err != nil {
		t.Fatal(err)
	}
	if n := len(flaky.Messages()); n != 1 || flaky.Attempts() != 2 || strings.Count(logs.String(), "trying again") != 2 {
		t.Fatalf("%d messages after %d refusals; log:\n%s", n, flaky.Attempts(), logs.String())
	}
	if strings.Contains(logs.String(), "oqi_") {
		t.Fatalf("the log holds the token:\n%s", logs.String())
	}

	down := testkit.NewSMTPServer(t, testkit.SMTPOptions{TempFailures: 10})
	if err := mailer(t, down, "starttls", "", "", &bytes.Buffer{}).SendInvitation(context.Background(), invitation); err == nil || down.Attempts() != 3 {
		t.Fatalf("a server that keeps refusing: %v after %d attempts", err, down.Attempts())
	}

	refusing := testkit.NewSMTPServer(t, testkit.SMTPOptions{Refuse: true})
	logs.Reset()
	if err := mailer(t, refusing, "starttls", "", "", &logs).SendInvitation(context.Background(), invitation); err == nil || strings.Contains(logs.String(), "trying again") {
		t.Fatalf("a permanent refusal: %v; log:\n%s", err, logs.String())
	}
}

// A server that accepts the connection and never answers makes the attempt
// fail at the timeout (and the caller's context ends the retries).
func TestSilentServerTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	m, err := mail.NewSMTP(mail.Settings{Host: "127.0.0.1", Port: port, From: "noreply@orgql.example", TLS: "starttls", Timeout: 200 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m.Backoff = time.Millisecond
	if err := m.SendInvitation(context.Background(), invitation); err == nil {
		t.Fatal("a silent server took the message")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.SendInvitation(ctx, invitation); err == nil {
		t.Fatal("a cancelled context sent the message")
	}
}
