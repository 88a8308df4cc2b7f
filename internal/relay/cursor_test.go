package relay_test

import (
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/relay"
)

// Decode accepts no cursor that entgql's own decoding (used again for the
// arguments of nested connections) would refuse, and never panics.
func FuzzDecode(f *testing.F) {
	f.Add("gqFpuG9yZ18wMWo5ejN4NXk2dzd2OHQ5czByMXEycDNuNKF2pEFjbWU")
	f.Add("")
	f.Add("!!!")
	f.Add(strings.Repeat("A", 3000))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := relay.Decode("after", s)
		if err != nil {
			return
		}
		var again relay.Cursor
		if err := again.UnmarshalGQL(s); err != nil || again.ID != c.ID {
			t.Fatalf("Decode accepted %q, entgql's decoding gives %v, %v", s, again, err)
		}
	})
}
