package events

import (
	"reflect"
	"testing"
)

func TestRedactHidesSecretsAtAnyDepth(t *testing.T) {
	got := redact(map[string]any{
		"name":     "registry",
		"password": "hunter2",
		"config":   map[string]any{"accessToken": "t", "region": "eu", "private_key": "k"},
	})
	want := map[string]any{
		"name":     "registry",
		"password": Redacted,
		"config":   map[string]any{"accessToken": Redacted, "region": "eu", "private_key": Redacted},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
}

func TestDiffListsOnlyChangedFields(t *testing.T) {
	got := Diff(
		map[string]any{"name": "a", "description": "", "emails": []string{"x@a.dev"}},
		map[string]any{"name": "a", "description": "d", "emails": []string{"x@a.dev"}},
	)
	want := map[string]any{"description": map[string]any{"from": "", "to": "d"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
}
