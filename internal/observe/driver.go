package observe

import (
	"context"
	"database/sql"
	"fmt"

	"entgo.io/ent/dialect"
)

// Driver wraps ent's driver so that every statement run with a request's
// context is counted and observed (metrics, a span). Statements run outside
// a request (migrations, background work) pass through untouched.
func Driver(d dialect.Driver) dialect.Driver { return &driver{Driver: d} }

type driver struct{ dialect.Driver }

func (d *driver) Exec(ctx context.Context, query string, args, v any) error {
	return run(ctx, "exec", query, func(ctx context.Context) error { return d.Driver.Exec(ctx, query, args, v) })
}

func (d *driver) Query(ctx context.Context, query string, args, v any) error {
	return run(ctx, "query", query, func(ctx context.Context) error { return d.Driver.Query(ctx, query, args, v) })
}

func (d *driver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &txn{Tx: tx}, nil
}

// BeginTx keeps ent's transaction options (isolation levels) working.
func (d *driver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	b, ok := d.Driver.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return d.Tx(ctx)
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &txn{Tx: tx}, nil
}

type txn struct{ dialect.Tx }

func (t *txn) Exec(ctx context.Context, query string, args, v any) error {
	return run(ctx, "exec", query, func(ctx context.Context) error { return t.Tx.Exec(ctx, query, args, v) })
}

func (t *txn) Query(ctx context.Context, query string, args, v any) error {
	return run(ctx, "query", query, func(ctx context.Context) error { return t.Tx.Query(ctx, query, args, v) })
}

func run(ctx context.Context, kind, query string, do func(context.Context) error) error {
	sctx, done := Statement(ctx, kind, query)
	err := do(sctx)
	if done != nil {
		done(err)
	}
	return err
}

// The raw database/sql calls that ent's ExecQuery feature exposes on a client
// and a transaction (the event sequence's commit hook uses them) go through
// the wrapper too, observed like the others.
type rawExecQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (d *driver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return execContext(ctx, d.Driver, query, args)
}

func (d *driver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return queryContext(ctx, d.Driver, query, args)
}

func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return execContext(ctx, t.Tx, query, args)
}

func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return queryContext(ctx, t.Tx, query, args)
}

func execContext(ctx context.Context, under any, query string, args []any) (sql.Result, error) {
	r, ok := under.(rawExecQuerier)
	if !ok {
		return nil, fmt.Errorf("observe: ExecContext is not supported by %T", under)
	}
	var res sql.Result
	err := run(ctx, "exec", query, func(ctx context.Context) (err error) {
		res, err = r.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

func queryContext(ctx context.Context, under any, query string, args []any) (*sql.Rows, error) {
	r, ok := under.(rawExecQuerier)
	if !ok {
		return nil, fmt.Errorf("observe: QueryContext is not supported by %T", under)
	}
	var rows *sql.Rows
	err := run(ctx, "query", query, func(ctx context.Context) (err error) {
		rows, err = r.QueryContext(ctx, query, args...)
		return err
	})
	return rows, err
}
