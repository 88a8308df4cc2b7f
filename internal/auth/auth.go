// Package auth answers who is calling: it signs users in (one session per
// sign-in, an opaque bearer token stored as a hash), resolves credentials into
// the request's viewer.Caller, and serves the development sign-in.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"entgo.io/ent/dialect/sql"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/apitoken"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/ent/session"
	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/token"
	"github.com/orgql/orgql/internal/viewer"
)

// SecureSessionCookie is the cookie a browser carries the session in. The
// __Host- prefix makes browsers keep it only when it is Secure, for this
// host alone and the whole path: a sibling subdomain cannot set it.
const SecureSessionCookie = "__Host-orgql_session"

// SessionCookie is the session cookie's name in development on
// http://localhost, where it cannot be Secure and so cannot have the prefix.
const SessionCookie = "orgql_session"

// activityInterval bounds how often a session's last use is written.
const activityInterval = time.Minute

// Authenticator signs users in and resolves credentials.
type Authenticator struct {
	Client *ent.Client
	// SessionTTL is how long a session lasts; zero means it does not expire.
	SessionTTL time.Duration
	// SessionIdleTimeout ends a session unused for this long; zero means never.
	SessionIdleTimeout time.Duration
	// InsecureCookie drops the cookie's Secure attribute and its __Host-
	// prefix: for development on http://localhost only.
	InsecureCookie bool
	// Logger gets what goes wrong while checking credentials.
	Logger *slog.Logger
}

func (a *Authenticator) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
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
// session token, which is never stored. Two first sign-ins of one new user
// racing each other both succeed, with the same user: the user is written
// by one upsert on the unique (provider, provider user id).
func (a *Authenticator) SignIn(ctx context.Context, p Profile) (string, *ent.User, error) {
	return a.SignInFrom(ctx, p, Client{})
}

// Client describes the browser or program a session is opened for, as
// viewer.sessions shows it.
type Client struct {
	UserAgent string
	// Origin is the client's IP address.
	Origin string
}

// SignInFrom is SignIn for a session opened by client.
func (a *Authenticator) SignInFrom(ctx context.Context, p Profile, client Client) (string, *ent.User, error) {
	ctx = tenancy.AsSystem(ctx, tenancy.SignIn)
	tx, err := a.Client.Tx(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("sign in: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck
	userID, err := tx.User.Create().
		SetProvider(p.Provider).SetProviderUserID(p.ProviderUserID).
		SetLogin(p.Login).SetName(p.Name).SetEmail(p.Email).SetAvatarURL(p.AvatarURL).
		OnConflictColumns(user.FieldProvider, user.FieldProviderUserID).
		Update(func(u *ent.UserUpsert) {
			u.UpdateLogin().UpdateName().UpdateEmail().UpdateAvatarURL().UpdateUpdatedAt()
		}).
		ID(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("sign in: save user: %w", err)
	}
	tok := token.New(token.Session)
	create := tx.Session.Create().SetUserID(userID).SetTokenHash(token.Hash(tok)).
		SetUserAgent(truncate(client.UserAgent, 512)).SetOrigin(truncate(client.Origin, 64))
	if a.SessionTTL > 0 {
		create.SetExpiresAt(time.Now().Add(a.SessionTTL))
	}
	if _, err := create.Save(ctx); err != nil {
		return "", nil, fmt.Errorf("sign in: create session: %w", err)
	}
	u, err := tx.User.Get(ctx, userID)
	if err != nil {
		return "", nil, fmt.Errorf("sign in: load user: %w", err)
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
		Save(tenancy.AsSystem(ctx, tenancy.Authenticate))
	if err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	if n == 0 {
		return ErrBadCredentials
	}
	return nil
}

// RevokeSessions ends every open session of user userID (an operator's
// `orgql users revoke-sessions`): their tokens are refused from the next
// request on. It returns how many sessions it ended.
func RevokeSessions(ctx context.Context, client *ent.Client, userID string) (int, error) {
	n, err := client.Session.Update().
		Where(session.UserID(userID), session.RevokedAtIsNil()).
		SetRevokedAt(time.Now()).
		Save(tenancy.AsSystem(ctx, tenancy.Operator))
	if err != nil {
		return 0, fmt.Errorf("revoke sessions: %w", err)
	}
	return n, nil
}

// Authenticate resolves an Authorization header value ("Bearer <session>")
// into the caller. It returns ErrBadCredentials for a credential that is
// missing, malformed, unknown, expired or revoked (a token with a bad
// checksum is refused before any query), and another error when the
// credential could not be checked (the database failed): that is not the
// client's fault, and must not sign them out.
func (a *Authenticator) Authenticate(ctx context.Context, authorization string) (*viewer.Caller, error) {
	scheme, cred, _ := strings.Cut(strings.TrimSpace(authorization), " ")
	cred = strings.TrimSpace(cred)
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		return a.authenticateSession(ctx, cred)
	case strings.EqualFold(scheme, "Token"):
		return a.authenticateAPIToken(ctx, cred)
	default:
		return nil, ErrBadCredentials
	}
}

// tokenRow is an API token as authentication reads it, in one statement:
// the token, its role, and its creator's role in the organization if the
// creator is still a member.
type tokenRow struct {
	ID              string     `sql:"id"`
	OrganizationID  string     `sql:"organization_id"`
	Name            string     `sql:"name"`
	RoleID          string     `sql:"role_id"`
	RoleKind        string     `sql:"role_kind"`
	CreatorID       *string    `sql:"creator_id"`
	CreatorRoleID   *string    `sql:"creator_role_id"`
	CreatorRoleKind *string    `sql:"creator_role_kind"`
	ExpiresAt       *time.Time `sql:"expires_at"`
	LastUsedAt      *time.Time `sql:"last_used_at"`
}

// authenticateAPIToken resolves an API token into its caller. The token
// acts with its role, bounded by its creator's: while the creator is a
// member whose role could not grant the token's, the token acts with the
// creator's role instead; a creator who left leaves the token its own role
// (docs/permissions.md).
func (a *Authenticator) authenticateAPIToken(ctx context.Context, tok string) (*viewer.Caller, error) {
	if token.Check(token.APIToken, tok) != nil {
		return nil, ErrBadCredentials
	}
	sys := tenancy.AsSystem(ctx, tenancy.Authenticate)
	var rows []tokenRow
	err := a.Client.APIToken.Query().
		Where(apitoken.TokenHash(token.Hash(tok))).
		Modify(func(s *sql.Selector) {
			r := sql.Table(role.Table).As("token_role")
			m := sql.Table(membership.Table).As("creator_membership")
			cr := sql.Table(role.Table).As("creator_role")
			s.Join(r).On(s.C(apitoken.FieldRoleID), r.C(role.FieldID)).
				LeftJoin(m).OnP(sql.And(
				sql.ColumnsEQ(m.C(membership.FieldUserID), s.C(apitoken.FieldCreatorID)),
				sql.ColumnsEQ(m.C(membership.FieldOrganizationID), s.C(apitoken.FieldOrganizationID)))).
				LeftJoin(cr).On(m.C(membership.FieldRoleID), cr.C(role.FieldID))
			s.Select(
				s.C(apitoken.FieldID), s.C(apitoken.FieldOrganizationID), s.C(apitoken.FieldName), s.C(apitoken.FieldRoleID),
				sql.As(r.C(role.FieldKind), "role_kind"), s.C(apitoken.FieldCreatorID),
				sql.As(cr.C(role.FieldID), "creator_role_id"), sql.As(cr.C(role.FieldKind), "creator_role_kind"),
				s.C(apitoken.FieldExpiresAt), s.C(apitoken.FieldLastUsedAt),
			)
		}).
		Scan(sys, &rows)
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if len(rows) != 1 {
		return nil, ErrBadCredentials
	}
	t := rows[0]
	now := time.Now()
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return nil, ErrBadCredentials
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= activityInterval {
		err := a.Client.APIToken.Update().
			Where(apitoken.ID(t.ID), apitoken.Or(apitoken.LastUsedAtIsNil(), apitoken.LastUsedAtLT(now.Add(-activityInterval)))).
			SetLastUsedAt(now).
			Exec(sys)
		if err != nil {
			return nil, fmt.Errorf("record token use: %w", err)
		}
	}
	roleID, kind := t.RoleID, rbac.Kind(t.RoleKind)
	if t.CreatorRoleKind != nil {
		creator := rbac.Kind(*t.CreatorRoleKind)
		if creator != kind && !rbac.CanGrant(creator, kind) {
			roleID, kind = *t.CreatorRoleID, creator
		}
	}
	c := viewer.Token{ID: t.ID, OrganizationID: t.OrganizationID, RoleID: roleID, RoleKind: kind}
	if t.CreatorID != nil {
		c.CreatorID = *t.CreatorID
	}
	return viewer.NewAPIToken(c, t.Name), nil
}

// sessionRow is a session and its user's login, read in one statement.
type sessionRow struct {
	ID         string     `sql:"id"`
	UserID     string     `sql:"user_id"`
	Login      string     `sql:"login"`
	CreatedAt  time.Time  `sql:"created_at"`
	ExpiresAt  *time.Time `sql:"expires_at"`
	RevokedAt  *time.Time `sql:"revoked_at"`
	LastUsedAt *time.Time `sql:"last_used_at"`
}

// authenticateSession resolves a session token in one statement (the
// session joined with its user), and records the session's use at most once
// per activityInterval.
func (a *Authenticator) authenticateSession(ctx context.Context, tok string) (*viewer.Caller, error) {
	if token.Check(token.Session, tok) != nil {
		return nil, ErrBadCredentials
	}
	sys := tenancy.AsSystem(ctx, tenancy.Authenticate)
	var rows []sessionRow
	err := a.Client.Session.Query().
		Where(session.TokenHash(token.Hash(tok))).
		Modify(func(s *sql.Selector) {
			u := sql.Table(user.Table).As("session_user")
			s.Join(u).On(s.C(session.FieldUserID), u.C(user.FieldID))
			s.Select(
				s.C(session.FieldID), s.C(session.FieldUserID), sql.As(u.C(user.FieldLogin), "login"),
				s.C(session.FieldCreatedAt), s.C(session.FieldExpiresAt), s.C(session.FieldRevokedAt), s.C(session.FieldLastUsedAt),
			)
		}).
		Scan(sys, &rows)
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if len(rows) != 1 {
		return nil, ErrBadCredentials
	}
	s := rows[0]
	now := time.Now()
	if !a.sessionValid(s, now) {
		return nil, ErrBadCredentials
	}
	if s.LastUsedAt == nil || now.Sub(*s.LastUsedAt) >= activityInterval {
		if err := a.recordActivity(sys, s.ID, s.UserID, now); err != nil {
			return nil, err
		}
	}
	return viewer.NewUser(s.UserID, s.ID, s.Login), nil
}

// sessionValid reports whether s is neither revoked, nor expired, nor idle
// for longer than the idle timeout.
func (a *Authenticator) sessionValid(s sessionRow, now time.Time) bool {
	if s.RevokedAt != nil || (s.ExpiresAt != nil && !now.Before(*s.ExpiresAt)) {
		return false
	}
	if a.SessionIdleTimeout > 0 {
		last := s.CreatedAt
		if s.LastUsedAt != nil {
			last = *s.LastUsedAt
		}
		if now.Sub(last) >= a.SessionIdleTimeout {
			return false
		}
	}
	return true
}

// recordActivity writes the session's last use and its user's last activity
// in every organization, at most once per activityInterval: the session's
// row is updated only if its last use is older than that, so of many
// requests racing with one stale session, one writes and the others see
// their update match nothing; only that one writes the memberships.
func (a *Authenticator) recordActivity(ctx context.Context, sessionID, userID string, now time.Time) error {
	n, err := a.Client.Session.Update().
		Where(session.ID(sessionID), session.Or(session.LastUsedAtIsNil(), session.LastUsedAtLT(now.Add(-activityInterval)))).
		SetLastUsedAt(now).
		Save(ctx)
	if err != nil {
		return fmt.Errorf("record session use: %w", err)
	}
	if n == 0 {
		return nil
	}
	err = a.Client.Membership.Update().Where(membership.UserID(userID)).SetLastActivityAt(now).Exec(ctx)
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

// RequireUser returns the signed-in user calling: UNAUTHENTICATED without a
// caller, FORBIDDEN for an API token, which acts only inside its own
// organization and has no user (creating organizations, switching the
// current one, accepting invitations and leaving are a person's acts).
func RequireUser(ctx context.Context) (*viewer.Caller, error) {
	c, err := Require(ctx)
	if err != nil {
		return nil, err
	}
	if !c.IsUser() {
		return nil, apperr.Forbidden("an API token cannot do this: it acts only inside its organization, and is not a user")
	}
	return c, nil
}

// truncate cuts s to at most n bytes, at a rune boundary.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "")
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
