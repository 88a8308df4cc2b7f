package change

import "context"

// Checked is save preceded by check, for what no ent validator holds: the
// rules of JSON fields, IDs that must name rows of the organization. Given
// to Create or Update as their saver, check runs once the change is
// authorized, so a caller who may not make the change learns nothing from
// it, as with ent's own validators. check may finish building the row from
// what it checked; its error is the change's.
func Checked[T any](check func(context.Context) error, save Saver[T]) Saver[T] {
	return checked[T]{check: check, save: save}
}

type checked[T any] struct {
	check func(context.Context) error
	save  Saver[T]
}

func (c checked[T]) Save(ctx context.Context) (T, error) {
	if err := c.check(ctx); err != nil {
		var zero T
		return zero, err
	}
	return c.save.Save(ctx)
}
