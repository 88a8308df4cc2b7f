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
// nested connections again: a msgpack map of the keys "i" (an ID) and "v"
// (optional), each at most once, spelled as this server spells it (encoding
// the cursor again gives the same bytes), so one position has one cursor.
// msgpack's struct decoding panics on some repeated keys, so the map is read
// key by key here.
func Decode(field, s string) (Cursor, error) {
	bad := apperr.BadInput(field, "%s is not a cursor of this connection", field)
	if s == "" || len(s) > MaxCursorLength {
		return Cursor{}, bad
	}
	raw, err := base64.RawStdEncoding.Strict().DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	c, ok := decodeMap(raw)
	if !ok || id.Prefix(c.ID) == "" || !scalar(c.Value) {
		return Cursor{}, bad
	}
	if again, err := msgpack.Marshal(c); err != nil || !bytes.Equal(again, raw) {
		return Cursor{}, bad
	}
	return c, nil
}

// decodeMap reads raw as exactly one msgpack map {"i": string, "v": value}.
func decodeMap(raw []byte) (Cursor, bool) {
	var c Cursor
	r := bytes.NewReader(raw)
	d := msgpack.NewDecoder(r)
	n, err := d.DecodeMapLen()
	if err != nil || n < 1 || n > 2 {
		return c, false
	}
	seen := map[string]bool{}
	for range n {
		k, err := d.DecodeString()
		if err != nil || seen[k] {
			return c, false
		}
		seen[k] = true
		switch k {
		case "i":
			c.ID, err = d.DecodeString()
		case "v":
			c.Value, err = d.DecodeInterface()
		default:
			return c, false
		}
		if err != nil {
			return c, false
		}
	}
	return c, seen["i"] && r.Len() == 0
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
