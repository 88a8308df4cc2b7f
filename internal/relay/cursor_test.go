package relay_test

import (
	"bytes"
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/relay"
)

const someID = "org_01j9z3x5y6w7v8t9s0r1q2p3n4"

// encode is the cursor argument the server writes for c.
func encode(c relay.Cursor) string {
	var b bytes.Buffer
	c.MarshalGQL(&b)
	return strings.Trim(b.String(), `"`)
}

// Every cursor the server makes, whatever its order value, decodes to itself.
func TestDecodeReadsTheServersCursors(t *testing.T) {
	for _, v := range []any{nil, "Acme", "", int64(5), int64(-300), 70000, uint8(3), time.Now(), time.Now().UTC(), time.Time{}, 1.5, float32(2.5), true} {
		c := relay.Cursor{ID: someID, Value: v}
		got, err := relay.Decode("after", encode(c))
		if err != nil || got.ID != someID || encode(got) != encode(c) {
			t.Errorf("%T %v: Decode = %+v, %v", v, v, got, err)
		}
	}
}

// A cursor spelled otherwise than the server spells it is refused, not
// decoded (msgpack's struct decoding panics on some repeated keys) nor
// taken as another name of a position: repeated or unknown keys, keys out
// of order, wider headers for the same string or map, an explicit nil, the
// array form of a struct, an ID in a spelling other than the canonical one.
func TestDecodeRefusesOtherSpellings(t *testing.T) {
	str := func(s string) []byte { return append([]byte{0xa0 | byte(len(s))}, s...) }
	str8 := func(s string) []byte { return append([]byte{0xd9, byte(len(s))}, s...) }
	m := func(n byte, parts ...[]byte) string {
		out := []byte{0x80 | n}
		for _, p := range parts {
			out = append(out, p...)
		}
		return base64.RawStdEncoding.EncodeToString(out)
	}
	i, v := str("i"), str("v")
	for name, s := range map[string]string{
		"repeated v (string then string)": m(3, i, str(someID), v, str("a"), v, str("b")),
		"repeated v (map then map)":       m(3, i, str(someID), v, []byte{0x81, 0xa1, 'a', 1}, v, []byte{0x81, 0xa1, 'a', 1}),
		"repeated v (nil then string)":    m(3, i, str(someID), v, []byte{0xc0}, v, str("b")),
		"repeated i":                      m(2, i, str(someID), i, str(someID)),
		"unknown key":                     m(2, i, str(someID), str("x"), str("b")),
		"v before i":                      m(2, v, str("a"), i, str(someID)),
		"ID as str8":                      m(1, i, str8(someID)),
		"key as str8":                     m(1, str8("i"), str(someID)),
		"explicit nil value":              m(2, i, str(someID), v, []byte{0xc0}),
		"map16 header":                    base64.RawStdEncoding.EncodeToString(append([]byte{0xde, 0, 1}, append(i, str(someID)...)...)),
		"array form":                      base64.RawStdEncoding.EncodeToString(append([]byte{0x92}, append(str(someID), str("a")...)...)),
		"upper-case ID":                   encode(relay.Cursor{ID: strings.ToUpper(someID)}),
		"overflowing ID":                  encode(relay.Cursor{ID: "org_8" + someID[5:]}),
	} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: Decode panicked: %v", name, r)
				}
			}()
			if c, err := relay.Decode("after", s); err == nil {
				t.Errorf("%s: Decode accepted %q as %+v", name, s, c)
			}
		}()
	}
}

// Decode never panics, accepts no cursor that entgql's own decoding (used
// again for the arguments of nested connections) would read differently,
// and accepts only the server's own spelling of a cursor.
func FuzzDecode(f *testing.F) {
	f.Add(encode(relay.Cursor{ID: someID}))
	f.Add(encode(relay.Cursor{ID: someID, Value: "Acme"}))
	f.Add(encode(relay.Cursor{ID: someID, Value: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)}))
	f.Add(encode(relay.Cursor{ID: someID, Value: int64(-300)}))
	f.Add("")
	f.Add("!!!")
	f.Add(strings.Repeat("A", 3000))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := relay.Decode("after", s)
		if err != nil {
			return
		}
		var again relay.Cursor
		if err := again.UnmarshalGQL(s); err != nil || again.ID != c.ID || !reflect.DeepEqual(again.Value, c.Value) {
			t.Fatalf("Decode accepted %q as %+v, entgql's decoding gives %+v, %v", s, c, again, err)
		}
		if encode(c) != s {
			t.Fatalf("Decode accepted %q, which the server spells %q", s, encode(c))
		}
	})
}
