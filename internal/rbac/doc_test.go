package rbac

import (
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/permissions.md")

// docs/permissions.md is the permission tables as the code holds them; run
// with -update to rewrite it.
func TestPermissionsDoc(t *testing.T) {
	const path = "../../docs/permissions.md"
	want := Markdown()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run: go test ./internal/rbac -run TestPermissionsDoc -update)", err)
	}
	if string(got) != want {
		t.Fatalf("%s is out of date; run: go test ./internal/rbac -run TestPermissionsDoc -update", path)
	}
}
