// Package live follows the organization event log for the subscriptions of
// one orgql instance. The table is the only source of truth: a wake-up
// (PostgreSQL's LISTEN/NOTIFY, or an in-process signal on SQLite) makes the
// hub read, in sequence order, the settled events (events.Settled) after
// the last one it read, keep those of the organizations someone follows (a bounded window,
// a copy of rows, never a record), and tell the subscribers they concern
// that there is more. A subscriber takes what it has not sent from that
// window, or from the table when it is behind it (resuming with after),
// then has its caller's access checked after the read, and sends what the
// caller may read. Subscribers with the same credential share that check
// (access.go). A wake-up carries nothing, so a lost one costs nothing, and
// no subscriber waits for another (docs/architecture.md "Events").
package live

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/lib/pq"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/ent/predicate"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/tenancy"
)

// ReadEvents is the reason the hub reads every organization's new events:
// to know whom to wake, never to deliver them.
const ReadEvents tenancy.Reason = "live-events"

// pageSize is how many events one read takes, by the hub and by a subscriber.
const pageSize = 100

// pollInterval is how often the hub reads without a wake-up, and checks its
// LISTEN connection: the last resort if a notification was lost.
const pollInterval = 15 * time.Second

// Hub is one instance's follower of the event log.
type Hub struct {
	Client *ent.Client
	Logger *slog.Logger
	// PostgresURL, when set, is listened to; else the hub is woken in-process.
	PostgresURL string
	// Observer is told of each subscription's life; nil: nobody.
	Observer Observer
	// PollInterval is how often the hub reads, and pings its listener,
	// without a wake-up; 0: 15 s.
	PollInterval time.Duration

	mu   sync.Mutex
	last int64 // the sequence read so far: a reading position, not a record
	// settled is the highest settled sequence a notification carried (see
	// events.Settled): a hub that no subscription follows moves past it
	// without reading. announced is the highest sequence a notification
	// carried: while the hub has not read up to it, an older transaction
	// was still running at its last read, and it reads again soon. The
	// payload is trusted as the tables are: whoever may NOTIFY on the
	// database may write them too.
	settled, announced int64
	notified, handled  int64 // notifications received, and handled by a catchUp
	reconnected        bool  // since the last refresh of announced
	reads              int64 // reads of the log, for Reads
	ready              bool
	byOrg              map[string]map[*waiter]struct{}
	byUser             map[string]map[*waiter]struct{}
	feeds              map[string]*feed // by organization, while someone follows it
	// epoch counts the hub's reads and the subscribers' own: an access
	// check that starts at epoch e comes after every read numbered e or
	// less (access.go).
	epoch  int64
	checks map[string]*accessCheck
	users  map[string]int // subscriptions per check key
	wake   chan struct{}
}

// feedSize is how many events of one organization the hub keeps: a
// subscriber further behind reads the table.
const feedSize = 256

// feed is the window the hub keeps of one organization's events: every
// event of it with a sequence in (base, hub.last], oldest first, each with
// the epoch of the read that found it.
type feed struct {
	base   int64
	evs    []*ent.OrganizationEvent
	epochs []int64
	org    *organizationRead // the organization, as read for the events up to org.epoch
}

type organizationRead struct {
	epoch int64
	once  sync.Once
	org   *ent.Organization
	err   error
}

func (f *feed) add(ev *ent.OrganizationEvent, epoch int64) {
	if len(f.evs) == feedSize {
		f.base = f.evs[0].Sequence
		f.evs, f.epochs = slices.Delete(f.evs, 0, 1), slices.Delete(f.epochs, 0, 1)
	}
	f.evs, f.epochs = append(f.evs, ev), append(f.epochs, epoch)
}

// waiter is one subscription's doorbell, rung (never blocking) when the
// hub has read an event that concerns it.
type waiter struct{ ring chan struct{} }

func newWaiter() *waiter { return &waiter{ring: make(chan struct{}, 1)} }

func (w *waiter) notify() {
	select {
	case w.ring <- struct{}{}:
	default:
	}
}

func (h *Hub) init() {
	if h.byOrg == nil {
		h.byOrg = map[string]map[*waiter]struct{}{}
		h.byUser = map[string]map[*waiter]struct{}{}
		h.feeds = map[string]*feed{}
		h.checks = map[string]*accessCheck{}
		h.users = map[string]int{}
		h.wake = make(chan struct{}, 1)
	}
}

// Run follows the log until ctx is done.
func (h *Hub) Run(ctx context.Context) error {
	h.mu.Lock()
	h.init()
	h.mu.Unlock()
	if h.Logger == nil {
		h.Logger = slog.Default()
	}
	ping := func() error { return nil }
	if h.PostgresURL != "" {
		l := pq.NewListener(h.PostgresURL, 100*time.Millisecond, 5*time.Second, func(ev pq.ListenerEventType, err error) {
			if err != nil {
				h.Logger.Warn("event listener", "event", ev, "error", err)
			}
		})
		defer l.Close()
		if err := l.Listen(events.Channel); err != nil {
			return fmt.Errorf("listen for events: %w", err)
		}
		// The notifications are drained apart from the loop below: that loop
		// pings the listener, and a ping waits for the listener's connection,
		// which waits for room in Notify; a loop that both pinged and drained
		// stopped for good under a burst of changes.
		go func() {
			for n := range l.Notify { // until Close closes it; nil after a reconnect
				h.mu.Lock()
				if n == nil {
					h.reconnected = true
				} else {
					if settled, last, ok := events.Notification(n.Extra); ok {
						h.settled, h.announced = max(h.settled, settled), max(h.announced, last)
					}
					h.notified++
				}
				h.mu.Unlock()
				h.Wake()
			}
		}()
		ping = l.Ping
	} else {
		w := events.NewWaker()
		defer w.Stop()
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-w.C:
					h.Wake()
				}
			}
		}()
	}
	// Start after the newest event: what came before is read from the table
	// by the subscriptions that ask for it (organizationEvents' after).
	if err := h.start(ctx); err != nil {
		return err
	}
	// What was committed between the priming and the LISTEN had no wake-up,
	// nor a notification to say what it announced: the newest event does.
	h.refreshAnnounced(ctx)
	if err := h.catchUp(ctx); err != nil && ctx.Err() == nil {
		h.Logger.Error("read new events", "error", err)
	}
	poll := h.PollInterval
	if poll <= 0 {
		poll = pollInterval
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	// unsettled fires while announced events are not settled yet: the
	// transaction that holds them back may end without a notification.
	var unsettled <-chan time.Time
	retry := time.Duration(0)
	var waitingSince time.Time // zero: not waiting
	for {
		refresh := false
		select {
		case <-ctx.Done():
			return nil
		case <-h.wake:
			// A notification, or nil after a reconnect (some may be lost), or
			// the in-process wake-up: either way, read what is new.
			h.mu.Lock()
			refresh, h.reconnected = h.reconnected, false
			h.mu.Unlock()
		case <-unsettled:
		case <-tick.C:
			if err := ping(); err != nil {
				h.Logger.Warn("event listener: ping failed", "error", err)
			}
			refresh = true
		}
		if refresh {
			// What notifications lost while the listener was away, or
			// announced of events since deleted, the newest event says.
			h.refreshAnnounced(ctx)
		}
		before := h.Position()
		if err := h.catchUp(ctx); err != nil && ctx.Err() == nil {
			h.Logger.Error("read new events", "error", err)
		}
		if !h.waitsForOlder() {
			retry, unsettled, waitingSince = 0, nil, time.Time{}
			continue
		}
		if h.Position() > before {
			// Under a steady flow of changes something is always being
			// committed: the wait starts again from what this read found.
			retry, waitingSince = 0, time.Time{}
		}
		retry = min(max(2*retry, settleRetry), settleRetryMax)
		unsettled = time.After(retry)
		if waitingSince.IsZero() {
			waitingSince = time.Now()
		} else if since := time.Since(waitingSince); since > poll {
			h.Logger.Warn("live events wait for an older transaction to end (one that holds a transaction ID: "+
				"a long write, a prepared transaction, another application on the cluster)", "waiting", since.Round(time.Second))
			waitingSince = time.Now()
		}
	}
}

// refreshAnnounced sets announced to the newest event, settled or not,
// unless a notification came meanwhile: then it only raises it.
func (h *Hub) refreshAnnounced(ctx context.Context) {
	h.mu.Lock()
	notified := h.notified
	h.mu.Unlock()
	newest, err := h.newest(ctx)
	if err != nil {
		if ctx.Err() == nil {
			h.Logger.Error("read new events", "error", err)
		}
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.notified == notified {
		h.announced = newest
	} else {
		// A notification came during the read, perhaps of an event the
		// read's snapshot did not hold.
		h.announced = max(h.announced, newest)
	}
}

// A hub whose last read stopped before announced events, because an older
// transaction was still running, reads again after settleRetry, then twice
// as long each time it finds nothing new, up to settleRetryMax.
const (
	settleRetry    = 2 * time.Millisecond
	settleRetryMax = 200 * time.Millisecond
)

// waitsForOlder reports whether the hub follows the log and has not read
// every event a notification announced.
func (h *Hub) waitsForOlder() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.unfollowed() && h.last < h.announced
}

// Wake makes the hub read new events (the in-process wake-up).
func (h *Hub) Wake() {
	h.mu.Lock()
	h.init()
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

func (h *Hub) start(ctx context.Context) error {
	for {
		err := h.Prime(ctx)
		if err == nil {
			return nil
		}
		h.Logger.Warn("read the newest event: retrying", "error", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}

// Prime finds where the log ends, once: the hub rings waiters for the
// events after it. The server primes the hub before it serves, so that no
// event committed after a subscription's first read can fall before the
// hub's start and be missed; Run primes it if the server did not.
func (h *Hub) Prime(ctx context.Context) error {
	h.mu.Lock()
	h.init()
	ready := h.ready
	h.mu.Unlock()
	if ready {
		return nil
	}
	newest, err := h.newest(ctx, events.Settled())
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.ready {
		h.last = newest
		for _, f := range h.feeds {
			f.base = h.last
		}
	}
	h.ready = true
	return nil
}

// newest is the sequence of the newest event that keep keeps (0: none).
func (h *Hub) newest(ctx context.Context, keep ...predicate.OrganizationEvent) (int64, error) {
	ev, err := h.Client.OrganizationEvent.Query().
		Where(keep...).
		Order(ent.Desc(organizationevent.FieldSequence)).
		Select(organizationevent.FieldSequence).
		First(tenancy.AsSystem(ctx, ReadEvents))
	if ent.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read the newest event: %w", err)
	}
	return ev.Sequence, nil
}

// catchUp reads the settled events after the last one read, in order,
// keeps those of the followed organizations, and rings the waiters they
// concern. While no subscription on this instance follows anything, it
// moves past what notifications said is settled instead, reading nothing: a
// subscription that starts later reads the table for what came before its
// start (follow takes the hub's position under the same lock).
func (h *Hub) catchUp(ctx context.Context) error {
	sys := tenancy.AsSystem(ctx, ReadEvents)
	h.mu.Lock()
	notified := h.notified
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		h.handled = max(h.handled, notified)
		h.mu.Unlock()
	}()
	for {
		h.mu.Lock()
		if h.unfollowed() {
			h.last = max(h.last, h.settled)
			h.mu.Unlock()
			return nil
		}
		last := h.last
		h.reads++
		h.mu.Unlock()
		evs, err := h.Client.OrganizationEvent.Query().
			Where(organizationevent.SequenceGT(last), events.Settled()).
			Order(ent.Asc(organizationevent.FieldSequence)).
			Limit(pageSize).
			All(sys)
		if err != nil {
			return err
		}
		h.mu.Lock()
		h.epoch++
		for _, ev := range evs {
			if f := h.feeds[ev.OrganizationID]; f != nil {
				f.add(ev, h.epoch)
			}
			for w := range h.byOrg[ev.OrganizationID] {
				w.notify()
			}
			for _, user := range concernedUsers(ev) {
				if user == "" {
					for _, set := range h.byUser {
						for w := range set {
							w.notify()
						}
					}
					continue
				}
				for w := range h.byUser[user] {
					w.notify()
				}
			}
			h.last = ev.Sequence
		}
		h.mu.Unlock()
		if len(evs) < pageSize {
			return nil
		}
	}
}

// unfollowed reports, with h.mu held, whether the hub may move past what
// notifications said is settled without reading: on PostgreSQL only
// (SQLite's wake-up says nothing), and while no subscription watches and no
// feed is kept (a kept feed must get every event, for its next follower).
func (h *Hub) unfollowed() bool {
	return h.PostgresURL != "" && len(h.byOrg) == 0 && len(h.byUser) == 0 && len(h.feeds) == 0
}

// concernedUsers are the users whose current organization event ev may
// change: its actor for a switch, a join or a new organization; every
// watcher ("") when someone leaves or is removed, or an organization goes.
func concernedUsers(ev *ent.OrganizationEvent) []string {
	switch {
	case ev.Type == organizationevent.TypeSWITCH, ev.Type == organizationevent.TypeACCEPT,
		ev.Type == organizationevent.TypeCREATE && ev.TargetType == organizationevent.TargetTypeORGANIZATION:
		return []string{ev.ActorID}
	case ev.Type == organizationevent.TypeLEAVE, ev.Type == organizationevent.TypeREMOVE,
		ev.Type == organizationevent.TypeDELETE && ev.TargetType == organizationevent.TargetTypeORGANIZATION:
		return []string{""}
	}
	return nil
}

// watch adds w to set[key]: every event the hub reads after it that
// concerns w rings w.
func (h *Hub) watch(set func() map[string]map[*waiter]struct{}, key string, w *waiter) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.watchLocked(set, key, w)
}

func (h *Hub) watchLocked(set func() map[string]map[*waiter]struct{}, key string, w *waiter) {
	h.init()
	m := set()
	if m[key] == nil {
		m[key] = map[*waiter]struct{}{}
	}
	m[key][w] = struct{}{}
	if h.last < h.announced {
		// A hub nobody followed did not read again for what was not
		// settled at its last read; it does now.
		select {
		case h.wake <- struct{}{}:
		default:
		}
	}
}

func (h *Hub) unwatch(set func() map[string]map[*waiter]struct{}, key string, w *waiter) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.unwatchLocked(set, key, w)
}

func (h *Hub) unwatchLocked(set func() map[string]map[*waiter]struct{}, key string, w *waiter) {
	m := set()
	delete(m[key], w)
	if len(m[key]) == 0 {
		delete(m, key)
	}
}

// Position is the sequence the hub has read, or moved past, up to.
func (h *Hub) Position() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

// Reads is how many reads of the log the hub has made.
func (h *Hub) Reads() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reads
}

// Notifications is how many notifications the hub has received, and how
// many of them a read (or a decision not to read) has followed.
func (h *Hub) Notifications() (received, handled int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.notified, h.handled
}

// Ready reports whether the hub has found where the log ends.
func (h *Hub) Ready() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ready
}

// Organization returns organization id for the events a subscription
// sends of it, read at most once per read of new events for all its
// subscribers on this instance (OrganizationEvent.organization): nil once
// deleted. followed is false when no subscription follows it here. A
// subscription sends only events its caller may read, checked after they
// were read, so the caller may read their organization too.
func (h *Hub) Organization(ctx context.Context, id string) (org *ent.Organization, followed bool, err error) {
	h.mu.Lock()
	f := h.feeds[id]
	if f == nil {
		h.mu.Unlock()
		return nil, false, nil
	}
	if f.org == nil || f.org.epoch < h.epoch {
		f.org = &organizationRead{epoch: h.epoch}
	}
	r := f.org
	h.mu.Unlock()
	r.once.Do(func() {
		r.org, r.err = h.Client.Organization.Get(tenancy.AsSystem(context.WithoutCancel(ctx), ReadEvents), id)
		if ent.IsNotFound(r.err) {
			r.org, r.err = nil, nil
		}
	})
	return r.org, true, r.err
}
