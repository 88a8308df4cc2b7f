package observe

import (
	"context"
	"database/sql"

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
