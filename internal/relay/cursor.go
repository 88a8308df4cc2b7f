package relay

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/id"
)

// Cursor is the cursor of an edge: the ID of its node and the value of the
// connection's order field (none when ordered by ID), msgpack in base64.
type Cursor = entgql.Cursor[string]

// MaxCursorLength bounds a cursor argument. The longest cursor this server
// makes holds an ID and a 255-character name: well under 2 KiB.
const MaxCursorLength = 2048

// Decode decodes s, the value of the cursor argument field, as a cursor
// this server could have made; BAD_USER_INPUT naming field otherwise. It
// accepts no more than entgql's own decoding, which decodes the cursors of
// nested connections again.
func Decode(field, s string) (Cursor, error) {
	var c Cursor
	bad := apperr.BadInput(field, "%s is not a cursor of this connection", field)
	if s == "" || len(s) > MaxCursorLength {
		return c, bad
	}
	raw, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return c, bad
	}
	r := bytes.NewReader(raw)
	if err := msgpack.NewDecoder(r).Decode(&c); err != nil || r.Len() > 0 {
		return c, bad
	}
	if id.Prefix(c.ID) == "" || !scalar(c.Value) {
		return c, bad
	}
	return c, nil
}

// scalar tells whether v is a value an order field can hold.
func scalar(v any) bool {
	switch v.(type) {
	case nil, string, bool, time.Time,
		int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64:
		return true
	}
	return false
}

// MarshalCursor and UnmarshalCursor make Cursor the GraphQL Cursor scalar
// (bound in gqlgen.yml): entgql's encoding out, Decode in.
func MarshalCursor(c Cursor) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		c.MarshalGQL(w)
		return nil
	})
}

func UnmarshalCursor(ctx context.Context, v any) (Cursor, error) {
	field := "cursor"
	if pc := graphql.GetPathContext(ctx); pc != nil && pc.Field != nil {
		field = *pc.Field
	}
	s, ok := v.(string)
	if !ok {
		return Cursor{}, apperr.BadInput(field, "%s must be a cursor string", field)
	}
	return Decode(field, s)
}
