package server

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// writeJSON writes every response byte for byte as json.Marshal does, the
// escaping of <, >, & and U+2028 in the data included.
func TestWriteJSONIsJSONMarshal(t *testing.T) {
	yes := true
	coded := gqlerror.Errorf("refused <b>")
	errcode.Set(coded, "FORBIDDEN")
	for name, resp := range map[string]*graphql.Response{
		"data":        {Data: json.RawMessage(`{"a":"<script>&amp;\u2028","b":[1,2.5,null,true],"c":{"d":"\"q\"\\n"}}`)},
		"no data":     {},
		"null data":   {Data: json.RawMessage(`null`)},
		"errors":      {Errors: gqlerror.List{coded, gqlerror.ErrorLocf("", 1, 2, "bad")}},
		"both":        {Errors: gqlerror.List{coded}, Data: json.RawMessage(`{"x":null}`)},
		"incremental": {Data: json.RawMessage(`{}`), Label: "l<", Path: ast.Path{ast.PathName("a"), ast.PathIndex(3)}, HasNext: &yes},
		"extensions":  {Data: json.RawMessage(`{}`), Extensions: map[string]any{"cost": 3, "why": "<&>"}},
	} {
		want, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		writeJSON(&got, resp)
		if got.String() != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got.String(), want)
		}
	}
}
