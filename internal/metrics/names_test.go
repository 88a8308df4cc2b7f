package metrics

import (
	"strconv"
	"testing"
)

func TestNamesAreBounded(t *testing.T) {
	n := NewNames(3)
	for i := range 10 {
		n.Label("Op"+strconv.Itoa(i), true)
	}
	for name, want := range map[string]string{"Op0": "Op0", "Op2": "Op2", "Op3": Other, "New": Other, "": Anonymous} {
		if got := n.Label(name, true); got != want {
			t.Errorf("%q: %q, want %q", name, got, want)
		}
	}
	if got := n.Label("Op0", false); got != Invalid {
		t.Errorf("an invalid document: %q", got)
	}
	f := FixedNames([]string{"Listed"})
	if f.Label("Listed", true) != "Listed" || f.Label("Unlisted", true) != Other {
		t.Error("fixed names")
	}
}
