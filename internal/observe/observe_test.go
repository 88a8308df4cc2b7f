package observe

import (
	"context"
	"errors"
	"testing"

	"entgo.io/ent/dialect"
)

type fakeDriver struct{ dialect.Driver }

func (fakeDriver) Exec(context.Context, string, any, any) error  { return nil }
func (fakeDriver) Query(context.Context, string, any, any) error { return errors.New("boom") }
func (fakeDriver) Tx(context.Context) (dialect.Tx, error)        { return fakeTx{}, nil }

type fakeTx struct{ dialect.Tx }

func (fakeTx) Exec(context.Context, string, any, any) error { return nil }

// Statements run with a request's context, in or out of a transaction, are
// counted and observed with their outcome; others pass through.
func TestDriverObservesStatements(t *testing.T) {
	var kinds []string
	var errs []error
	rec := &Request{Statements: func(ctx context.Context, kind, query string) (context.Context, func(error)) {
		kinds = append(kinds, kind+" "+query)
		return ctx, func(err error) { errs = append(errs, err) }
	}}
	d := Driver(fakeDriver{})
	ctx := NewContext(context.Background(), rec)
	_ = d.Exec(ctx, "UPDATE a", nil, nil)
	if err := d.Query(ctx, "SELECT b", nil, nil); err == nil {
		t.Fatal("the driver's error was lost")
	}
	tx, _ := d.Tx(ctx)
	_ = tx.Exec(ctx, "INSERT c", nil, nil)
	_ = d.Exec(context.Background(), "UPDATE outside", nil, nil)
	if rec.StatementCount() != 3 || len(kinds) != 3 || kinds[1] != "query SELECT b" || kinds[2] != "exec INSERT c" {
		t.Fatalf("count %d, observed %v", rec.StatementCount(), kinds)
	}
	if errs[0] != nil || errs[1] == nil || errs[2] != nil {
		t.Fatalf("outcomes %v", errs)
	}
}
