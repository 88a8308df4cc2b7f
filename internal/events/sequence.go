package events

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/eventsequence"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/ent/predicate"
)

// Channel is the PostgreSQL notification channel a committed transaction
// that wrote events notifies: a wake-up only (readers read the events from
// the table), whose payload is "<settled> <last>" (see Notification).
const Channel = "orgql_events"

// The rows of event_sequences: SQLite's counter; on PostgreSQL, the offset
// added to transaction IDs (see KeepAhead).
const (
	sequenceRow = 1
	offsetRow   = 2
)

// perTransaction is how many sequences one transaction has on PostgreSQL:
// its events are numbered (xid + offset) × perTransaction + 0, 1, … (a
// sequence is 63 bits, which leaves 43 for the transaction: 8.8 × 10¹²
// transactions).
const perTransaction = 1 << 20

// offset is the SQL of the offset added to PostgreSQL's transaction IDs.
var offset = fmt.Sprintf("COALESCE((SELECT %s FROM %s WHERE %s = %d), 0)",
	eventsequence.FieldValue, eventsequence.Table, eventsequence.FieldID, offsetRow)

// settledBelow is the SQL of the sequence below which every event is
// settled, for the statement it is in (see Settled).
var settledBelow = fmt.Sprintf("((pg_snapshot_xmin(pg_current_snapshot())::text::bigint + %s) * %d)", offset, perTransaction)

// row is an event waiting for its transaction's commit to be written.
type row struct {
	Event
	id                                string
	actorType                         organizationevent.ActorType
	actorID, actorName, origin, agent string
}

// check refuses what the ent schema's validators refuse.
func (r row) check() error {
	if err := organizationevent.OrganizationIDValidator(r.OrganizationID); err != nil {
		return err
	}
	if err := organizationevent.TypeValidator(r.Type); err != nil {
		return err
	}
	if err := organizationevent.TargetTypeValidator(r.TargetType); err != nil {
		return err
	}
	return organizationevent.ActorTypeValidator(r.actorType)
}

// pending are the events a transaction recorded, in order.
type pending struct {
	mu   sync.Mutex
	rows []row
}

var (
	pendingMu sync.Mutex
	pendingOf = map[*ent.Tx]*pending{}
)

// atCommit makes the transaction of ctx write r when it commits. The first
// event of a transaction adds a commit hook that, as the transaction's last
// statement, inserts its events numbered (see insert) and, on PostgreSQL,
// notifies Channel. A transaction that rolls back writes none.
func atCommit(ctx context.Context, r row) error {
	tx := ent.TxFromContext(ctx)
	if tx == nil {
		return fmt.Errorf("record %s %s event: not in a transaction", r.TargetType, r.Type)
	}
	pendingMu.Lock()
	p, ok := pendingOf[tx]
	if !ok {
		p = &pending{}
		pendingOf[tx] = p
	}
	pendingMu.Unlock()
	p.mu.Lock()
	p.rows = append(p.rows, r)
	p.mu.Unlock()
	if ok {
		return nil
	}
	forget := func() {
		pendingMu.Lock()
		delete(pendingOf, tx)
		pendingMu.Unlock()
	}
	tx.OnRollback(func(next ent.Rollbacker) ent.Rollbacker {
		return ent.RollbackFunc(func(ctx context.Context, tx *ent.Tx) error {
			forget()
			return next.Rollback(ctx, tx)
		})
	})
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			forget()
			p.mu.Lock()
			rows := append([]row(nil), p.rows...)
			p.mu.Unlock()
			d, err := insert(ctx, tx, rows)
			if err != nil {
				_ = tx.Rollback()
				return err
			}
			if err := next.Commit(ctx, tx); err != nil {
				return err
			}
			if d == dialect.SQLite {
				committed()
			}
			return nil
		})
	})
	return nil
}

// insert writes rows in tx, numbered, and on PostgreSQL queues the
// notification; it returns the dialect.
//
// The numbering is the order readers follow (docs/architecture.md "Commit
// order"). On PostgreSQL an event's sequence is its transaction's ID (plus
// the offset) × perTransaction + its place in the transaction: no row is
// locked until the commit ends; readers read only the settled events
// (Settled), those of transactions older than any still running, which no
// later commit can precede. One statement: an INSERT whose
// CTE also notifies Channel. On SQLite, which has one writer at a time (BEGIN
// IMMEDIATE) and no data-modifying CTEs, the events are numbered from the
// event_sequences counter, which a second statement then moves past them:
// sequences there follow commit order.
func insert(ctx context.Context, tx *ent.Tx, rows []row) (string, error) {
	d, n := tx.Client().Dialect(), len(rows)
	var prefix, first string
	switch d {
	case dialect.Postgres:
		if n > perTransaction {
			return "", fmt.Errorf("record events: %d in one transaction, more than %d", n, perTransaction)
		}
		// notified is referenced by the rows so that PostgreSQL runs it,
		// once: a CTE that calls a volatile function is never inlined.
		prefix = fmt.Sprintf("WITH numbered AS (SELECT (pg_current_xact_id()::text::bigint + %[1]s) * %[2]d AS first, "+
			"%[3]s - 1 AS settled), "+
			"notified AS (SELECT first, pg_notify('%[4]s', settled || ' ' || (first + %[5]d)) FROM numbered) ",
			offset, perTransaction, settledBelow, Channel, n-1)
		first = "(SELECT first FROM notified)"
	default:
		first = fmt.Sprintf("(COALESCE((SELECT %s FROM %s WHERE %s = %d), 0) + 1)",
			eventsequence.FieldValue, eventsequence.Table, eventsequence.FieldID, sequenceRow)
	}
	ins := sql.Dialect(d).Insert(organizationevent.Table).Columns(
		organizationevent.FieldID, organizationevent.FieldOrganizationID, organizationevent.FieldType,
		organizationevent.FieldTargetType, organizationevent.FieldTargetID, organizationevent.FieldTargetName,
		organizationevent.FieldChange, organizationevent.FieldActorType, organizationevent.FieldActorID,
		organizationevent.FieldActorName, organizationevent.FieldOrigin, organizationevent.FieldUserAgent,
		organizationevent.FieldCreatedAt, organizationevent.FieldSequence)
	now := time.Now()
	for i, r := range rows {
		var change any // NULL when there is none
		if r.Change != nil {
			b, err := json.Marshal(r.Change)
			if err != nil {
				return "", fmt.Errorf("record %s %s event: %w", r.TargetType, r.Type, err)
			}
			change = b
		}
		ins.Values(r.id, r.OrganizationID, string(r.Type), string(r.TargetType), r.TargetID, r.TargetName,
			change, string(r.actorType), r.actorID, r.actorName, r.origin, r.agent,
			now, sql.Expr(fmt.Sprintf("%s + %d", first, i)))
	}
	query, args, err := ins.QueryErr()
	if err != nil {
		return "", fmt.Errorf("record events: %w", err)
	}
	res, err := tx.ExecContext(ctx, prefix+query, args...)
	if err != nil {
		return "", fmt.Errorf("record events: %w", err)
	}
	if written, err := res.RowsAffected(); err != nil || written != int64(n) {
		return "", fmt.Errorf("record events: %d of %d written (%v)", written, n, err)
	}
	if d == dialect.Postgres {
		return d, nil
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(
		"INSERT INTO %[1]s (%[2]s, %[3]s) VALUES (%[4]d, %[5]d) ON CONFLICT (%[2]s) DO UPDATE SET %[3]s = %[1]s.%[3]s + %[5]d",
		eventsequence.Table, eventsequence.FieldID, eventsequence.FieldValue, sequenceRow, n)); err != nil {
		return "", fmt.Errorf("take event sequence: %w", err)
	}
	return d, nil
}

// Settled keeps the events no commit can still precede, which are the ones a
// reader that follows the log may move past. On PostgreSQL, those of the
// transactions older than the oldest still running (the statement's
// snapshot's xmin, which only grows); every later event waits, unread, until
// those transactions end. On SQLite, every committed event.
func Settled() predicate.OrganizationEvent {
	return func(s *sql.Selector) {
		if s.Dialect() == dialect.Postgres {
			s.Where(sql.ExprP(fmt.Sprintf("%s < (SELECT %s)", s.C(organizationevent.FieldSequence), settledBelow)))
		}
	}
}

// KeepAhead makes sure, on PostgreSQL, that the events committed from now
// on are numbered after every event in the log. Transaction IDs only grow
// on one cluster, and survive pg_upgrade, but a database dumped and restored
// or replicated logically into another cluster meets IDs that start again
// low: the offset added to them is then raised past the newest event. It
// only grows. Every command of orgql calls it as it opens the database,
// before it writes or serves; an event committed while it moves could be
// missed by a subscriber, so the instances of a moved database are started
// once the restore has finished, not left running.
func KeepAhead(ctx context.Context, c *ent.Client) error {
	if c.Dialect() != dialect.Postgres {
		return nil
	}
	tx, err := c.Tx(ctx)
	if err != nil {
		return fmt.Errorf("keep event sequences ahead: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	// Instances starting at once raise it one after the other: the second's
	// statement, after the lock, sees the first's offset and leaves it.
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(keepAheadLock)); err != nil {
		return fmt.Errorf("keep event sequences ahead: %w", err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(
		"INSERT INTO %[1]s (%[2]s, %[3]s) "+
			"SELECT %[4]d, newest.top - pg_current_xact_id()::text::bigint + 1 "+
			"FROM (SELECT max(%[5]s) / %[6]d AS top FROM %[7]s) newest "+
			"WHERE newest.top >= pg_current_xact_id()::text::bigint + %[8]s "+
			"ON CONFLICT (%[2]s) DO UPDATE SET %[3]s = GREATEST(%[1]s.%[3]s, EXCLUDED.%[3]s)",
		eventsequence.Table, eventsequence.FieldID, eventsequence.FieldValue, offsetRow,
		organizationevent.FieldSequence, perTransaction, organizationevent.Table, offset)); err != nil {
		return fmt.Errorf("keep event sequences ahead: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("keep event sequences ahead: %w", err)
	}
	return nil
}

// keepAheadLock is the PostgreSQL advisory lock key KeepAhead holds.
const keepAheadLock = 0x6f72_6771_6c73_6571 // "orgqlseq"

// Notification reads the payload of a notification on Channel: every event
// up to settled is settled (see Settled) and the transaction's events end at
// last. ok is false for a payload that is not one.
func Notification(payload string) (settled, last int64, ok bool) {
	a, b, found := strings.Cut(payload, " ")
	if !found {
		return 0, 0, false
	}
	settled, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	return settled, last, err1 == nil && err2 == nil
}

var (
	wakersMu sync.Mutex
	wakers   = map[*Waker]struct{}{}
)

// Waker is told, in this process, that a transaction that wrote events
// committed on SQLite, where there is no LISTEN: a wake-up, like PostgreSQL's
// notification, carrying nothing.
type Waker struct{ C chan struct{} }

// NewWaker starts waking w.C (buffered, coalescing) on every commit of events
// in this process; Stop ends it.
func NewWaker() *Waker {
	w := &Waker{C: make(chan struct{}, 1)}
	wakersMu.Lock()
	wakers[w] = struct{}{}
	wakersMu.Unlock()
	return w
}

// Stop stops waking w.
func (w *Waker) Stop() {
	wakersMu.Lock()
	delete(wakers, w)
	wakersMu.Unlock()
}

func committed() {
	wakersMu.Lock()
	defer wakersMu.Unlock()
	for w := range wakers {
		select {
		case w.C <- struct{}{}:
		default:
		}
	}
}
