// Package ratelimit gives each caller a budget of cost points per window
// (docs/security.md S4). On PostgreSQL the counters live in the database
// every instance shares: one upsert per request adds the operation's cost
// to the caller's row and returns the new total, so instances on one
// PostgreSQL count as one. SQLite is served by one process, which counts in
// memory. Windows are fixed and start on multiples of the window length, by
// each instance's clock: clocks apart by d move at most the points spent in
// d around a window's end into the next window.
package ratelimit

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"

	"github.com/orgql/orgql/internal/observe"
	"github.com/orgql/orgql/internal/viewer"
)

// State is a caller's budget after a request.
type State struct {
	Limit int
	Used  int64
	Reset time.Time
}

// Remaining is what is left of the budget, never below 0.
func (s State) Remaining() int64 { return max(0, int64(s.Limit)-s.Used) }

// Over reports whether the request that made s went over the budget.
func (s State) Over() bool { return s.Used > int64(s.Limit) }

// Limiter keeps the counters.
type Limiter struct {
	store  store
	Window time.Duration
	// Now is the clock (tests set it).
	Now       func() time.Time
	lastPrune atomic.Int64
	logger    *slog.Logger
}

// store adds points to a caller's counter: an older window than start
// starts over; a newer one (an instance whose clock is ahead wrote it) is
// added to, so instances never undo each other's counts.
type store interface {
	add(ctx context.Context, key string, start, points int64) (total, windowStart int64, err error)
	prune(ctx context.Context, before int64) (int64, error)
}

// New keeps the counters of db, of dialect: on PostgreSQL in its
// rate_limit_counters table, shared by every instance; on SQLite, whose
// file one process serves, in that process's memory (shared by the servers
// of one *sql.DB), since a write per request would wait for the disk.
func New(db *sql.DB, dialectName string, window time.Duration, logger *slog.Logger) *Limiter {
	if logger == nil {
		logger = slog.Default()
	}
	var st store
	if dialectName == dialect.Postgres {
		st = sqlStore{db: db}
	} else {
		m, _ := memoryStores.LoadOrStore(db, &memoryStore{counters: map[string]counter{}})
		st = m.(*memoryStore)
	}
	return &Limiter{store: st, Window: window, Now: time.Now, logger: logger}
}

// Take adds cost to key's counter in the current window and returns the
// budget's state, of limit points.
func (l *Limiter) Take(ctx context.Context, key string, cost, limit int) (State, error) {
	window := int64(l.Window / time.Second)
	start := l.Now().Unix() / window * window
	points, windowStart, err := l.store.add(ctx, key, start, int64(cost))
	if err != nil {
		return State{}, fmt.Errorf("rate limit: count: %w", err)
	}
	l.maybePrune(start)
	return State{Limit: limit, Used: points, Reset: time.Unix(windowStart+window, 0)}, nil
}

// maybePrune deletes, once a window per instance and off the request, the
// counters of callers not seen for a whole window.
func (l *Limiter) maybePrune(start int64) {
	last := l.lastPrune.Load()
	if last >= start || !l.lastPrune.CompareAndSwap(last, start) {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := l.Prune(ctx, time.Unix(start, 0).Add(-l.Window)); err != nil {
			l.logger.Warn("rate limit: pruning old counters failed", "error", err)
		}
	}()
}

// Prune deletes the counters of windows that started before before, and
// says how many.
func (l *Limiter) Prune(ctx context.Context, before time.Time) (int64, error) {
	n, err := l.store.prune(ctx, before.Unix())
	if err != nil {
		return 0, fmt.Errorf("rate limit: prune: %w", err)
	}
	return n, nil
}

// sqlStore is PostgreSQL's rate_limit_counters table (unlogged: a crash
// only resets the budgets, and a write need not wait for the WAL's flush).
type sqlStore struct{ db *sql.DB }

const (
	upsertCounter = `INSERT INTO rate_limit_counters (id, window_start, points) VALUES ($1, $2, $3)
ON CONFLICT (id) DO UPDATE SET
  points = CASE WHEN rate_limit_counters.window_start >= excluded.window_start
    THEN rate_limit_counters.points + excluded.points ELSE excluded.points END,
  window_start = GREATEST(rate_limit_counters.window_start, excluded.window_start)
RETURNING points, window_start`
	pruneCounters = `DELETE FROM rate_limit_counters WHERE window_start < $1`
)

func (s sqlStore) add(ctx context.Context, key string, start, points int64) (int64, int64, error) {
	sctx, done := observe.Statement(ctx, "exec", upsertCounter)
	var total, windowStart int64
	err := s.db.QueryRowContext(sctx, upsertCounter, key, start, points).Scan(&total, &windowStart)
	if done != nil {
		done(err)
	}
	return total, windowStart, err
}

func (s sqlStore) prune(ctx context.Context, before int64) (int64, error) {
	res, err := s.db.ExecContext(ctx, pruneCounters, before)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// memoryStores are the counters of each SQLite database open in this process.
var memoryStores sync.Map // *sql.DB -> *memoryStore

type counter struct{ windowStart, points int64 }

type memoryStore struct {
	mu       sync.Mutex
	counters map[string]counter
}

func (m *memoryStore) add(_ context.Context, key string, start, points int64) (int64, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.counters[key]
	if c.windowStart >= start {
		c.points += points
	} else {
		c = counter{windowStart: start, points: points}
	}
	m.counters[key] = c
	return c.points, c.windowStart, nil
}

func (m *memoryStore) prune(_ context.Context, before int64) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	for k, c := range m.counters {
		if c.windowStart < before {
			delete(m.counters, k)
			n++
		}
	}
	return n, nil
}

// Budgets are the points per window of each kind of caller.
type Budgets struct {
	Anonymous int
	User      int
	// Plans are API tokens' budgets by their organization's plan; Plans["FREE"] for any other.
	Plans map[string]int
}

// Caller is who a budget is for.
type Caller struct {
	// Key names the counter: user:<id>, token:<id> or anonymous:<address>.
	Key string
	// Kind is user, api_token or anonymous (a metric label).
	Kind string
	// Organization is an API token's organization, whose plan sets its budget.
	Organization string
}

// CallerOf is the caller of r, whose context holds the authenticated
// caller if any; ipHeader names the header a trusted proxy writes the
// client's address in ("": the connection's address).
func CallerOf(r *http.Request, ipHeader string) Caller {
	if c, ok := Authenticated(viewer.FromContext(r.Context())); ok {
		return c
	}
	return Caller{Key: "anonymous:" + AddressOf(r, ipHeader), Kind: "anonymous"}
}

// Authenticated is the budget of an authenticated caller c (a user or an
// API token); false for anyone else.
func Authenticated(c *viewer.Caller) (Caller, bool) {
	switch {
	case c.IsUser():
		return Caller{Key: "user:" + c.UserID, Kind: "user"}, true
	case c.IsAPIToken():
		return Caller{Key: "token:" + c.Token.ID, Kind: "api_token", Organization: c.Token.OrganizationID}, true
	}
	return Caller{}, false
}

// AddressOf is the client address of r as a budget counts it: what one
// anonymous budget covers (see budgetAddress).
func AddressOf(r *http.Request, ipHeader string) string {
	return budgetAddress(ClientAddress(r, ipHeader))
}

// budgetAddress is the part of a client address one anonymous budget
// covers: an IPv4 address, or an IPv6 /64, which a single client usually
// holds whole (one budget per /128 would give it 2^64).
func budgetAddress(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil || ip.To4() != nil {
		return addr
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// ClientAddress is the client's address: from ipHeader when set and present
// (X-Forwarded-For: its last entry, the one the nearest proxy added), else
// the connection's.
func ClientAddress(r *http.Request, ipHeader string) string {
	if ipHeader != "" {
		if v := r.Header.Values(ipHeader); len(v) > 0 {
			last := v[len(v)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip := net.ParseIP(strings.TrimSpace(last)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// PlanCache remembers organizations' plans for a window, so a token's
// budget costs one lookup per organization and window, not one per request.
type PlanCache struct {
	Lookup func(ctx context.Context, orgID string) (string, error)
	TTL    time.Duration
	Now    func() time.Time

	mu    sync.Mutex
	plans map[string]cachedPlan
}

type cachedPlan struct {
	plan string
	at   time.Time
}

// Plan returns orgID's plan.
func (c *PlanCache) Plan(ctx context.Context, orgID string) (string, error) {
	now := c.Now()
	c.mu.Lock()
	p, ok := c.plans[orgID]
	c.mu.Unlock()
	if ok && now.Sub(p.at) < c.TTL {
		return p.plan, nil
	}
	plan, err := c.Lookup(ctx, orgID)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	if c.plans == nil || len(c.plans) > 10000 {
		c.plans = map[string]cachedPlan{}
	}
	c.plans[orgID] = cachedPlan{plan: plan, at: now}
	c.mu.Unlock()
	return plan, nil
}

// Limit is c's budget.
func (b Budgets) Limit(ctx context.Context, c Caller, plans *PlanCache) (int, error) {
	switch c.Kind {
	case "user":
		return b.User, nil
	case "api_token":
		plan, err := plans.Plan(ctx, c.Organization)
		if err != nil {
			return 0, err
		}
		if n, ok := b.Plans[plan]; ok {
			return n, nil
		}
		return b.Plans["FREE"], nil
	}
	return b.Anonymous, nil
}
