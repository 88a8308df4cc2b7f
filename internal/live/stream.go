package live

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/push"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/viewer"
)

// ErrSlow ends a subscription whose client did not take an event within
// the send timeout; ErrAccess one whose caller lost access.
var (
	ErrSlow   = errors.New("the client did not keep up: subscription cut off")
	ErrAccess = errors.New("access lost")
)

// The subscription fields, as Observer names them.
const (
	FieldEvents              = "organizationEvents"
	FieldCurrentOrganization = "currentOrganizationChanged"
)

// Observer is told of each subscription's life, with its context: the
// server's metrics (docs/architecture.md "Subscription metrics").
type Observer interface {
	Started(ctx context.Context, field string)
	// Sent: a value was handed to the transport; committed is the event's
	// commit time (zero for a value that is no event).
	Sent(ctx context.Context, field string, committed time.Time)
	// Ended: the subscription ended with err, nil when its context ended
	// (the client went away, or the server shuts down). It is told before
	// the stream's channel closes.
	Ended(ctx context.Context, field string, err error)
}

type noObserver struct{}

func (noObserver) Started(context.Context, string)         {}
func (noObserver) Sent(context.Context, string, time.Time) {}
func (noObserver) Ended(context.Context, string, error)    {}

func (h *Hub) observer() Observer {
	if h.Observer == nil {
		return noObserver{}
	}
	return h.Observer
}

// Limits bound one subscription.
type Limits struct {
	// SendTimeout is how long an event may wait for the client to take it
	// before the subscription is cut off (ErrSlow).
	SendTimeout time.Duration
	// Recheck is how often the caller's credentials and access are checked
	// again when no event comes (an event always checks them).
	Recheck time.Duration
}

// Reauthenticate checks the subscriber's credentials again and returns a
// context with the caller as they are now; an error ends the subscription.
type Reauthenticate func(ctx context.Context) (context.Context, error)

// End is told why a subscription ended; nil when its client went away.
type End func(error)

// Events streams the events of organization orgID committed after
// sequence after (after < 0: from now), in the log's order, to the caller of
// ctx, as that caller may read them: after each read, the caller's
// credential (s) is checked again and their role read; once they may no
// longer read the organization's events the stream ends, before it sends
// anything that read found. targetTypes, when not empty, keeps those.
func (h *Hub) Events(ctx context.Context, orgID string, targetTypes []organizationevent.TargetType, after int64, s *Session, lim Limits, end End) (<-chan *ent.OrganizationEvent, error) {
	if err := tenancy.Authorize(ctx, h.Client, orgID, rbac.ReadAuditLog); err != nil {
		return nil, err
	}
	w := newWaiter()
	key := checkKey(s.Key, orgID)
	h.follow(orgID, w)
	h.enroll(key)
	stop := func() {
		h.withdraw(key)
		h.unfollow(orgID, w)
	}
	start, seen, err := h.startAfter(ctx, orgID, after)
	if err != nil {
		stop()
		return nil, err
	}
	out, give, closeOut := handOver[*ent.OrganizationEvent](ctx, lim.SendTimeout)
	obs := h.observer()
	obs.Started(ctx, FieldEvents)
	go func() {
		defer closeOut()
		defer stop()
		err := h.stream(ctx, orgID, targetTypes, start, seen, key, s.Reauthenticate, lim, w, give)
		if ctx.Err() != nil {
			err = nil
		} else {
			end(err)
		}
		obs.Ended(ctx, FieldEvents, err)
	}()
	return out, nil
}

// startAfter returns where a subscription of orgID's events that resumes
// after sequence after (after < 0: from now) starts reading, and which
// events after that start it has already seen. From a settled position,
// that is after itself. From now, or from a cursor ahead of the settled
// part of the log (an audit-log cursor taken while an older transaction
// was still running), it is the newest settled event of orgID, and the
// events after it the caller has seen are those committed now up to after
// (all of them from now): an older transaction that commits later adds
// events before them, which a start at after would skip.
func (h *Hub) startAfter(ctx context.Context, orgID string, after int64) (int64, map[int64]bool, error) {
	settled, err := h.newest(ctx, organizationevent.OrganizationID(orgID), events.Settled())
	if err != nil || after >= 0 && after <= settled {
		return after, nil, err
	}
	if h.PostgresURL == "" { // on SQLite every committed event is settled
		return settled, nil, nil
	}
	upTo := organizationevent.SequenceGT(settled)
	if after >= 0 {
		upTo = organizationevent.And(upTo, organizationevent.SequenceLTE(after))
	}
	evs, err := h.Client.OrganizationEvent.Query().
		Where(organizationevent.OrganizationID(orgID), upTo).
		Select(organizationevent.FieldSequence).
		All(tenancy.AsSystem(ctx, ReadEvents))
	if err != nil {
		return 0, nil, err
	}
	seen := make(map[int64]bool, len(evs))
	for _, ev := range evs {
		seen[ev.Sequence] = true
	}
	return settled, seen, nil
}

// follow rings w for each new event of orgID, and has the hub keep the
// organization's events from now on.
// The waiter and the feed change under one lock: the hub never sees a
// feed without its followers, nor followers without their feed.
func (h *Hub) follow(orgID string, w *waiter) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.watchLocked(func() map[string]map[*waiter]struct{} { return h.byOrg }, orgID, w)
	if h.feeds[orgID] == nil {
		h.feeds[orgID] = &feed{base: h.last}
	}
}

func (h *Hub) unfollow(orgID string, w *waiter) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.unwatchLocked(func() map[string]map[*waiter]struct{} { return h.byOrg }, orgID, w)
	if h.byOrg[orgID] == nil {
		delete(h.feeds, orgID)
	}
}

// next returns the events of orgID after sequence last, oldest first (at
// most pageSize), and the epoch of the read that found them: from the
// hub's window when it holds them, else from the table. caughtUp is a
// sequence up to which, past last, nothing of orgID is left unread (0: none
// known), so that a subscriber that caught up with the table moves on to the
// window even when the organization had no event in between.
func (h *Hub) next(ctx context.Context, orgID string, last int64) (evs []*ent.OrganizationEvent, epoch, caughtUp int64, err error) {
	h.mu.Lock()
	f := h.feeds[orgID]
	if f != nil && last >= f.base {
		i, _ := slices.BinarySearchFunc(f.evs, last, func(ev *ent.OrganizationEvent, seq int64) int { return cmp.Compare(ev.Sequence, seq+1) })
		j := min(i+pageSize, len(f.evs))
		if i < j {
			evs, epoch = slices.Clone(f.evs[i:j]), f.epochs[j-1]
		}
		h.mu.Unlock()
		return evs, epoch, 0, nil
	}
	base := int64(0)
	if f != nil {
		base = f.base
	}
	h.mu.Unlock()
	evs, err = h.Client.OrganizationEvent.Query().
		Where(organizationevent.OrganizationID(orgID), organizationevent.SequenceGT(last), events.Settled()).
		Order(ent.Asc(organizationevent.FieldSequence)).
		Limit(pageSize).
		All(tenancy.AsSystem(ctx, ReadEvents))
	if err != nil {
		return nil, 0, 0, err
	}
	if len(evs) < pageSize {
		// Every event up to the window's start was settled before this read.
		caughtUp = base
	}
	return evs, h.readDone(), caughtUp, nil
}

func (h *Hub) stream(ctx context.Context, orgID string, targetTypes []organizationevent.TargetType, last int64, seen map[int64]bool, key string, reauth Reauthenticate, lim Limits, w *waiter, give func(*ent.OrganizationEvent) error) error {
	obs := h.observer()
	recheck := time.NewTicker(lim.Recheck)
	defer recheck.Stop()
	for {
		for {
			evs, epoch, caughtUp, err := h.next(ctx, orgID, last)
			if err != nil {
				return err
			}
			if len(evs) > 0 {
				// The events were read as they are committed, perhaps before
				// a change that takes the caller's access away: the check
				// starts after the read, so that such a change is never
				// delivered to the caller it shuts out (docs/security.md S19).
				kind, err := h.access(ctx, key, orgID, epoch, reauth)
				if err != nil {
					return err
				}
				for _, ev := range evs {
					last = ev.Sequence
					if seen[ev.Sequence] {
						delete(seen, ev.Sequence)
						continue
					}
					if !tenancy.EventReadable(kind, string(ev.TargetType)) ||
						len(targetTypes) > 0 && !slices.Contains(targetTypes, ev.TargetType) {
						continue
					}
					if err := give(ev); err != nil {
						return err
					}
					obs.Sent(ctx, FieldEvents, ev.CreatedAt)
				}
			}
			if caughtUp > last {
				last = caughtUp
				continue
			}
			if len(evs) == 0 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-w.ring:
		case <-recheck.C:
			if _, err := h.access(ctx, key, orgID, h.readDone(), reauth); err != nil {
				return err
			}
		}
	}
}

// handOver is how a stream hands its values to the transport: the channel
// the resolver returns, a function that gives it one value, and one that
// closes it. When the transport offers a push.Sink (WebSocket), each value
// is delivered by the stream's goroutine, within the transport's write
// timeout; else the transport's goroutine takes it from the channel within
// timeout. Either way a client too slow to take it ends the stream (ErrSlow).
func handOver[T any](ctx context.Context, timeout time.Duration) (<-chan T, func(T) error, func()) {
	sink := push.Take(ctx)
	if sink == nil {
		out := make(chan T)
		return out, func(v T) error { return send(ctx, out, v, timeout) }, func() { close(out) }
	}
	out := make(chan T, 1) // emptied by each Pushed
	give := func(v T) error {
		select {
		case out <- v:
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := sink.Pushed(); errors.Is(err, push.ErrTimeout) {
			return ErrSlow
		} else if err != nil {
			return err
		}
		return nil
	}
	// The transport ends the operation on the closed channel.
	return out, give, func() { close(out); _ = sink.Pushed() }
}

func send[T any](ctx context.Context, out chan<- T, v T, timeout time.Duration) error {
	select {
	case out <- v: // the transport is waiting for it, as it mostly is: no timer
		return nil
	default:
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case out <- v:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return ErrSlow
	}
}

// CurrentOrganization streams the current organization of the user of ctx
// (nil: none) as current reads it, first as it is, then each time it changes: on a switch by any
// of the user's clients on any instance, and when the organization goes
// away or the user leaves it or is removed from it.
func (h *Hub) CurrentOrganization(ctx context.Context, current func(context.Context) (*ent.Organization, error), reauth Reauthenticate, lim Limits, end End) (<-chan *ent.Organization, error) {
	c := viewer.FromContext(ctx)
	if !c.IsUser() {
		return nil, errors.New("live: current organization of a caller that is not a user")
	}
	w := newWaiter()
	byUser := func() map[string]map[*waiter]struct{} { return h.byUser }
	h.watch(byUser, c.UserID, w)
	org, err := current(ctx)
	if err != nil {
		h.unwatch(byUser, c.UserID, w)
		return nil, err
	}
	seen := idOf(org)
	out, give, closeOut := handOver[*ent.Organization](ctx, lim.SendTimeout)
	obs := h.observer()
	obs.Started(ctx, FieldCurrentOrganization)
	go func() {
		defer closeOut()
		defer h.unwatch(byUser, c.UserID, w)
		err := func() error {
			// First the organization as it is: the client then knows the
			// subscription runs, and has nothing to query between the two.
			if err := give(org); err != nil {
				return err
			}
			obs.Sent(ctx, FieldCurrentOrganization, time.Time{})
			recheck := time.NewTicker(lim.Recheck)
			defer recheck.Stop()
			for {
				select {
				case <-ctx.Done():
					return nil
				case <-w.ring:
				case <-recheck.C:
				}
				callerCtx, err := reauth(ctx)
				if err != nil {
					return err
				}
				org, err := current(callerCtx)
				if err != nil {
					return err
				}
				if idOf(org) == seen {
					continue
				}
				seen = idOf(org)
				if err := give(org); err != nil {
					return err
				}
				obs.Sent(ctx, FieldCurrentOrganization, time.Time{})
			}
		}()
		if ctx.Err() != nil {
			err = nil
		} else {
			end(err)
		}
		obs.Ended(ctx, FieldCurrentOrganization, err)
	}()
	return out, nil
}

func idOf(o *ent.Organization) string {
	if o == nil {
		return ""
	}
	return o.ID
}

// Session is what a subscription's transport tells its resolver: how to
// check the caller's credentials again, and how to report why a stream ended.
type Session struct {
	// Key names the credential the session authenticates with, without
	// holding it: sessions with the same key share access checks.
	Key            string
	Reauthenticate Reauthenticate
	// Report is told why a subscription ended (nil: its client went away),
	// with the subscription's context.
	Report func(ctx context.Context, err error)
}

type sessionKey struct{}

// WithSession returns ctx carrying s.
func WithSession(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

// SessionFrom returns the session of ctx, or nil.
func SessionFrom(ctx context.Context) *Session {
	s, _ := ctx.Value(sessionKey{}).(*Session)
	return s
}
