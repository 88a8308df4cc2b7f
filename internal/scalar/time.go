// Package scalar holds the GraphQL scalars whose encoding is orgql's own.
package scalar

import (
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalTime writes t as RFC 3339 in UTC with at most microseconds: the
// precision PostgreSQL keeps, so a time answered by a mutation is the time
// every later read answers, on either store.
func MarshalTime(t time.Time) graphql.Marshaler {
	if t.IsZero() {
		return graphql.Null
	}
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)))
	})
}

// UnmarshalTime reads an RFC 3339 time, as gqlgen's own Time does.
func UnmarshalTime(v any) (time.Time, error) {
	return graphql.UnmarshalTime(v)
}
