package relay

import (
	"context"
	"reflect"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"

	"github.com/orgql/orgql/internal/apperr"
)

// CursorPredicates returns the conditions selecting the rows strictly after
// after and strictly before before, for a connection ordered by column in
// direction, ties broken by idColumn in the same direction. A NULL value
// sorts after every other value (see OrderOptions). zero is the order
// field's value on an empty node: it tells the type the cursors' values must
// have; a cursor of another order is BAD_USER_INPUT.
func CursorPredicates(after, before *Cursor, idColumn, column string, direction entgql.OrderDirection, zero any) ([]func(*sql.Selector), error) {
	var out []func(*sql.Selector)
	for _, c := range []struct {
		field   string
		cursor  *Cursor
		greater bool
	}{
		{"after", after, direction == entgql.OrderDirectionAsc},
		{"before", before, direction == entgql.OrderDirectionDesc},
	} {
		if c.cursor == nil {
			continue
		}
		byID := column == idColumn
		if !fits(c.cursor.Value, byID, zero) {
			return nil, apperr.BadInput(c.field, "%s is not a cursor of this connection's order", c.field)
		}
		out = append(out, beyond(*c.cursor, idColumn, column, byID, c.greater, nullable(zero)))
	}
	return out, nil
}

// beyond selects the rows after (greater) or before c in the order of
// (column, idColumn), NULL last.
func beyond(c Cursor, idColumn, column string, byID, greater, nullable bool) func(*sql.Selector) {
	if byID {
		if greater {
			return sql.FieldGT(idColumn, c.ID)
		}
		return sql.FieldLT(idColumn, c.ID)
	}
	return func(s *sql.Selector) {
		col, idc := s.C(column), s.C(idColumn)
		// Order terms may select the column under a joined name; use it when it is unambiguous.
		if matches := s.FindSelection(column); len(matches) == 1 {
			col = matches[0]
		}
		cmp, cmpID := sql.LT, sql.LT
		if greater {
			cmp, cmpID = sql.GT, sql.GT
		}
		var p *sql.Predicate
		switch {
		case c.Value == nil && greater:
			p = sql.And(sql.IsNull(col), cmpID(idc, c.ID))
		case c.Value == nil:
			p = sql.Or(sql.NotNull(col), sql.And(sql.IsNull(col), cmpID(idc, c.ID)))
		default:
			ors := []*sql.Predicate{cmp(col, c.Value), sql.And(sql.EQ(col, c.Value), cmpID(idc, c.ID))}
			if greater && nullable {
				ors = append(ors, sql.IsNull(col))
			}
			p = sql.Or(ors...)
		}
		s.Where(p)
	}
}

// fits tells whether a cursor value v belongs to an order whose field has
// the zero value zero (by ID: no value).
func fits(v any, byID bool, zero any) bool {
	if byID {
		return v == nil
	}
	t := reflect.TypeOf(zero)
	if t == nil {
		return true // an order whose type is not known here: the database compares
	}
	if t.Kind() == reflect.Pointer {
		if v == nil {
			return true
		}
		t = t.Elem()
	}
	if v == nil {
		return false
	}
	vt := reflect.TypeOf(v)
	switch {
	case t == reflect.TypeOf(time.Time{}) || vt == reflect.TypeOf(time.Time{}):
		return t == vt
	case t.Kind() == reflect.String, t.Kind() == reflect.Bool:
		return vt.Kind() == t.Kind()
	case numeric(t.Kind()):
		return numeric(vt.Kind())
	}
	return false
}

func numeric(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Float64
}

func nullable(zero any) bool {
	t := reflect.TypeOf(zero)
	return t != nil && t.Kind() == reflect.Pointer
}

// OrderOptions are the ORDER BY options of a connection's order field in
// direction: NULL last ascending and first descending, as PostgreSQL does
// by default and SQLite only when told. Only a nullable field needs them.
func OrderOptions(direction entgql.OrderDirection, zero any) []sql.OrderTermOption {
	opts := []sql.OrderTermOption{direction.OrderTermOption()}
	if nullable(zero) {
		if direction == entgql.OrderDirectionAsc {
			opts = append(opts, sql.OrderNullsLast())
		} else {
			opts = append(opts, sql.OrderNullsFirst())
		}
	}
	return opts
}

// OrderSQL is the direction with the NULL placement of OrderOptions, as
// SQL after the column name ("ASC NULLS LAST").
func OrderSQL(direction entgql.OrderDirection, zero any) string {
	s := string(direction)
	if nullable(zero) {
		if direction == entgql.OrderDirectionAsc {
			s += " NULLS LAST"
		} else {
			s += " NULLS FIRST"
		}
	}
	return s
}

// Page takes the rows a connection's query returned after its cursors
// (at most first+1, or last+1 in reverse order) and tells how many of them
// are the page's edges, and whether rows follow or precede the page. With
// first (last), a next (previous) page exists when more than first (last)
// rows came back; without it, when the page ends at a before (after)
// cursor, whose own row lies beyond it.
func Page(rows int, after bool, first *int, before bool, last *int) (edges int, hasNext, hasPrevious bool) {
	edges = rows
	if first != nil {
		hasNext = rows > *first
		edges = min(edges, *first)
	} else {
		hasNext = before
	}
	if last != nil {
		hasPrevious = rows > *last
		edges = min(edges, *last)
	} else {
		hasPrevious = after
	}
	return max(edges, 0), hasNext, hasPrevious
}

// Counter counts a connection's rows, its cursors and page size aside.
type Counter interface {
	Count(ctx context.Context) (int, error)
}

// TotalCount is a connection's totalCount once its query returned rows
// rows of at most limit (the page size and one; 0: no limit). Without
// cursors, fewer rows than limit are all there are, and nothing is counted;
// otherwise counter counts them.
func TotalCount(ctx context.Context, counter Counter, rows int, cursors bool, limit int) (int, error) {
	if !cursors && limit > 0 && rows < limit {
		return rows, nil
	}
	return counter.Count(ctx)
}
