package isolation_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// maxDetails caps the differences shown in full, so one broken operation
// does not bury the others.
const maxDetails = 40

// report gathers what the walk saw, for the failures and for the lead.
type report struct {
	names       []string                  // every request walked, in order
	outcomes    map[string]map[string]int // request → answer to a random ID → count
	differences int
}

func (r *report) count(name, outcome string) {
	if r.outcomes[name] == nil {
		r.outcomes[name] = map[string]int{}
	}
	r.outcomes[name][outcome]++
}

// differ fails the test with msg (shown in full for the first maxDetails).
func (r *report) differ(t *testing.T, msg string) {
	t.Helper()
	r.differences++
	if r.differences <= maxDetails {
		t.Error(msg)
	} else {
		t.Fail()
	}
}

// log lists every (operation, slot) walked with how a random ID was
// answered, and fails on those whose answers cannot show isolation: an
// internal error answers the same to every ID.
func (r *report) log(t *testing.T) {
	t.Helper()
	var lines, inconclusive []string
	for _, name := range r.names {
		var parts []string
		for _, o := range sortedKeys(r.outcomes[name]) {
			parts = append(parts, fmt.Sprintf("%s×%d", o, r.outcomes[name][o]))
		}
		lines = append(lines, fmt.Sprintf("  %s → %s", name, strings.Join(parts, ", ")))
		if r.outcomes[name]["INTERNAL_SERVER_ERROR"] > 0 {
			inconclusive = append(inconclusive, "  "+name)
		}
	}
	sort.Strings(lines)
	t.Logf("walked %d (operation, slot) requests; answer to a random ID:\n%s", len(r.names), strings.Join(lines, "\n"))
	if len(inconclusive) > 0 {
		// An internal error answers every ID alike, so it proves nothing about isolation.
		t.Errorf("these answered INTERNAL_SERVER_ERROR, which shows nothing about isolation (a bug to fix):\n%s",
			strings.Join(inconclusive, "\n"))
	}
	if r.differences > maxDetails {
		t.Errorf("%d differences in all, %d shown", r.differences, maxDetails)
	}
}
