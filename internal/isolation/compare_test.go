package isolation_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/orgql/orgql/internal/testkit"
)

// placeholder stands for the ID under test in a normalised response.
const placeholder = "<ID>"

// normalise returns what two answers are compared on: the HTTP status and
// the body, re-encoded with sorted keys, with only what legitimately differs
// between two requests taken out: the request id of an internal error, and
// the ID that was sent (sent, when not empty), should a message echo it.
func normalise(r *testkit.Response, sent string) string {
	body := r.Body
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err == nil {
		if errs, ok := doc["errors"].([]any); ok {
			for _, e := range errs {
				if ext, ok := e.(map[string]any)["extensions"].(map[string]any); ok {
					delete(ext, "requestId")
				}
			}
		}
		body, _ = json.Marshal(doc)
	}
	s := string(body)
	if sent != "" {
		s = strings.ReplaceAll(s, sent, placeholder)
	}
	return fmt.Sprintf("HTTP %d %s", r.Status, s)
}

// outcome summarises an answer for the report: the first error's code, or OK.
func outcome(r *testkit.Response) string {
	if r.Status != 200 && len(r.Errors) == 0 {
		return fmt.Sprintf("HTTP %d", r.Status)
	}
	if len(r.Errors) > 0 {
		if code := r.Errors[0].Code(); code != "" {
			return code
		}
		return "error without code"
	}
	return "OK"
}

// leaked returns the first of markers found in the normalised answer.
func leaked(normalised string, markers []string) string {
	for _, m := range markers {
		if m != "" && strings.Contains(normalised, m) {
			return m
		}
	}
	return ""
}

// rootValue returns the value of the root field in the answer's data: nil
// when data or the field is null.
func rootValue(r *testkit.Response, field string) any {
	var data map[string]any
	if err := json.Unmarshal(r.Data, &data); err != nil {
		return nil
	}
	return data[field]
}

// allNull reports whether v is null or a list of nulls.
func allNull(v any) bool {
	if list, ok := v.([]any); ok {
		for _, item := range list {
			if item != nil {
				return false
			}
		}
		return true
	}
	return v == nil
}

// executed reports whether the request got as far as its resolver: every
// error has a path. Parse, validation and variable errors have none, and
// would answer every ID alike without proving anything.
func executed(r *testkit.Response) bool {
	if r.Status != 200 {
		return false
	}
	for _, e := range r.Errors {
		if len(e.Path) == 0 {
			return false
		}
	}
	return true
}
