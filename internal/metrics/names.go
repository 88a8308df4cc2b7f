package metrics

import "sync"

// Label values of operations that have no name of their own.
const (
	// Anonymous is an operation without a name.
	Anonymous = "(anonymous)"
	// Invalid is a request that did not get as far as a valid operation.
	Invalid = "(invalid)"
	// Other is every name past the bound, or not among the trusted documents.
	Other = "(other)"
)

// Names bounds the values of the operation label, whatever clients send:
// with a fixed set (the trusted documents' names) only those, else the
// first max names seen; everything else is Other.
type Names struct {
	fixed map[string]bool
	max   int

	mu   sync.RWMutex
	seen map[string]bool
}

// NewNames keeps the first max names seen.
func NewNames(max int) *Names { return &Names{max: max, seen: map[string]bool{}} }

// FixedNames keeps exactly names.
func FixedNames(names []string) *Names {
	n := &Names{fixed: map[string]bool{}}
	for _, name := range names {
		n.fixed[name] = true
	}
	return n
}

// Label is the label value of the operation named name; valid says the
// document validated (an invalid document's name is the client's word only).
func (n *Names) Label(name string, valid bool) string {
	switch {
	case !valid:
		return Invalid
	case name == "":
		return Anonymous
	case n.fixed != nil:
		if n.fixed[name] {
			return name
		}
		return Other
	}
	n.mu.RLock()
	known := n.seen[name]
	full := len(n.seen) >= n.max
	n.mu.RUnlock()
	if known {
		return name
	}
	if full {
		return Other
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.seen) >= n.max {
		return Other
	}
	n.seen[name] = true
	return name
}
