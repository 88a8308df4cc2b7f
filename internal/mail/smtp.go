// Package mail sends orgql's e-mails (invitations) through an SMTP server,
// with github.com/wneessen/go-mail: TLS (STARTTLS required, or TLS from the
// first byte), authentication, a timeout per attempt, and retries with
// backoff for failures that may pass. Each message has a plain-text and an
// HTML part. The message body carries the invitation link, and so its
// token: nothing here logs the body or the link.
package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"log/slog"
	"strings"
	texttemplate "text/template"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/orgql/orgql/internal/members"
)

// Settings say how to reach the SMTP server (docs/configuration.md, ORGQL_SMTP_*).
type Settings struct {
	Host string
	// Port 0 is the TLS mode's port: 587 for starttls, 465 for tls, 25 for none.
	Port               int
	Username, Password string
	From               string
	// TLS is "starttls" (the server must offer STARTTLS), "tls" or "none".
	TLS string
	// Timeout bounds one attempt: connecting, every command, the message.
	Timeout time.Duration
	// TLSConfig replaces the default TLS settings (tests trust their own CA).
	TLSConfig *tls.Config
}

// Delivery attempts and the wait before the second; it doubles after each.
const (
	attempts       = 3
	defaultBackoff = 500 * time.Millisecond
)

// SMTP is the members.Mailer that sends invitations through an SMTP server.
type SMTP struct {
	settings Settings
	options  []gomail.Option
	logger   *slog.Logger
	// Backoff is the wait before the second attempt (tests shorten it).
	Backoff time.Duration
}

var _ members.Mailer = (*SMTP)(nil)

// NewSMTP returns the mailer for s; it does not connect yet.
func NewSMTP(s Settings, logger *slog.Logger) (*SMTP, error) {
	if s.Host == "" || s.From == "" {
		return nil, errors.New("smtp: host and from are required")
	}
	tlsConfig := s.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tlsConfig = tlsConfig.Clone()
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = s.Host
	}
	opts := []gomail.Option{gomail.WithTimeout(s.Timeout), gomail.WithTLSConfig(tlsConfig)}
	port := s.Port
	switch s.TLS {
	case "starttls", "":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		port = or(port, gomail.DefaultPortTLS)
	case "tls":
		opts = append(opts, gomail.WithSSL())
		port = or(port, gomail.DefaultPortSSL)
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
		port = or(port, gomail.DefaultPort)
	default:
		return nil, fmt.Errorf("smtp: TLS mode %q: want starttls, tls or none", s.TLS)
	}
	opts = append(opts, gomail.WithPort(port))
	if s.Username != "" {
		// The strongest mechanism the server offers; PLAIN and LOGIN only over TLS.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &SMTP{settings: s, options: opts, logger: logger, Backoff: defaultBackoff}, nil
}

func or(port, def int) int {
	if port == 0 {
		return def
	}
	return port
}

// SendInvitation sends the invitation e-mail, trying up to three times
// while the failure may pass (a connection failure, a 4xx answer); a
// permanent refusal (5xx) is not retried.
func (m *SMTP) SendInvitation(ctx context.Context, inv members.InvitationMail) error {
	msg, err := m.invitation(inv)
	if err != nil {
		return err
	}
	wait := m.Backoff
	for attempt := 1; ; attempt++ {
		err = m.send(ctx, msg)
		if err == nil {
			return nil
		}
		if attempt == attempts || permanent(err) {
			return fmt.Errorf("send the invitation e-mail (attempt %d of %d): %w", attempt, attempts, err)
		}
		m.logger.WarnContext(ctx, "invitation e-mail not sent; trying again", "to", inv.To, "attempt", attempt, "retry_in", wait, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("send the invitation e-mail: %w (after %w)", ctx.Err(), err)
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func (m *SMTP) send(ctx context.Context, msg *gomail.Msg) error {
	client, err := gomail.NewClient(m.settings.Host, m.options...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, m.settings.Timeout)
	defer cancel()
	return client.DialAndSendWithContext(ctx, msg)
}

// permanent tells whether the server refused for good (a 5xx answer).
func permanent(err error) bool {
	var sendErr *gomail.SendError
	return errors.As(err, &sendErr) && !sendErr.IsTemp() && sendErr.ErrorCode() >= 500
}

// invitation builds the message: a plain-text and an HTML part.
func (m *SMTP) invitation(inv members.InvitationMail) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(m.settings.From); err != nil {
		return nil, fmt.Errorf("smtp: from address: %w", err)
	}
	if err := msg.To(inv.To); err != nil {
		return nil, fmt.Errorf("smtp: recipient address: %w", err)
	}
	msg.Subject(inv.InviterName + " invited you to " + inv.OrganizationName + " on orgql")
	msg.SetDate()
	msg.SetMessageID()
	var text, html bytes.Buffer
	if err := textBody.Execute(&text, inv); err != nil {
		return nil, fmt.Errorf("render the invitation: %w", err)
	}
	if err := htmlBody.Execute(&html, inv); err != nil {
		return nil, fmt.Errorf("render the invitation: %w", err)
	}
	msg.SetBodyString(gomail.TypeTextPlain, text.String())
	msg.AddAlternativeString(gomail.TypeTextHTML, html.String())
	return msg, nil
}

var textBody = texttemplate.Must(texttemplate.New("text").Parse(strings.TrimSpace(`
{{.InviterName}} invited you to join {{.OrganizationName}} on orgql, as {{.RoleName}}.

Accept the invitation:
{{.Link}}

The link works once and expires. If you did not expect this invitation, ignore this e-mail.
`) + "\n"))

var htmlBody = htmltemplate.Must(htmltemplate.New("html").Parse(strings.TrimSpace(`
<!DOCTYPE html>
<html><body>
<p>{{.InviterName}} invited you to join <strong>{{.OrganizationName}}</strong> on orgql, as {{.RoleName}}.</p>
<p><a href="{{.Link}}">Accept the invitation</a></p>
<p>The link works once and expires. If you did not expect this invitation, ignore this e-mail.</p>
</body></html>
`) + "\n"))
