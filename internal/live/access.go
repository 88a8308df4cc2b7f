package live

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/tenancy"
)

// checkTimeout bounds one access check, which runs detached from the
// subscriber that started it: others may be waiting for it.
const checkTimeout = 10 * time.Second

// accessCheck is one check of a credential's access to an organization's
// events: its caller authenticated again, then their role there read. It
// answers for every subscription with that credential whose events were
// read before it started (epoch), so a thousand subscriptions of one
// caller on one instance cost one check per batch of events, not a thousand.
type accessCheck struct {
	epoch int64
	done  chan struct{}
	kind  rbac.Kind
	err   error
}

// checkKey names the subscriptions that may share a check: the same
// credential (Session.Key) following the same organization.
func checkKey(credential, orgID string) string { return credential + " " + orgID }

// enroll counts one more subscription sharing key's checks.
func (h *Hub) enroll(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.init()
	h.users[key]++
}

// withdraw counts one fewer; the last one forgets key's check.
func (h *Hub) withdraw(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.users[key]--; h.users[key] <= 0 {
		delete(h.users, key)
		delete(h.checks, key)
	}
}

// readDone numbers a subscriber's own read of the table: a check that
// starts after it answers for what that read found.
func (h *Hub) readDone() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.epoch++
	return h.epoch
}

// access returns the role kind the caller of key holds in orgID, by a
// check that started after the read numbered need: the one running or done
// if it did, else a new one. ErrAccess when the caller may no longer read
// the organization's events; the credential's own error when it is refused.
func (h *Hub) access(ctx context.Context, key, orgID string, need int64, reauth Reauthenticate) (rbac.Kind, error) {
	h.mu.Lock()
	c := h.checks[key]
	if c == nil || c.epoch < need {
		c = &accessCheck{epoch: h.epoch, done: make(chan struct{})}
		h.checks[key] = c
		h.mu.Unlock()
		c.kind, c.err = h.check(ctx, orgID, reauth)
		close(c.done)
	} else {
		h.mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return c.kind, c.err
}

func (h *Hub) check(ctx context.Context, orgID string, reauth Reauthenticate) (rbac.Kind, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), checkTimeout)
	defer cancel()
	callerCtx, err := reauth(ctx)
	if err != nil {
		return "", err
	}
	r, err := tenancy.Role(callerCtx, h.Client, orgID)
	if errors.Is(err, apperr.ErrNotFound) {
		return "", ErrAccess
	}
	if err != nil {
		return "", fmt.Errorf("check access to the organization's events: %w", err)
	}
	if !rbac.Can(r.Kind, rbac.ReadAuditLog) {
		return "", ErrAccess
	}
	return r.Kind, nil
}
