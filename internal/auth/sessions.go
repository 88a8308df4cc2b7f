package auth

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/session"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/tenancy"
)

// The functions below are a user's view of their own sessions
// (viewer.sessions, revokeSession, revokeOtherSessions). Sessions are read
// only by the system (their ent policy denies every caller), so each
// function narrows to the calling user's sessions itself.

// Sessions returns the signed-in user's live sessions (neither revoked nor
// expired), most recently used first.
func (a *Authenticator) Sessions(ctx context.Context) ([]*ent.Session, error) {
	c, err := RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	all, err := database.Client(ctx, a.Client).Session.Query().
		Where(session.UserID(c.UserID), session.RevokedAtIsNil(),
			session.Or(session.ExpiresAtIsNil(), session.ExpiresAtGT(now))).
		All(tenancy.AsSystem(ctx, tenancy.OwnSessions))
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	live := all[:0]
	for _, s := range all {
		if a.sessionValid(sessionRow{CreatedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt, RevokedAt: s.RevokedAt, LastUsedAt: s.LastUsedAt}, now) {
			live = append(live, s)
		}
	}
	// The databases sort NULLs differently: order here, by last use.
	sort.SliceStable(live, func(i, j int) bool { return lastUse(live[i]).After(lastUse(live[j])) })
	return live, nil
}

func lastUse(s *ent.Session) time.Time {
	if s.LastUsedAt != nil {
		return *s.LastUsedAt
	}
	return s.CreatedAt
}

// RevokeSession ends one of the signed-in user's sessions; NOT_FOUND for
// an ID that is not one of their live sessions, whoever's it is.
func (a *Authenticator) RevokeSession(ctx context.Context, id string) (string, error) {
	c, err := RequireUser(ctx)
	if err != nil {
		return "", err
	}
	n, err := database.Client(ctx, a.Client).Session.Update().
		Where(session.ID(id), session.UserID(c.UserID), session.RevokedAtIsNil()).
		SetRevokedAt(time.Now()).
		Save(tenancy.AsSystem(ctx, tenancy.OwnSessions))
	if err != nil {
		return "", fmt.Errorf("revoke session: %w", err)
	}
	if n == 0 {
		return "", apperr.NotFound()
	}
	return id, nil
}

// RevokeOtherSessions ends every session of the signed-in user but the one
// calling, and returns how many it ended.
func (a *Authenticator) RevokeOtherSessions(ctx context.Context) (int, error) {
	c, err := RequireUser(ctx)
	if err != nil {
		return 0, err
	}
	n, err := database.Client(ctx, a.Client).Session.Update().
		Where(session.UserID(c.UserID), session.IDNEQ(c.SessionID), session.RevokedAtIsNil()).
		SetRevokedAt(time.Now()).
		Save(tenancy.AsSystem(ctx, tenancy.OwnSessions))
	if err != nil {
		return 0, fmt.Errorf("revoke other sessions: %w", err)
	}
	return n, nil
}
