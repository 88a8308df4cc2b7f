package members

import (
	"context"
	"github.com/orgql/orgql/internal/apperr"
	"log/slog"
)

// InvitationMail is what the invitee is sent.
type InvitationMail struct {
	To               string
	OrganizationName string
	InviterName      string
	RoleName         string
	// Link carries the secret invitation token; it is sent, never stored.
	Link string
}

// Mailer sends invitation e-mails.
type Mailer interface {
	SendInvitation(ctx context.Context, m InvitationMail) error
}

// LogMailer is the built-in mailer: it writes the invitation link to the log.
type LogMailer struct{ Logger *slog.Logger }

// SendInvitation logs the invitation.
func (l LogMailer) SendInvitation(ctx context.Context, m InvitationMail) error {
	l.Logger.InfoContext(ctx, "invitation e-mail (built-in mailer: not sent, logged)",
		"to", m.To, "organization", m.OrganizationName, "inviter", m.InviterName, "role", m.RoleName, "link", m.Link)
	return nil
}

// ErrNoMailer is the error of NoMailer.
var ErrNoMailer = apperr.NotConfigured("invitations cannot be delivered: this server has no SMTP server configured; ask its operator")

// NoMailer is the mailer of a server with no SMTP server outside --dev: an
// invitation it cannot deliver is not made (the invitation's transaction
// rolls back), and nothing writes its link anywhere.
type NoMailer struct{}

// SendInvitation refuses with ErrNoMailer.
func (NoMailer) SendInvitation(context.Context, InvitationMail) error { return ErrNoMailer }
