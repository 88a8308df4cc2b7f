package events

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/eventsequence"
	"github.com/orgql/orgql/ent/organizationevent"
)

// Channel is the PostgreSQL notification channel a committed transaction
// that wrote events notifies, with its last sequence as the payload: a
// wake-up only; readers read the events from the table.
const Channel = "orgql_events"

// sequenceRow is the one row of event_sequences.
const sequenceRow = 1

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
// statement, adds the number of its events to the one counter (taking its
// row lock until the commit ends), inserts the events numbered from it, and
// on PostgreSQL notifies Channel. Sequences are thus handed out in commit
// order: when sequence n is visible, so is every event before it
// (docs/architecture.md "Events"). A transaction that rolls back writes none.
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
// On PostgreSQL it is one statement: an INSERT whose CTEs add len(rows) to
// the counter (taking its row lock until the commit ends) and notify Channel
// with the last sequence. On SQLite, which has no data-modifying CTEs, the
// events are numbered from the counter's value and the counter is then moved
// past them: the transaction holds the database's write lock (BEGIN
// IMMEDIATE), so no other can read the counter between.
func insert(ctx context.Context, tx *ent.Tx, rows []row) (string, error) {
	d, n := tx.Client().Dialect(), len(rows)
	var prefix string
	// last is the counter's value after this transaction: rows' last sequence.
	last := fmt.Sprintf("(COALESCE((SELECT %s FROM %s WHERE %s = %d), 0) + %d)",
		eventsequence.FieldValue, eventsequence.Table, eventsequence.FieldID, sequenceRow, n)
	if d == dialect.Postgres {
		// notified is referenced by the rows so that PostgreSQL runs it,
		// once: a CTE that calls a volatile function is never inlined.
		prefix = fmt.Sprintf(
			"WITH taken AS (INSERT INTO %[1]s (%[2]s, %[3]s) VALUES (%[4]d, %[5]d) ON CONFLICT (%[2]s) DO UPDATE SET %[3]s = %[1]s.%[3]s + %[5]d RETURNING %[3]s), "+
				"notified AS (SELECT %[3]s, pg_notify('%[6]s', %[3]s::text) FROM taken) ",
			eventsequence.Table, eventsequence.FieldID, eventsequence.FieldValue, sequenceRow, n, Channel)
		last = fmt.Sprintf("(SELECT %s FROM notified)", eventsequence.FieldValue)
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
			now, sql.Expr(fmt.Sprintf("%s - %d", last, n-1-i)))
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
