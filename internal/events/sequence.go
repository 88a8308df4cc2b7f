package events

import (
	"context"
	"fmt"
	"sync"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/eventsequence"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/tenancy"
)

// Channel is the PostgreSQL notification channel a committed transaction
// that wrote events notifies, with its last sequence as the payload: a
// wake-up only; readers read the events from the table.
const Channel = "orgql_events"

// sequenceRow is the one row of event_sequences.
const sequenceRow = 1

// pending are the events a transaction wrote, in order, waiting for their
// sequence at its commit.
type pending struct {
	mu  sync.Mutex
	ids []string
}

var (
	pendingMu sync.Mutex
	pendingOf = map[*ent.Tx]*pending{}
)

// sequenceAtCommit makes the transaction of ctx give event id its sequence
// when it commits. The first event of a transaction adds a commit hook that,
// as the transaction's last statements, adds the number of its events to the
// one counter (taking its row lock until the commit ends), numbers the
// events from it, and on PostgreSQL notifies Channel. Sequences are thus
// handed out in commit order: when sequence n is visible, so is every event
// before it (docs/architecture.md "Events").
func sequenceAtCommit(ctx context.Context, id string) error {
	tx := ent.TxFromContext(ctx)
	if tx == nil {
		return fmt.Errorf("record event: not in a transaction")
	}
	pendingMu.Lock()
	p, ok := pendingOf[tx]
	if !ok {
		p = &pending{}
		pendingOf[tx] = p
	}
	pendingMu.Unlock()
	p.mu.Lock()
	p.ids = append(p.ids, id)
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
			ids := append([]string(nil), p.ids...)
			p.mu.Unlock()
			d, err := number(ctx, tx, ids)
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

// number gives ids their sequences in tx and, on PostgreSQL, queues the
// notification; it returns the dialect.
//
// On PostgreSQL it is one statement: an UPDATE of the events whose CTEs add
// len(ids) to the counter (taking its row lock until the commit ends) and
// notify Channel with the last sequence. On SQLite, which has no
// data-modifying CTEs, the events are numbered from the counter's value and
// the counter is then moved past them: the transaction holds the database's
// write lock (BEGIN IMMEDIATE), so no other can read the counter between.
func number(ctx context.Context, tx *ent.Tx, ids []string) (string, error) {
	sys := tenancy.AsSystem(ctx, tenancy.RecordEvent)
	n := int64(len(ids))
	var d string
	numbered, err := tx.Client().OrganizationEvent.Update().Where(organizationevent.IDIn(ids...)).
		Modify(func(u *sql.UpdateBuilder) {
			d = u.Dialect()
			// The counter's new value: the last of ids' sequences.
			last := fmt.Sprintf("(SELECT %s FROM %s WHERE %s = %d)", eventsequence.FieldValue, eventsequence.Table, eventsequence.FieldID, sequenceRow)
			if d == dialect.Postgres {
				// notified is referenced below so that PostgreSQL runs it,
				// once: the subquery is not correlated.
				u.Prefix(sql.Expr(fmt.Sprintf(
					"WITH taken AS (INSERT INTO %[1]s (%[2]s, %[3]s) VALUES (%[4]d, %[5]d) ON CONFLICT (%[2]s) DO UPDATE SET %[3]s = %[1]s.%[3]s + %[5]d RETURNING %[3]s), "+
						"notified AS (SELECT %[3]s, pg_notify('%[6]s', %[3]s::text) FROM taken)",
					eventsequence.Table, eventsequence.FieldID, eventsequence.FieldValue, sequenceRow, n, Channel)))
				last = fmt.Sprintf("(SELECT %s FROM notified)", eventsequence.FieldValue)
			} else {
				// Before the counter moves: its value is the sequence before ids'.
				last = fmt.Sprintf("(COALESCE(%s, 0) + %d)", last, n)
			}
			u.Set(organizationevent.FieldSequence, sql.ExprFunc(func(b *sql.Builder) {
				b.WriteString(last).WriteString(fmt.Sprintf(" - %d + CASE ", n))
				b.Ident(organizationevent.FieldID)
				for i, id := range ids {
					b.WriteString(" WHEN ").Arg(id).WriteString(fmt.Sprintf(" THEN %d", i+1))
				}
				b.WriteString(" END")
			}))
		}).
		Save(sys)
	if err != nil {
		return "", fmt.Errorf("number events: %w", err)
	}
	if numbered != len(ids) {
		return "", fmt.Errorf("number events: %d of %d events found", numbered, len(ids))
	}
	if d == dialect.Postgres {
		return d, nil
	}
	if _, err := tx.ExecContext(sys, fmt.Sprintf(
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
