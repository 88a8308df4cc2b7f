package testkit

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/orgql/orgql/ent"
)

// DumpTables reads every row of every table of the database directly, past
// ent, as text per table: what an attacker who stole the database would see.
func (e *Env) DumpTables(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range ent.Tables {
		rows, err := e.DB.SQL.Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		var b strings.Builder
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				t.Fatal(err)
			}
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				enc, _ := json.Marshal(v)
				b.Write(enc)
				b.WriteByte(' ')
			}
			b.WriteByte('\n')
		}
		rows.Close()
		out[table] = b.String()
	}
	return out
}

// Responses returns the bodies of every response the server gave so far.
func (e *Env) Responses() []string {
	e.responsesMu.Lock()
	defer e.responsesMu.Unlock()
	return append([]string(nil), e.responses...)
}
