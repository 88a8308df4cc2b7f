// Package auth answers who is calling: it signs users in (one session per
// sign-in, an opaque bearer token stored as a hash), resolves credentials into
// the request's viewer.Caller, and serves the development sign-in.
package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/session"
	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/token"
	"github.com/orgql/orgql/internal/viewer"
)

// SessionCookie is the cookie a browser may carry the session in.
const SessionCookie = "orgql_session"

// activityInterval bounds how often a session's last use is written.
const activityInterval = time.Minute

// Authenticator signs users in and resolves credentials.
type Authenticator struct {
	Client *ent.Client
	// SessionTTL is how long a session lasts; zero means it does not expire.
	SessionTTL time.Duration
}

// Profile is what a sign-in provider says about a user.
type Profile struct {
	Provider       user.Provider
	ProviderUserID string
	Login          string
	Name           string
	Email          string
	AvatarURL      string
}

// ErrBadCredentials is returned for a missing, malformed, unknown, expired or revoked credential.
var ErrBadCredentials = errors.New("invalid or expired credentials")

// SignIn finds the user by (provider, provider user id), creating or
// refreshing it from the profile, and opens a session. It returns the
// session token, which is never stored.
func (a *Authenticator) SignIn(ctx context.Context, p Profile) (string, *ent.User, error) {
	ctx = tenancy.System(ctx)
	tx, err := a.Client.Tx(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("sign in: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck
	u, err := tx.User.Query().Where(user.ProviderEQ(p.Provider), user.ProviderUserID(p.ProviderUserID)).Only(ctx)
	switch {
	case ent.IsNotFound(err):
		u, err = tx.User.Create().
			SetProvider(p.Provider).SetProviderUserID(p.ProviderUserID).
			SetLogin(p.Login).SetName(p.Name).SetEmail(p.Email).SetAvatarURL(p.AvatarURL).
			Save(ctx)
	case err == nil:
		u, err = u.Update().SetLogin(p.Login).SetName(p.Name).SetEmail(p.Email).SetAvatarURL(p.AvatarURL).Save(ctx)
	}
	if err != nil {
		return "", nil, fmt.Errorf("sign in: save user: %w", err)
	}
	tok := token.New(token.Session)
	create := tx.Session.Create().SetUserID(u.ID).SetTokenHash(token.Hash(tok))
	if a.SessionTTL > 0 {
		create.SetExpiresAt(time.Now().Add(a.SessionTTL))
	}
	if _, err := create.Save(ctx); err != nil {
		return "", nil, fmt.Errorf("sign in: create session: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return "", nil, fmt.Errorf("sign in: %w", err)
	}
	return tok, u, nil
}

// SignOut revokes the session of tok; the same token is refused afterwards.
func (a *Authenticator) SignOut(ctx context.Context, tok string) error {
	if token.Check(token.Session, tok) != nil {
		return ErrBadCredentials
	}
	n, err := a.Client.Session.Update().
		Where(session.TokenHash(token.Hash(tok)), session.RevokedAtIsNil()).
		SetRevokedAt(time.Now()).
		Save(tenancy.System(ctx))
	if err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	if n == 0 {
		return ErrBadCredentials
	}
	return nil
}

// Authenticate resolves an Authorization header value ("Bearer <session>")
// into the caller. A token with a bad checksum is refused before any query.
func (a *Authenticator) Authenticate(ctx context.Context, authorization string) (*viewer.Caller, error) {
	scheme, cred, _ := strings.Cut(strings.TrimSpace(authorization), " ")
	cred = strings.TrimSpace(cred)
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		return a.authenticateSession(ctx, cred)
	default:
		return nil, ErrBadCredentials
	}
}

func (a *Authenticator) authenticateSession(ctx context.Context, tok string) (*viewer.Caller, error) {
	if token.Check(token.Session, tok) != nil {
		return nil, ErrBadCredentials
	}
	sys := tenancy.System(ctx)
	s, err := a.Client.Session.Query().Where(session.TokenHash(token.Hash(tok))).WithUser().Only(sys)
	if ent.IsNotFound(err) {
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	now := time.Now()
	if s.RevokedAt != nil || (s.ExpiresAt != nil && now.After(*s.ExpiresAt)) {
		return nil, ErrBadCredentials
	}
	if s.LastUsedAt == nil || now.Sub(*s.LastUsedAt) >= activityInterval {
		if err := a.recordActivity(sys, s, now); err != nil {
			return nil, err
		}
	}
	u := s.Edges.User
	return &viewer.Caller{UserID: u.ID, SessionID: s.ID, DisplayName: u.Login}, nil
}

// recordActivity writes the session's last use and its user's last activity
// in every organization, at most once per activityInterval.
func (a *Authenticator) recordActivity(ctx context.Context, s *ent.Session, now time.Time) error {
	if err := a.Client.Session.Update().Where(session.ID(s.ID)).SetLastUsedAt(now).Exec(ctx); err != nil {
		return fmt.Errorf("record session use: %w", err)
	}
	err := a.Client.Membership.Update().Where(membership.UserID(s.UserID)).SetLastActivityAt(now).Exec(ctx)
	if err != nil {
		return fmt.Errorf("record member activity: %w", err)
	}
	return nil
}

// Require returns UNAUTHENTICATED when ctx has no signed-in caller.
func Require(ctx context.Context) (*viewer.Caller, error) {
	c := viewer.FromContext(ctx)
	if c == nil {
		return nil, apperr.Unauthenticated()
	}
	return c, nil
}
